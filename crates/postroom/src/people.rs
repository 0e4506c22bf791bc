//! What `postroom person` and `/api/v1/people` share: the profile's e-mail field, and the
//! readable summary of what was found and erased.

use std::fmt::Write;

use postroom_core::profile::Profile;
use postroom_engine::people::{Erased, Found, NOT_COVERED};
use postroom_store::TenantStore;

/// The tenant's `people.email_field`, if its profile names one.
pub async fn email_field(tenant: &TenantStore) -> anyhow::Result<Option<String>> {
    let Some(stored) = tenant.profile().await? else {
        return Ok(None);
    };
    let profile = Profile::load(&stored.document)?;
    Ok(profile.profile.people.email_field.clone())
}

/// Counts per kind, then the Jira part with issue keys, then what is not covered.
pub fn describe(found: &Found) -> String {
    let c = found.counts();
    let mut out = String::new();
    let rows: [(&str, usize); 16] = [
        ("messages they sent (or naming them)", c.messages),
        ("  with the raw mail still stored", c.raw_mails),
        ("mail postroom sent them", c.sent_mail),
        ("  with the MIME still stored", c.sent_mime),
        ("suppression entry", c.suppression),
        ("rate counters", c.rate_counters),
        ("Jira account lookups", c.jira_accounts),
        ("thread-map entries", c.thread_map),
        ("test cases naming them", c.test_cases),
        ("canned-response uses", c.template_uses),
        ("weekly Insights counts", c.weekly_counts),
        ("favourite templates", c.favourites),
        ("templates they own", c.templates),
        ("API tokens", c.api_tokens),
        ("console sessions", c.console_sessions),
        ("profile versions they saved", c.profile_versions),
    ];
    let _ = writeln!(
        out,
        "postroom holds, found by {}{}:",
        found.subject.as_str(),
        if found.deep { " and a deep scan" } else { "" }
    );
    for (what, n) in rows {
        let _ = writeln!(out, "  {what}: {n}");
    }
    let _ = writeln!(out, "in Jira (postroom cannot erase these; the site can):");
    if found.jira.issues.is_empty() {
        let _ = writeln!(out, "  no issue or comment made from their mail");
    }
    for issue in &found.jira.issues {
        let made = match (issue.created, issue.comments.is_empty()) {
            (true, true) => "created from their mail".to_owned(),
            (true, false) => format!(
                "created from their mail; comments {}",
                issue.comments.join(", ")
            ),
            (false, _) => format!("comments {}", issue.comments.join(", ")),
        };
        let _ = writeln!(out, "  {}: {made}", issue.key);
    }
    for hit in &found.jira.email_fields {
        let state = match (&hit.error, hit.cleared) {
            (Some(e), _) => format!("not cleared: {e}"),
            (None, true) => "cleared".to_owned(),
            (None, false) => "holds their address (--jira clears it)".to_owned(),
        };
        let _ = writeln!(out, "  {} field {}: {state}", hit.key, hit.field);
    }
    if let Some(note) = &found.jira.note {
        let _ = writeln!(out, "  note: {note}");
    }
    if !found.unreadable.is_empty() {
        let _ = writeln!(out, "stored mails that could not be opened (left out):");
        for what in &found.unreadable {
            let _ = writeln!(out, "  {what}");
        }
    }
    let _ = writeln!(out, "not covered:");
    for line in NOT_COVERED {
        let _ = writeln!(out, "  - {line}");
    }
    out
}

/// What an erase removed.
pub fn describe_erased(erased: &Erased) -> String {
    let r = &erased.rows;
    let mut out = format!(
        "erased: {} blob(s), {} intake record(s), {} report(s), {} sent-mail record(s), \
         {} thread-map entr(ies), {} rate counter(s), {} Jira account lookup(s), {} test case(s)\n",
        erased.blobs,
        r.intake,
        r.reports,
        r.sent_mail,
        r.thread_map,
        r.counters,
        r.accounts,
        erased.test_cases
    );
    if r.suppression_marker {
        out.push_str(
            "kept: a suppression marker (the address's keyed hash only), so postroom does not \
             mail a bouncing address again; --include-suppression removes it\n",
        );
    }
    if r.suppression_removed {
        out.push_str("removed: the suppression entry\n");
    }
    if let Some(a) = &erased.agent {
        let _ = writeln!(
            out,
            "erased for the account: {} use(s), {} weekly count(s), {} favourite(s), {} \
             personal template(s), {} token(s), {} session(s), {} sign-in link(s); {} shared \
             template(s) kept without their owner; {} access-log line(s) and {} profile \
             version(s) kept without the account id",
            a.uses,
            a.weekly,
            a.favourites,
            a.personal_templates,
            a.tokens,
            a.sessions,
            a.links,
            a.shared_templates_disowned,
            a.access_log,
            a.profile_versions
        );
    }
    out
}
