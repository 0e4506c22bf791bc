//! A Jira webhook body read into what notifications need, and the events it stands for.
//!
//! Jira Cloud and Data Center both send `webhookEvent`, `user`, `issue` and, depending on
//! the event, `comment` and `changelog`. Only those keys are read (serde skips the rest
//! without building it), which keeps the receiver's filter cheap.

use serde::Deserialize;
use serde_json::Value;

use crate::adf::{Doc, to_text};
use crate::profile::EventKind;

/// Why a body is not a Jira webhook.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Not JSON of the expected shape.
    #[error("not a Jira webhook body: {0}")]
    Shape(String),
    /// A key every issue webhook carries is missing.
    #[error("not a Jira issue webhook: {0} is missing")]
    Missing(&'static str),
}

/// Who may read a comment, as Jira says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restriction {
    /// Everyone who can see the issue.
    Public,
    /// A Jira Service Management internal comment (`jsdPublic: false`): agents only.
    Internal,
    /// Members of a group.
    Group(String),
    /// Holders of a project role.
    Role(String),
}

/// The comment of a comment event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventComment {
    pub id: String,
    /// The body as the site sent it (wiki markup or ADF); [`EventComment::body`] reads it
    /// as text only when a mail is written, not for the receiver's filter.
    body: Option<Value>,
    pub author_name: Option<String>,
    pub restriction: Restriction,
}

impl EventComment {
    /// Plain text of the body.
    pub fn body(&self) -> String {
        body_text(self.body.as_ref())
    }
}

/// One changed field of the changelog, by display values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Field id (`status`, `assignee`, `customfield_10050`), or its name when Jira sent none.
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The raw new value (an attachment's id for `attachment`).
    pub to_id: Option<String>,
}

/// A webhook delivery, read.
#[derive(Debug, Clone, PartialEq)]
pub struct JiraEvent {
    /// `webhookEvent`, e.g. `comment_created`.
    pub webhook_event: String,
    pub issue_id: String,
    pub issue_key: String,
    pub project_key: String,
    /// The account that caused the event (`accountId` on Cloud, the user name on Data
    /// Center): never told of their own doing.
    pub actor: Option<String>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub comment: Option<EventComment>,
    pub changelog_id: Option<String>,
    pub changes: Vec<Change>,
    /// `timestamp`, which names an update when the changelog has no id.
    pub timestamp: Option<i64>,
}

/// One thing a delivery says happened, with a key that is the same however often and by
/// however many webhooks it is delivered: Jira sends a comment both as `comment_created`
/// and as `jira:issue_updated`, and retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Happening {
    pub kind: EventKind,
    /// e.g. `comment:10042:comment_added`.
    pub key: String,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "webhookEvent")]
    webhook_event: Option<String>,
    timestamp: Option<i64>,
    issue_event_type_name: Option<String>,
    user: Option<UserBody>,
    issue: Option<IssueBody>,
    comment: Option<CommentBody>,
    changelog: Option<ChangelogBody>,
}

#[derive(Deserialize)]
struct UserBody {
    #[serde(rename = "accountId")]
    account_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    #[serde(rename = "emailAddress")]
    email: Option<String>,
}

impl UserBody {
    fn id(&self) -> Option<String> {
        self.account_id.clone().or_else(|| self.name.clone())
    }
}

#[derive(Deserialize)]
struct IssueBody {
    id: Option<Value>,
    key: Option<String>,
    fields: Option<IssueFields>,
}

#[derive(Deserialize)]
struct IssueFields {
    project: Option<ProjectBody>,
}

#[derive(Deserialize)]
struct ProjectBody {
    key: Option<String>,
}

#[derive(Deserialize)]
struct CommentBody {
    id: Option<Value>,
    body: Option<Value>,
    author: Option<UserBody>,
    visibility: Option<VisibilityBody>,
    #[serde(rename = "jsdPublic")]
    jsd_public: Option<bool>,
}

#[derive(Deserialize)]
struct VisibilityBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    value: Option<String>,
    identifier: Option<String>,
}

#[derive(Deserialize)]
struct ChangelogBody {
    id: Option<Value>,
    #[serde(default)]
    items: Vec<ItemBody>,
}

#[derive(Deserialize)]
struct ItemBody {
    field: Option<String>,
    #[serde(rename = "fieldId")]
    field_id: Option<String>,
    #[serde(rename = "fromString")]
    from_string: Option<String>,
    #[serde(rename = "toString")]
    to_string: Option<String>,
    to: Option<Value>,
}

/// An id Jira sends as a string or a number.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn body_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(markup)) => crate::wiki::to_text(markup),
        Some(v @ Value::Object(_)) => serde_json::from_value::<Doc>(v.clone())
            .map(|doc| to_text(&doc))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

