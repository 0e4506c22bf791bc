//! The people already on the issue a reply threads to, read from Jira once per mail: what
//! core needs to judge the sender (`people.strangers`) and to add only newcomers among the
//! reply's other recipients.

use postroom_core::classify::AuthResult;
use postroom_core::message::{EmailAddress, Message};
use postroom_core::plan::{self, Action, IssuePeople, Plan, SenderInJira};
use postroom_core::ports::tracker::{Tracker, TrackerError};
use postroom_core::profile::CheckedProfile;
use postroom_core::tenant::TenantId;
use postroom_store::TenantStore;
use serde_json::Value;

use super::fields::FieldCache;
use super::{Failure, Inner, transient};

/// Jira's `projectTypeKey` of Jira Service Management projects.
const SERVICE_DESK: &str = "service_desk";

/// What is on the issue.
#[derive(Debug, Default)]
pub(super) struct OnIssue {
    /// Its reporter, assignee, watchers, request participants and e-mail participants.
    pub people: IssuePeople,
    /// The Jira id of the profile's e-mail field, when the profile names one Jira has.
    pub email_field: Option<String>,
    /// That field's text on the issue.
    pub email_text: Option<String>,
}

/// How the reply came: the mail's authenticity, and whether an administrator released it
/// from a stranger's hold (`postroom audit release`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Standing {
    pub auth: AuthResult,
    pub released: bool,
}

/// When the plan is a comment that depends on the issue's people, reads them and lets core
/// judge the reply (the sender's standing, the newcomers among the other recipients); the
/// people are returned for adding the newcomers. Nothing is read for any other plan.
pub(super) async fn judge<S, T: Tracker>(
    inner: &Inner<S>,
    tracker: &T,
    tenant: &TenantStore,
    profile: &CheckedProfile,
    message: &Message,
    standing: Standing,
    plan: &mut Plan,
) -> Result<Option<OnIssue>, Failure> {
    let Action::AddComment { issue_key, .. } = &plan.action else {
        return Ok(None);
    };
    if !plan::needs_issue_people(plan, profile) {
        return Ok(None);
    }
    let key = issue_key.clone();
    if let Some(on) = opener_alone(inner, tenant, message, standing, plan, &key).await? {
        plan::judge_reply(
            plan,
            profile,
            &on.people,
            SenderInJira {
                account: None,
                auth: standing.auth,
                browses: None,
            },
            standing.released,
        );
        return Ok(Some(on));
    }
    let mut on = read(
        tracker,
        &inner.fields,
        tenant.id(),
        profile,
        &key,
        &mut plan.report,
    )
    .await?;
    if let Some(from) = &message.from {
        reporter_by_mail(inner, tenant, &key, &from.address, &mut on.people).await?;
    }
    let account = match &message.from {
        Some(from) => inner
            .users
            .mention(tenant, tracker, from.address.as_str())
            .await
            .map(|m| m.id),
        None => None,
    };
    let mut sender = SenderInJira {
        account: account.as_deref(),
        auth: standing.auth,
        browses: None,
    };
    if plan::wants_browse_check(plan, &on.people, &sender)
        && let Some(id) = sender.account
    {
        sender.browses = Some(tracker.may_browse(&key, id).await?);
    }
    plan::judge_reply(plan, profile, &on.people, sender, standing.released);
    Ok(Some(on))
}

/// The reply of the customer whose own mail opened the issue, bringing nobody else in,
/// needs nothing from Jira: postroom's record of the opening mail places the sender on the
/// issue, and with no other recipients there is no one to sort into newcomers. That is
/// most replies, and it saves three Jira requests each (the issue, its watchers, its
/// request participants). A mail whose authentication failed is judged in full.
async fn opener_alone<S>(
    inner: &Inner<S>,
    tenant: &TenantStore,
    message: &Message,
    standing: Standing,
    plan: &Plan,
    key: &str,
) -> Result<Option<OnIssue>, Failure> {
    let Action::AddComment { participants, .. } = &plan.action else {
        return Ok(None);
    };
    let Some(from) = &message.from else {
        return Ok(None);
    };
    if !participants.is_empty() || standing.auth == AuthResult::Fail {
        return Ok(None);
    }
    let mut on = OnIssue::default();
    reporter_by_mail(inner, tenant, key, &from.address, &mut on.people).await?;
    Ok((!on.people.addresses.is_empty()).then_some(on))
}

