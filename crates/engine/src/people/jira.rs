//! The part of a person's data that lives in Jira: postroom lists it, since Jira's data is
//! the site's to erase, and clears one kind itself on request — the address in the
//! profile's e-mail field (`people.email_field`), which postroom wrote there.

use std::collections::BTreeSet;

use postroom_core::plan::email_field;
use postroom_core::ports::tracker::{IssueUpdate, Tracker};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Found, FoundBy, FoundMessage};

/// An issue the person's mail became, or was added to as a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JiraIssue {
    pub key: String,
    /// Their mail created it (its description starts with who wrote it).
    pub created: bool,
    /// Comments their mail became.
    pub comments: Vec<String>,
}

/// An issue whose e-mail field holds the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldHit {
    pub key: String,
    /// The field's id.
    pub field: String,
    /// postroom removed the address from it (`--jira`).
    pub cleared: bool,
    /// Why it could not be cleared.
    pub error: Option<String>,
}

/// What lives in Jira.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JiraPart {
    pub issues: Vec<JiraIssue>,
    pub email_fields: Vec<FieldHit>,
    /// Why the e-mail fields were not (all) checked, when they were not.
    pub note: Option<String>,
}

impl JiraPart {
    /// The issues and comments the person's own mails among `messages` became (a mail
    /// that only names them made someone else's issue).
    pub(super) fn of(messages: &[FoundMessage]) -> Self {
        let mut issues: Vec<JiraIssue> = Vec::new();
        for message in messages.iter().filter(|m| m.found_by == FoundBy::Address) {
            let Some(key) = &message.issue_key else {
                continue;
            };
            let at = match issues.iter().position(|i| &i.key == key) {
                Some(at) => at,
                None => {
                    issues.push(JiraIssue {
                        key: key.clone(),
                        created: false,
                        comments: Vec::new(),
                    });
                    issues.len() - 1
                }
            };
            let issue = &mut issues[at];
            match (&message.comment_id, message.status.as_str()) {
                (Some(comment), _) => issue.comments.push(comment.clone()),
                (None, "created") => issue.created = true,
                _ => {}
            }
        }
        Self {
            issues,
            email_fields: Vec::new(),
            note: None,
        }
    }
}

impl Found {
    /// Looks in Jira for the e-mail field values naming the person, on every issue a
    /// record names, and with `clear` removes the address from each (other entries stay).
    /// Never fails: what could not be checked or cleared is said in the answer.
    pub async fn check_jira<T: Tracker>(&mut self, tracker: &T, field: Option<&str>, clear: bool) {
        let Some(address) = self.address().map(|a| a.as_str().to_owned()) else {
            return;
        };
        let Some(field) = field else {
            self.jira.note =
                Some("the profile names no e-mail field (people.email_field)".to_owned());
            return;
        };
        let id = match tracker.fields().await {
            Ok(list) => crate::inbound::fields::find(&list, field).map(|f| f.id.clone()),
            Err(e) => {
                self.jira.note = Some(format!("Jira's fields could not be read: {e}"));
                return;
            }
        };
        let Some(id) = id else {
            self.jira.note = Some(format!(
                "people.email_field names {field:?}, which Jira does not have"
            ));
            return;
        };
        let keys: BTreeSet<String> = self.issue_keys();
        let mut unread = Vec::new();
        for key in keys {
            let text = match tracker.get_issue(&key, &[id.as_str()]).await {
                Ok(issue) => issue
                    .fields
                    .get(&id)
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                Err(e) => {
                    unread.push(format!("{key} ({e})"));
                    continue;
                }
            };
            let Some(rest) = text
                .as_deref()
                .and_then(|t| email_field::without(t, &address))
            else {
                continue;
            };
            let mut hit = FieldHit {
                key: key.clone(),
                field: id.clone(),
                cleared: false,
                error: None,
            };
            if clear {
                let value = if rest.is_empty() {
                    Value::Null
                } else {
                    Value::String(rest)
                };
                let mut fields = Map::new();
                fields.insert(id.clone(), value);
                let update = IssueUpdate {
                    fields,
                    rich_text: Vec::new(),
                };
                match tracker.edit_issue(&key, &update).await {
                    Ok(()) => hit.cleared = true,
                    Err(e) => hit.error = Some(e.to_string()),
                }
            }
            self.jira.email_fields.push(hit);
        }
        if !unread.is_empty() {
            self.jira.note = Some(format!(
                "these issues could not be read: {}",
                unread.join(", ")
            ));
        }
    }
}
