use serde_json::json;

use super::*;

fn parse(value: serde_json::Value) -> JiraEvent {
    JiraEvent::parse(value.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn comment_event(name: &str, comment: serde_json::Value) -> serde_json::Value {
    json!({
        "timestamp": 1_700_000_000_000_i64,
        "webhookEvent": name,
        "issue_event_type_name": "issue_commented",
        "user": {"accountId": "agent-1", "displayName": "Ada Agent"},
        "issue": {"id": "10001", "key": "SUP-7", "fields": {"project": {"key": "SUP"}}},
        "comment": comment,
    })
}

#[test]
fn a_comment_reads_the_same_from_both_of_its_deliveries() {
    let comment =
        json!({"id": "10042", "body": "Hello *there*", "author": {"displayName": "Ada Agent"}});
    let created = parse(comment_event("comment_created", comment.clone()));
    let updated = parse(comment_event("jira:issue_updated", comment));
    assert_eq!(created.happenings(), updated.happenings());
    assert_eq!(
        created.happenings(),
        vec![Happening {
            kind: EventKind::CommentAdded,
            key: "comment:10042:comment_added".to_owned()
        }]
    );
    let c = created.comment.unwrap_or_else(|| panic!("no comment"));
    assert_eq!(c.body(), "Hello there");
    assert_eq!(c.restriction, Restriction::Public);
    assert_eq!(created.actor.as_deref(), Some("agent-1"));
    assert_eq!(created.project_key, "SUP");
}

#[test]
fn restrictions_are_read_strictly() {
    let internal = parse(comment_event(
        "comment_created",
        json!({"id": 1, "body": "x", "jsdPublic": false}),
    ));
    assert_eq!(
        internal.comment.map(|c| c.restriction),
        Some(Restriction::Internal)
    );
    let group = parse(comment_event(
        "comment_created",
        json!({"id": 1, "body": "x", "visibility": {"type": "group", "value": "jira-staff"}}),
    ));
    assert_eq!(
        group.comment.map(|c| c.restriction),
        Some(Restriction::Group("jira-staff".to_owned()))
    );
    let odd = parse(comment_event(
        "comment_created",
        json!({"id": 1, "body": "x", "visibility": {"type": "something-new", "value": "Devs"}}),
    ));
    assert_eq!(
        odd.comment.map(|c| c.restriction),
        Some(Restriction::Role("Devs".to_owned()))
    );
}

#[test]
fn adf_bodies_are_read_as_text() {
    let event = parse(comment_event(
        "comment_created",
        json!({"id": "5", "body": {"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Fixed in 2.1"}]}
        ]}}),
    ));
    assert_eq!(
        event.comment.map(|c| c.body().trim().to_owned()),
        Some("Fixed in 2.1".to_owned())
    );
}

#[test]
fn changelog_items_become_events_once_each() {
    let event = parse(json!({
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"name": "admin"},
        "issue": {"id": 10001, "key": "SUP-7", "fields": {"project": {"key": "SUP"}}},
        "changelog": {"id": "300", "items": [
            {"field": "status", "fieldId": "status", "fromString": "Open", "toString": "Done"},
            {"field": "resolution", "fieldId": "resolution", "fromString": null, "toString": "Fixed"},
            {"field": "Status", "fieldId": "status", "fromString": "Open", "toString": "Done"},
            {"field": "labels", "fieldId": "labels", "fromString": "", "toString": "x"}
        ]}
    }));
    let kinds: Vec<_> = event.happenings().into_iter().map(|h| h.kind).collect();
    assert_eq!(kinds, vec![EventKind::StatusChanged, EventKind::Resolved]);
    assert_eq!(event.happenings()[0].key, "update:300:status_changed");
    assert_eq!(event.actor.as_deref(), Some("admin"));
}

#[test]
fn clearing_a_resolution_is_not_resolving() {
    let event = parse(json!({
        "webhookEvent": "jira:issue_updated",
        "issue": {"id": "1", "key": "SUP-1"},
        "changelog": {"id": "9", "items": [
            {"fieldId": "resolution", "fromString": "Fixed", "toString": null}
        ]}
    }));
    assert!(event.happenings().is_empty());
    assert_eq!(event.project_key, "SUP");
}

#[test]
fn bodies_that_are_not_issue_webhooks_are_refused() {
    for bad in [
        &b""[..],
        b"[]",
        b"{}",
        b"{\"webhookEvent\": \"jira:issue_created\"}",
        b"{\"webhookEvent\": \"jira:issue_created\", \"issue\": {\"id\": \"1\"}}",
        b"not json",
    ] {
        assert!(
            JiraEvent::parse(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn other_events_mean_nothing_to_notifications() {
    let event = parse(json!({
        "webhookEvent": "jira:issue_deleted",
        "issue": {"id": "1", "key": "SUP-1"},
    }));
    assert!(event.happenings().is_empty());
}

#[test]
fn attachments_added_in_the_update_are_named_by_id() {
    let event = parse(json!({
        "webhookEvent": "jira:issue_updated",
        "issue": {"id": "1", "key": "SUP-1"},
        "changelog": {"id": "9", "items": [
            {"field": "Attachment", "fieldId": "attachment", "from": null, "to": "10077",
             "toString": "invoice.pdf"},
            {"field": "Attachment", "fieldId": "attachment", "from": "10001", "to": null,
             "fromString": "old.pdf"},
            {"fieldId": "status", "fromString": "Open", "toString": "Done", "to": 3}
        ]}
    }));
    assert_eq!(event.added_attachments(), vec!["10077".to_owned()]);
    assert_eq!(event.changes[2].to_id.as_deref(), Some("3"));
}
