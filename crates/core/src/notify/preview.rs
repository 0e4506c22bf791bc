//! A notification as the console previews it and sends it as a test: for an issue Jira
//! returned (or the built-in example) and an event kind, the event that kind would come
//! with, so that a rule's templates can be rendered by the same code as a real
//! notification — without any delivery being received or kept.

use serde_json::{Value, json};

use super::{EventError, JiraEvent};
use crate::ports::tracker::{Issue, User};
use crate::profile::EventKind;

/// The key of the built-in example issue.
pub const EXAMPLE_KEY: &str = "EXAMPLE-42";

/// The words of a comment when the issue has none to show.
const EXAMPLE_COMMENT: &str = "Hello Frank,\n\nthanks for the screenshots. We found the \
    cause: the invoice template rounded the VAT before adding it up. The fix goes out \
    tonight; we will tell you here once it is live.\n\nAda";

/// The built-in example: an issue with the fields the default templates show, for a
/// preview that needs no Jira.
pub fn example_issue() -> Issue {
    let fields = json!({
        "summary": "Invoices for March show the wrong VAT rate",
        "status": {"name": "In Progress"},
        "priority": {"name": "High"},
        "issuetype": {"name": "Support request"},
        "project": {"key": "EXAMPLE", "name": "Example support"},
        "reporter": {"accountId": "qm:frank", "displayName": "Frank Müller",
                     "emailAddress": "frank@customer.example"},
        "assignee": {"accountId": "557058:ada", "displayName": "Ada Agent"},
        "resolution": null,
        "created": "2026-11-20T09:12:44.000+0000",
    });
    Issue {
        id: "10042".to_owned(),
        key: EXAMPLE_KEY.to_owned(),
        fields: match fields {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        },
    }
}

/// The person the example's event is by.
pub fn example_actor() -> User {
    User {
        account_id: "557058:ada".to_owned(),
        display_name: "Ada Agent".to_owned(),
        email: None,
        active: true,
    }
}

/// The delivery Jira would send for `kind` on `issue` by `actor`: the issue's latest
/// comment for a comment event (an example comment when it has none), and for a change
/// the issue's current value as the new one. Fails only for an issue without a key or id.
pub fn event_for(kind: EventKind, issue: &Issue, actor: &User) -> Result<JiraEvent, EventError> {
    let user = json!({"accountId": actor.account_id, "displayName": actor.display_name});
    let name_of = |field: &str, key: &str| {
        issue
            .fields
            .get(field)
            .and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let project = issue
        .fields
        .get("project")
        .and_then(|p| p.get("key"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| issue.key.rsplit_once('-').map(|(p, _)| p.to_owned()));
    let mut body = json!({
        "webhookEvent": "jira:issue_updated",
        "user": user,
        "issue": {"id": issue.id, "key": issue.key, "fields": {"project": {"key": project}}},
    });
    let change = |field: &str, to: Option<String>| json!({"id": "preview", "items": [{"field": field, "fieldId": field, "toString": to}]});
    match kind {
        EventKind::IssueCreated => body["webhookEvent"] = json!("jira:issue_created"),
        EventKind::CommentAdded | EventKind::CommentEdited => {
            body["webhookEvent"] = json!(if kind == EventKind::CommentAdded {
                "comment_created"
            } else {
                "comment_updated"
            });
            body["comment"] = latest_comment(issue).unwrap_or_else(
                || json!({"id": "preview", "body": EXAMPLE_COMMENT, "author": user}),
            );
        }
        EventKind::StatusChanged => body["changelog"] = change("status", name_of("status", "name")),
        EventKind::Resolved => {
            let resolution = name_of("resolution", "name").or_else(|| Some("Done".to_owned()));
            body["changelog"] = change("resolution", resolution);
        }
        EventKind::AssigneeChanged => {
            body["changelog"] = change("assignee", name_of("assignee", "displayName"));
        }
        EventKind::PriorityChanged => {
            body["changelog"] = change("priority", name_of("priority", "name"));
        }
    }
    JiraEvent::parse(body.to_string().as_bytes())
}

/// The last comment of the issue's `comment` field, as a webhook carries it.
fn latest_comment(issue: &Issue) -> Option<Value> {
    let last = issue
        .fields
        .get("comment")?
        .get("comments")?
        .as_array()?
        .last()?;
    Some(json!({
        "id": last.get("id").cloned().unwrap_or(json!("preview")),
        "body": last.get("body")?,
        "author": last.get("author").cloned().unwrap_or(Value::Null),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::notify::{Reader, variables};
    use crate::profile::NotificationRule;
    use crate::template::{CalendarDate, IssueContext};

    fn render(kind: EventKind, issue: &Issue) -> crate::notify::Words {
        let actor = example_actor();
        let event = event_for(kind, issue, &actor).unwrap();
        let context = IssueContext {
            issue,
            fields: &[],
            agent: &actor,
            today: CalendarDate::new(2026, 12, 7).unwrap(),
            site_url: "https://acme.example",
        }
        .build();
        let reader = Reader {
            name: Some("Frank"),
            address: "frank@customer.example",
            reply_address: Some("support@acme.example"),
        };
        let context = variables(&context, kind, &event, reader, &[]);
        let rule: NotificationRule = serde_json::from_value(json!({
            "events": [kind.as_str()], "to": ["reporter"],
            "subject": "{{ event.kind }}: {{ event.summary }}",
        }))
        .unwrap();
        let templates = crate::notify::NotifyTemplates::new(&rule).unwrap();
        let defaults = crate::notify::NotifyTemplates::defaults().unwrap();
        templates.render(&context, &defaults).unwrap()
    }

    #[test]
    fn every_kind_makes_an_event_that_reads_and_says_what_happened() {
        let issue = example_issue();
        for (kind, says) in [
            (EventKind::IssueCreated, "EXAMPLE-42 was opened."),
            (EventKind::CommentAdded, "Ada Agent commented."),
            (EventKind::CommentEdited, "Ada Agent edited a comment."),
            (EventKind::StatusChanged, "Status changed to In Progress."),
            (EventKind::Resolved, "Resolved: Done."),
            (EventKind::AssigneeChanged, "Assigned to Ada Agent."),
            (EventKind::PriorityChanged, "The priority changed."),
        ] {
            let words = render(kind, &issue);
            assert_eq!(words.subject, format!("{}: {says}", kind.as_str()));
            assert!(words.fell_back.is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn a_comment_event_shows_the_issues_latest_comment() {
        let mut issue = example_issue();
        issue.fields.insert(
            "comment".to_owned(),
            json!({"comments": [
                {"id": "1", "body": "first words", "author": {"displayName": "Ada"}},
                {"id": "2", "body": "the latest words", "author": {"displayName": "Bob"}},
            ]}),
        );
        let words = render(EventKind::CommentAdded, &issue);
        assert!(words.text.contains("the latest words"), "{}", words.text);
        assert!(!words.text.contains("first words"));
        let plain = render(EventKind::CommentAdded, &example_issue());
        assert!(plain.text.contains("the invoice template rounded"));
    }
}
