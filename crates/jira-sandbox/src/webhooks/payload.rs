//! Webhook bodies in Jira's shape (`webhookEvent`, `timestamp`, `issue_event_type_name`,
//! `user`, `issue`, `changelog`, `comment`). Jira renders webhook bodies in the v2
//! representation (rich text as strings), and so does the sandbox.

use serde::Serialize;
use serde_json::json;

use super::Event;
use super::deliver::Delivery;
use crate::app::App;
use crate::jql::{SearchContext, search};
use crate::render::{self, FieldSelection};
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::Webhook;
use crate::time::now_ms;

/// One changelog item of `jira:issue_updated`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeItem {
    /// Field name, e.g. `status`.
    pub field: String,
    /// `jira` or `custom`.
    pub fieldtype: String,
    /// Field id.
    #[serde(rename = "fieldId")]
    pub field_id: String,
    /// Old raw value.
    pub from: Option<String>,
    /// Old display value.
    #[serde(rename = "fromString")]
    pub from_string: Option<String>,
    /// New raw value.
    pub to: Option<String>,
    /// New display value.
    #[serde(rename = "toString")]
    pub to_string: Option<String>,
}

/// (webhookEvent, issue_event_type_name, issue id, comment id, user) for the payloads an
/// event raises; a comment raises its own event plus `jira:issue_updated`.
fn raised(e: &Event) -> Vec<(&'static str, &'static str, u64, Option<u64>, &str)> {
    match e {
        Event::IssueCreated { issue, user } => {
            vec![("jira:issue_created", "issue_created", *issue, None, user)]
        }
        Event::IssueUpdated { issue, user, .. } => {
            vec![("jira:issue_updated", "issue_generic", *issue, None, user)]
        }
        Event::CommentCreated {
            issue,
            comment,
            user,
        } => vec![
            (
                "comment_created",
                "issue_commented",
                *issue,
                Some(*comment),
                user,
            ),
            (
                "jira:issue_updated",
                "issue_commented",
                *issue,
                Some(*comment),
                user,
            ),
        ],
        Event::CommentUpdated {
            issue,
            comment,
            user,
        } => vec![
            (
                "comment_updated",
                "issue_comment_edited",
                *issue,
                Some(*comment),
                user,
            ),
            (
                "jira:issue_updated",
                "issue_comment_edited",
                *issue,
                Some(*comment),
                user,
            ),
        ],
    }
}

fn matches(site: &Site, hook: &Webhook, event: &str, issue: u64, user: &str) -> bool {
    if !hook.events.iter().any(|e| e == event) {
        return false;
    }
    let Some(filter) = hook.jql.as_deref().filter(|f| !f.trim().is_empty()) else {
        return true;
    };
    let ctx = SearchContext {
        site,
        account_id: user,
        now_ms: now_ms(),
        index_lag_ms: 0,
    };
    search(&format!("id = {issue} AND ({filter})"), &ctx).is_ok_and(|ids| ids.contains(&issue))
}

fn identifier() -> String {
    let n: u128 = rand::random();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The deliveries an event causes, one per matching webhook and raised event.
pub fn deliveries(app: &App, site: &Site, e: &Event) -> Vec<Delivery> {
    let v = ApiVersion::V2;
    let mut out = Vec::new();
    for (event, type_name, issue_id, comment_id, user) in raised(e) {
        let Some(issue) = site.issues.get(&issue_id) else {
            continue;
        };
        for hook in site
            .webhooks
            .iter()
            .filter(|h| matches(site, h, event, issue_id, user))
        {
            let mut body = json!({
                "timestamp": now_ms(),
                "webhookEvent": event,
                "issue_event_type_name": type_name,
                "user": render::user_ref(app, site, v, Some(user)),
                "issue": render::issue(app, site, v, user, issue, &FieldSelection::All, &[]),
            });
            if let Event::IssueUpdated { changes, .. } = e {
                body["changelog"] = json!({"id": issue.updated.to_string(), "items": changes});
            }
            if let Some(comment) =
                comment_id.and_then(|id| issue.comments.iter().find(|c| c.id == id))
            {
                body["comment"] = render::comment(app, site, v, issue, comment, false);
            }
            if hook.dynamic {
                body["matchedWebhookIds"] = json!([hook.id]);
            }
            out.push(Delivery {
                url: hook.url.clone(),
                body: serde_json::to_vec(&body).unwrap_or_default(),
                secret: hook.secret.clone(),
                identifier: identifier(),
            });
        }
    }
    out
}

/// Value helper for callers building change items.
pub fn change(field: &str, from: Option<String>, to: Option<String>) -> ChangeItem {
    ChangeItem {
        field: field.to_owned(),
        fieldtype: if field.starts_with("customfield_") {
            "custom"
        } else {
            "jira"
        }
        .to_owned(),
        field_id: field.to_owned(),
        from: from.clone(),
        from_string: from,
        to: to.clone(),
        to_string: to,
    }
}
