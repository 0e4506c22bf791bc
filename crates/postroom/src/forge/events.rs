//! Jira events as Forge delivers them to a remote, turned into the webhook shape the
//! notification intake already reads, so that both paths are one path after the edge.
//!
//! A redelivery (Forge retries an event up to four times) carries the same payload, so the
//! event's identity is read from it: the event type, the issue id, and the part that makes
//! this event unique — the changelog id of an update, the comment id and its last change
//! of a comment event, the issue's own `updated` otherwise.

use serde_json::{Map, Value, json};

/// A Forge event that is also a Jira webhook event postroom reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    /// The event's identity, the same on every redelivery.
    pub identity: String,
    /// The body in the shape of a Jira webhook delivery.
    pub webhook: Value,
}

/// Why an event body was refused (400).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    #[error("the event is not a JSON object")]
    NotAnObject,
    #[error("the event has no eventType")]
    NoType,
    #[error("the {0} event carries no issue id")]
    NoIssue(String),
}

/// The Jira webhook event each Forge Jira event stands for; `None` for events postroom
/// does not read (answered as unwanted, nothing stored).
fn webhook_event(forge_type: &str) -> Option<&'static str> {
    Some(match forge_type {
        "avi:jira:created:issue" => "jira:issue_created",
        "avi:jira:updated:issue" => "jira:issue_updated",
        "avi:jira:deleted:issue" => "jira:issue_deleted",
        "avi:jira:commented:issue" => "comment_created",
        "avi:jira:updated:comment" => "comment_updated",
        _ => return None,
    })
}

/// Reads a Forge Jira event; `Ok(None)` for an event type postroom does not read.
pub fn translate(body: &[u8]) -> Result<Option<Translated>, EventError> {
    let Ok(Value::Object(event)) = serde_json::from_slice::<Value>(body) else {
        return Err(EventError::NotAnObject);
    };
    let forge_type = event
        .get("eventType")
        .and_then(Value::as_str)
        .ok_or(EventError::NoType)?;
    let Some(webhook_event) = webhook_event(forge_type) else {
        return Ok(None);
    };
    let issue = event.get("issue").cloned().unwrap_or(Value::Null);
    let issue_id = issue
        .get("id")
        .and_then(|v| {
            v.as_str()
                .map(str::to_owned)
                .or_else(|| v.as_u64().map(|n| n.to_string()))
        })
        .ok_or_else(|| EventError::NoIssue(forge_type.to_owned()))?;
    let text = |v: Option<&Value>| {
        v.map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default()
    };
    let unique = match (event.get("changelog"), event.get("comment")) {
        (_, Some(comment)) => format!(
            "comment:{}:{}",
            text(comment.get("id")),
            text(comment.get("updated"))
        ),
        (Some(changelog), None) => format!("changelog:{}", text(changelog.get("id"))),
        (None, None) => format!(
            "updated:{}",
            text(issue.get("fields").and_then(|f| f.get("updated")))
        ),
    };
    let mut webhook = Map::new();
    webhook.insert("webhookEvent".to_owned(), json!(webhook_event));
    webhook.insert("issue".to_owned(), issue);
    for key in ["comment", "changelog"] {
        if let Some(v) = event.get(key) {
            webhook.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(actor) = event.get("atlassianId").and_then(Value::as_str) {
        webhook.insert("user".to_owned(), json!({ "accountId": actor }));
    }
    if let Some(ts) = event.get("timestamp") {
        webhook.insert("timestamp".to_owned(), ts.clone());
    }
    Ok(Some(Translated {
        identity: format!("forge:{forge_type}:{issue_id}:{unique}"),
        webhook: Value::Object(webhook),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn a_comment_event_becomes_comment_created_with_the_actor() {
        let t = translate(&event(json!({
            "eventType": "avi:jira:commented:issue",
            "atlassianId": "acc-1",
            "issue": {"id": "10001", "key": "SUP-1", "fields": {"summary": "s"}},
            "comment": {"id": "20", "updated": "2026-12-07T10:00:00.000+0000", "body": "hi"},
        })))
        .unwrap()
        .unwrap();
        assert_eq!(t.webhook["webhookEvent"], "comment_created");
        assert_eq!(t.webhook["user"]["accountId"], "acc-1");
        assert_eq!(t.webhook["comment"]["id"], "20");
        assert_eq!(t.webhook["issue"]["key"], "SUP-1");
        assert!(
            t.identity
                .contains("comment:20:2026-12-07T10:00:00.000+0000")
        );
    }

    #[test]
    fn identity_is_the_same_on_redelivery_and_differs_between_events() {
        let update = |changelog: &str| {
            translate(&event(json!({
                "eventType": "avi:jira:updated:issue",
                "issue": {"id": 10001, "fields": {}},
                "changelog": {"id": changelog, "items": []},
            })))
            .unwrap()
            .unwrap()
            .identity
        };
        assert_eq!(update("1"), update("1"));
        assert_ne!(update("1"), update("2"));
        let edited = |updated: &str| {
            translate(&event(json!({
                "eventType": "avi:jira:updated:comment",
                "issue": {"id": "1"},
                "comment": {"id": "5", "updated": updated},
            })))
            .unwrap()
            .unwrap()
            .identity
        };
        assert_ne!(edited("t1"), edited("t2"), "two edits of one comment");
    }

    #[test]
    fn unread_event_types_are_none_and_bad_bodies_are_errors() {
        let other = event(json!({"eventType": "avi:jira:viewed:issue", "issue": {"id": "1"}}));
        assert_eq!(translate(&other).unwrap(), None);
        assert_eq!(translate(b"[]"), Err(EventError::NotAnObject));
        assert_eq!(translate(b"{"), Err(EventError::NotAnObject));
        assert_eq!(translate(b"{}"), Err(EventError::NoType));
        let no_issue = event(json!({"eventType": "avi:jira:created:issue"}));
        assert!(matches!(translate(&no_issue), Err(EventError::NoIssue(_))));
    }
}