/// Counts the sender as the issue's reporter when their mail opened it (the result that
/// created it has their keyed hash): a customer without a Jira account is its reporter in
/// all but Jira's field, whether or not `people.email_field` records them.
async fn reporter_by_mail<S>(
    inner: &Inner<S>,
    tenant: &TenantStore,
    key: &str,
    sender: &EmailAddress,
    people: &mut IssuePeople,
) -> Result<(), Failure> {
    let opener = tenant.mail_writer(key, None).await.map_err(transient)?;
    let hash = inner.redactor.address(sender).to_string();
    if opener.as_deref() == Some(hash.as_str()) {
        people.add_address(sender.as_str());
    }
    Ok(())
}

/// Reads the issue's people: one read of the issue (only the fields needed), its watchers,
/// and its request participants on a service project. A part Jira will not show (no
/// permission to see watchers) is reported and left out; a transient error is retried.
pub(super) async fn read<T: Tracker>(
    tracker: &T,
    fields: &FieldCache,
    tenant: &TenantId,
    profile: &CheckedProfile,
    key: &str,
    lines: &mut Vec<String>,
) -> Result<OnIssue, Failure> {
    let mut on = OnIssue::default();
    if let Some(name) = &profile.profile.people.email_field {
        on.email_field = fields.id_of(tenant, tracker, name).await?;
        if on.email_field.is_none() {
            lines.push(format!(
                "people: field {name:?} (people.email_field) does not exist in Jira"
            ));
        }
    }
    let mut wanted = vec!["reporter", "assignee", "project"];
    if let Some(id) = &on.email_field {
        wanted.push(id);
    }
    let issue = tracker.get_issue(key, &wanted).await?;
    for role in ["reporter", "assignee"] {
        if let Some(user) = issue.fields.get(role) {
            add_user(&mut on.people, user);
        }
    }
    if let Some(text) = on
        .email_field
        .as_ref()
        .and_then(|id| issue.fields.get(id))
        .and_then(Value::as_str)
    {
        on.people.add_email_field(text);
        on.email_text = Some(text.to_owned());
    }
    match tracker.watchers(key).await {
        Ok(users) => users
            .iter()
            .for_each(|u| on.people.add_account(&u.account_id, u.email.as_deref())),
        Err(e) => optional(e, &format!("watchers of {key}"), lines)?,
    }
    let project_type = issue
        .fields
        .get("project")
        .and_then(|p| p.get("projectTypeKey"))
        .and_then(Value::as_str);
    on.people.service_desk = project_type == Some(SERVICE_DESK);
    if on.people.service_desk {
        match tracker.request_participants(key).await {
            Ok(users) => users
                .iter()
                .for_each(|u| on.people.add_account(&u.account_id, u.email.as_deref())),
            Err(e) => optional(e, &format!("request participants of {key}"), lines)?,
        }
    }
    Ok(on)
}

/// A user object as Jira embeds it in an issue: `accountId` on Cloud, `name` on Data Center.
fn add_user(people: &mut IssuePeople, user: &Value) {
    let text = |k: &str| user.get(k).and_then(Value::as_str);
    if let Some(id) = text("accountId").or_else(|| text("name")) {
        people.add_account(id, text("emailAddress"));
    }
}

/// A part of the issue's people that Jira would not give: retried when transient, else
/// reported and done without.
fn optional(e: TrackerError, what: &str, lines: &mut Vec<String>) -> Result<(), Failure> {
    if e.is_transient() {
        return Err(e.into());
    }
    lines.push(format!("people: {what} not read: {e}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn embedded_users_count_by_account_id_or_user_name() {
        let mut people = IssuePeople::default();
        add_user(
            &mut people,
            &json!({"accountId": "acc-1", "emailAddress": "Ann@A.example"}),
        );
        add_user(&mut people, &json!({"name": "bob", "displayName": "Bob"}));
        add_user(&mut people, &Value::Null);
        assert_eq!(people.accounts.iter().collect::<Vec<_>>(), ["acc-1", "bob"]);
        assert!(people.has_address("ann@a.example"));
        assert_eq!(people.addresses.len(), 1);
    }
}
