//! Notifications: Jira events told by mail to the people a rule names.
//!
//! The flow (see DESIGN.md §2): the webhook receiver reads the body ([`JiraEvent`]) and
//! asks [`wanted`] whether any rule of the tenant cares — if not, nothing is stored. A job
//! later looks the people up in Jira, [`audience::choose`]s the recipients, renders each
//! one's mail ([`NotifyTemplates`], with [`variables`]) and seals the result
//! ([`NotificationFacts`]); a send job per recipient writes and sends it.

pub mod audience;
pub mod event;
mod message;
pub mod preview;
mod settings;
pub mod signature;

pub use audience::{Actor, Chosen, LeftOut, Person, Source, choose};
pub use event::{Change, EventComment, EventError, Happening, JiraEvent, Restriction};
pub use message::{
    AttachedFile, ComposeError, DEFAULT_HTML, DEFAULT_SUBJECT, DEFAULT_TEXT, NotificationFacts,
    NotifyTemplates, TemplatePartError, Words, schema,
};
pub use settings::{CompiledNotifications, SettingsError};

use serde_json::json;

use crate::profile::{EventKind, Notifications};
use crate::template::RenderContext;

/// Whether any rule of `settings` wants something `event` says happened: the receiver's
/// test for storing a delivery at all.
pub fn wanted(settings: &Notifications, event: &JiraEvent) -> bool {
    let happenings = event.happenings();
    settings.rules.iter().any(|rule| {
        happenings
            .iter()
            .any(|h| rule.wants(&event.project_key, h.kind))
    })
}

/// One sentence saying what happened, for `event.summary`: "Status changed from Open to
/// Done." Values are Jira's display names.
pub fn summary(kind: EventKind, event: &JiraEvent) -> String {
    let change = |field: &str| event.changes.iter().find(|c| c.field == field);
    let actor = event.actor_name.as_deref().unwrap_or("Someone");
    match kind {
        EventKind::IssueCreated => format!("{} was opened.", event.issue_key),
        EventKind::CommentAdded => format!("{actor} commented."),
        EventKind::CommentEdited => format!("{actor} edited a comment."),
        EventKind::StatusChanged => match change("status") {
            Some(Change {
                from: Some(from),
                to: Some(to),
                ..
            }) => format!("Status changed from {from} to {to}."),
            Some(Change { to: Some(to), .. }) => format!("Status changed to {to}."),
            _ => "The status changed.".to_owned(),
        },
        EventKind::Resolved => match change("resolution").and_then(|c| c.to.as_deref()) {
            Some(resolution) => format!("Resolved: {resolution}."),
            None => "Resolved.".to_owned(),
        },
        EventKind::AssigneeChanged => match change("assignee").and_then(|c| c.to.as_deref()) {
            Some(name) => format!("Assigned to {name}."),
            None => "No longer assigned.".to_owned(),
        },
        EventKind::PriorityChanged => match change("priority") {
            Some(Change {
                from: Some(from),
                to: Some(to),
                ..
            }) => format!("Priority changed from {from} to {to}."),
            _ => "The priority changed.".to_owned(),
        },
    }
}

/// A file added in the event, for `event.attachments`: attached to the mail when it fits
/// the size cap, else only linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    pub name: String,
    pub size: u64,
    pub link: Option<String>,
    pub attached: bool,
}

/// The recipient's part of the variables.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub name: Option<&'a str>,
    pub address: &'a str,
    /// The address replies go to (the mailbox), for `reply.hint`.
    pub reply_address: Option<&'a str>,
}

/// The variables of one recipient's mail: the issue's (built once by
/// [`crate::template::IssueContext`]) plus the event, comment, actor and reader.
pub fn variables(
    issue: &RenderContext,
    kind: EventKind,
    event: &JiraEvent,
    reader: Reader<'_>,
    files: &[FileLink],
) -> RenderContext {
    let mut context = issue.clone();
    context.insert(
        "event",
        json!({
            "kind": kind.as_str(),
            "summary": summary(kind, event),
            "changes": event.changes.iter().map(|c| json!({
                "field": c.field, "from": c.from, "to": c.to,
            })).collect::<Vec<_>>(),
            "attachments": files.iter().map(|f| json!({
                "name": f.name, "size": f.size, "link": f.link, "attached": f.attached,
            })).collect::<Vec<_>>(),
        }),
    );
    if let Some(comment) = &event.comment {
        context.insert(
            "comment",
            json!({"body": comment.body(), "author": comment.author_name}),
        );
    }
    context.insert("actor", json!({ "display_name": event.actor_name }));
    context.insert(
        "recipient",
        json!({"name": reader.name, "email": reader.address}),
    );
    let hint = format!(
        "Reply to this e-mail to add a comment to {}; keep [{}] in the subject.",
        event.issue_key, event.issue_key
    );
    context.insert(
        "reply",
        json!({"address": reader.reply_address, "hint": hint}),
    );
    context
}
