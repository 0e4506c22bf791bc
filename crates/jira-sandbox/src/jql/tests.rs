//! Table tests of JQL evaluation over a small seeded site.

use std::collections::BTreeMap;

use serde_json::json;

use super::{JqlError, SearchContext, search};
use crate::state::Site;
use crate::state::model::{Issue, RichText};
use crate::state::seed::{ADMIN_ACCOUNT_ID, AGENT_ACCOUNT_ID, EMAIL_PARTICIPANTS_FIELD, seed};

const NOW: i64 = 1_790_000_000_000;

fn issue(id: u64, summary: &str, creator: &str, age_min: i64) -> Issue {
    Issue {
        id,
        key: format!("SUP-{}", id - 9999),
        project: "SUP".into(),
        issue_type: "10001".into(),
        summary: summary.into(),
        description: Some(RichText::Wiki(format!("about {summary}"))),
        status: "1".into(),
        priority: "3".into(),
        labels: vec!["email".into()],
        creator: creator.into(),
        reporter: creator.into(),
        assignee: None,
        created: NOW - age_min * 60_000,
        updated: NOW - age_min * 60_000,
        resolved: None,
        custom: BTreeMap::from([(EMAIL_PARTICIPANTS_FIELD.to_owned(), json!("x@example.org"))]),
        properties: BTreeMap::from([("postroom".to_owned(), json!({"idem": format!("m{id}")}))]),
        comments: Vec::new(),
        watchers: Vec::new(),
        participants: Vec::new(),
    }
}

fn site() -> Site {
    let mut site = seed();
    site.indexed_properties.push("postroom".into());
    for i in [
        issue(10000, "Printer on fire", ADMIN_ACCOUNT_ID, 60),
        issue(10001, "Invoice question", AGENT_ACCOUNT_ID, 10),
        issue(10002, "Printers are down again", ADMIN_ACCOUNT_ID, 5),
    ] {
        site.issues.insert(i.id, i);
    }
    site
}

fn run(site: &Site, jql: &str) -> Result<Vec<u64>, JqlError> {
    search(
        jql,
        &SearchContext {
            site,
            account_id: ADMIN_ACCOUNT_ID,
            now_ms: NOW,
            index_lag_ms: 0,
        },
    )
}

#[test]
fn matching_table() {
    let site = site();
    let cases: &[(&str, &[u64])] = &[
        ("", &[10002, 10001, 10000]),
        ("project = SUP", &[10002, 10001, 10000]),
        ("project = sup ORDER BY created", &[10000, 10001, 10002]),
        ("key = SUP-2", &[10001]),
        ("key in (SUP-1, SUP-3) ORDER BY key ASC", &[10000, 10002]),
        ("summary ~ \"printer\"", &[10002, 10000]),
        ("\"summary\" ~ printer AND summary ~ fire", &[10000]),
        ("summary !~ printer", &[10001]),
        ("description ~ invoice", &[10001]),
        ("text ~ \"down again\"", &[10002]),
        (
            "\"E-mail participants\" ~ \"x@example.org\"",
            &[10002, 10001, 10000],
        ),
        ("cf[10050] ~ nobody", &[]),
        ("creator = currentUser() AND created >= -15m", &[10002]),
        ("creator = \"agent@example.com\"", &[10001]),
        ("created < -30m", &[10000]),
        ("issue.property[postroom].idem = m10001", &[10001]),
        ("issue.property[postroom].idem = nothing", &[]),
        (
            "status = Open AND priority = Medium AND labels = email",
            &[10002, 10001, 10000],
        ),
        ("status = Closed OR key = SUP-1", &[10000]),
        (
            "(summary ~ invoice OR summary ~ fire) AND project = SUP ORDER BY created DESC",
            &[10001, 10000],
        ),
    ];
    for (jql, want) in cases {
        assert_eq!(run(&site, jql).as_deref(), Ok(*want), "{jql}");
    }
}

#[test]
fn refusal_table() {
    let site = site();
    let cases: &[(&str, &str)] = &[
        (
            "project = NOPE",
            "The value 'NOPE' does not exist for the field 'project'.",
        ),
        (
            "summary = x",
            "The operator '=' is not supported by the 'summary' field.",
        ),
        (
            "colour = red",
            "Field 'colour' does not exist or you do not have permission to view it.",
        ),
        (
            "issue.property[secret].x = 1",
            "Field 'issue.property[secret].x' does not exist",
        ),
        (
            "created >= yesterday",
            "Date value 'yesterday' for field 'created' is invalid.",
        ),
        (
            "creator = membersOf()",
            "Unable to find JQL function 'membersOf()'.",
        ),
        (
            "key = SUP-999",
            "An issue with key 'SUP-999' does not exist for field 'key'.",
        ),
        (
            "project = SUP ORDER BY summary",
            "Field 'summary' does not support sorting",
        ),
    ];
    for (jql, prefix) in cases {
        match run(&site, jql) {
            Err(e) => assert!(e.to_string().starts_with(prefix), "{jql}: {e}"),
            Ok(ids) => panic!("{jql} answered {ids:?}"),
        }
    }
}

#[test]
fn bad_clauses_fail_even_on_an_empty_site() {
    let site = seed();
    assert!(run(&site, "colour = red").is_err());
    assert_eq!(run(&site, "project = SUP"), Ok(vec![]));
}

#[test]
fn index_lag_hides_fresh_issues() {
    let site = site();
    let ctx = SearchContext {
        site: &site,
        account_id: ADMIN_ACCOUNT_ID,
        now_ms: NOW,
        index_lag_ms: 7 * 60_000,
    };
    assert_eq!(search("project = SUP", &ctx), Ok(vec![10001, 10000]));
}