impl JiraEvent {
    /// Reads a webhook body.
    pub fn parse(body: &[u8]) -> Result<Self, EventError> {
        let body: Body =
            serde_json::from_slice(body).map_err(|e| EventError::Shape(e.to_string()))?;
        let webhook_event = body
            .webhook_event
            .filter(|e| !e.is_empty())
            .ok_or(EventError::Missing("webhookEvent"))?;
        let issue = body.issue.ok_or(EventError::Missing("issue"))?;
        let issue_id = id_text(issue.id.as_ref()).ok_or(EventError::Missing("issue.id"))?;
        let issue_key = issue
            .key
            .filter(|k| !k.is_empty())
            .ok_or(EventError::Missing("issue.key"))?;
        // Comment events on Cloud carry a slimmed issue; the key's prefix is the project.
        let project_key = issue
            .fields
            .and_then(|f| f.project)
            .and_then(|p| p.key)
            .or_else(|| issue_key.split_once('-').map(|(p, _)| p.to_owned()))
            .ok_or(EventError::Missing("issue.fields.project.key"))?;
        let comment = body.comment.and_then(|c| {
            let restriction = match (c.jsd_public, c.visibility) {
                (Some(false), _) => Restriction::Internal,
                (_, Some(v)) => {
                    let name = v.value.or(v.identifier).unwrap_or_default();
                    match v.kind.as_deref() {
                        Some("group") => Restriction::Group(name),
                        // Any other kind of restriction (a role, or one postroom does not
                        // know) is read as a role: the stricter reading.
                        _ => Restriction::Role(name),
                    }
                }
                _ => Restriction::Public,
            };
            Some(EventComment {
                id: id_text(c.id.as_ref())?,
                body: c.body,
                author_name: c.author.and_then(|a| a.display_name),
                restriction,
            })
        });
        let (changelog_id, changes) = match body.changelog {
            Some(log) => (
                id_text(log.id.as_ref()),
                log.items
                    .into_iter()
                    .filter_map(|item| {
                        Some(Change {
                            field: item.field_id.or(item.field)?,
                            from: item.from_string.filter(|s| !s.is_empty()),
                            to: item.to_string.filter(|s| !s.is_empty()),
                            to_id: id_text(item.to.as_ref()),
                        })
                    })
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        let commented = body.issue_event_type_name.as_deref() == Some("issue_commented");
        let webhook_event = if webhook_event == "jira:issue_updated" && commented {
            // Data Center and admin webhooks that ask only for issue updates learn of a
            // comment this way; it is the same comment as `comment_created`.
            "comment_created".to_owned()
        } else {
            webhook_event
        };
        let (actor, actor_name, actor_email) = match &body.user {
            Some(u) => (u.id(), u.display_name.clone(), u.email.clone()),
            None => (None, None, None),
        };
        Ok(Self {
            webhook_event,
            issue_id,
            issue_key,
            project_key,
            actor,
            actor_name,
            actor_email,
            comment,
            changelog_id,
            changes,
            timestamp: body.timestamp,
        })
    }

    /// The ids of attachments the delivery's changelog says were added (Jira names the
    /// field `attachment` by id and `Attachment` by name).
    pub fn added_attachments(&self) -> Vec<String> {
        self.changes
            .iter()
            .filter(|c| c.field.eq_ignore_ascii_case("attachment"))
            .filter_map(|c| c.to_id.clone())
            .collect()
    }

    /// What the delivery says happened, in a stable order.
    pub fn happenings(&self) -> Vec<Happening> {
        let mut out = Vec::new();
        match self.webhook_event.as_str() {
            "jira:issue_created" => out.push(Happening {
                kind: EventKind::IssueCreated,
                key: "created".to_owned(),
            }),
            "comment_created" | "comment_updated" => {
                if let Some(comment) = &self.comment {
                    let kind = if self.webhook_event == "comment_created" {
                        EventKind::CommentAdded
                    } else {
                        EventKind::CommentEdited
                    };
                    // An edit is keyed by the delivery's time: each edit is news once.
                    let when = match kind {
                        EventKind::CommentEdited => {
                            format!(":{}", self.timestamp.unwrap_or_default())
                        }
                        _ => String::new(),
                    };
                    out.push(Happening {
                        kind,
                        key: format!("comment:{}:{}{when}", comment.id, kind.as_str()),
                    });
                }
            }
            "jira:issue_updated" => {
                let update = self
                    .changelog_id
                    .clone()
                    .unwrap_or_else(|| format!("t{}", self.timestamp.unwrap_or_default()));
                let mut push = |kind: EventKind| {
                    if !out.iter().any(|h: &Happening| h.kind == kind) {
                        out.push(Happening {
                            kind,
                            key: format!("update:{update}:{}", kind.as_str()),
                        });
                    }
                };
                for change in &self.changes {
                    match change.field.as_str() {
                        "status" => push(EventKind::StatusChanged),
                        "resolution" if change.to.is_some() => push(EventKind::Resolved),
                        "assignee" => push(EventKind::AssigneeChanged),
                        "priority" => push(EventKind::PriorityChanged),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
