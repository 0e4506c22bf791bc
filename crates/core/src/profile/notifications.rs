//! The profile's `notifications` section: which Jira events become mail, to whom, and in
//! what words.
//!
//! A rule names projects (none: all), the events it wants and the people it tells; every
//! rule that wants an event contributes its people, and each person gets one mail per
//! event (the first rule that names them decides the wording). The section is also the
//! webhook receiver's filter: an event no rule wants is answered and forgotten.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `notifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The `From` address; the first of `own.addresses` when unset.
    #[serde(default)]
    pub from: Option<String>,
    /// The display name in `From`, e.g. `ACME Support`.
    #[serde(default)]
    pub from_name: Option<String>,
    /// `Reply-To`: the mailbox whose mail postroom reads, so that answers come back to the
    /// issue; the first of `own.addresses` when unset.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// At most this many people are told of one event; the rest are named in the log.
    #[serde(default = "fifty")]
    pub max_recipients: u32,
    /// Files added in the event are attached up to this many bytes in all per mail; the
    /// rest are linked.
    #[serde(default = "five_megabytes")]
    pub attach_max_bytes: u64,
    /// The rules, in order.
    #[serde(default)]
    pub rules: Vec<NotificationRule>,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            comment: None,
            from: None,
            from_name: None,
            reply_to: None,
            max_recipients: fifty(),
            attach_max_bytes: five_megabytes(),
            rules: Vec::new(),
        }
    }
}

fn fifty() -> u32 {
    50
}

fn five_megabytes() -> u64 {
    5 * 1024 * 1024
}

/// One notification rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationRule {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// A name for reports; `notifications.rules[i]` when unset.
    #[serde(default)]
    pub name: Option<String>,
    /// Project keys; empty means every project.
    #[serde(default)]
    pub projects: Vec<String>,
    /// The events the rule wants.
    pub events: Vec<EventKind>,
    /// Who is told.
    pub to: Vec<Audience>,
    /// Template of the subject; `[KEY] summary` when unset.
    #[serde(default)]
    pub subject: Option<String>,
    /// Template of the plain-text part; postroom's default when unset.
    #[serde(default)]
    pub text: Option<String>,
    /// Template of the HTML part (values are HTML-escaped); postroom's default when unset.
    #[serde(default)]
    pub html: Option<String>,
}

impl NotificationRule {
    /// Whether the rule wants `kind` in `project`.
    pub fn wants(&self, project: &str, kind: EventKind) -> bool {
        self.events.contains(&kind)
            && (self.projects.is_empty()
                || self
                    .projects
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(project)))
    }
}

/// What happened on an issue, as far as notifications care. Jira Cloud's webhooks only
/// say "created" or "updated"; the changes come from the changelog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The issue was created.
    IssueCreated,
    /// A comment was added.
    CommentAdded,
    /// A comment was edited.
    CommentEdited,
    /// The status changed (any transition).
    StatusChanged,
    /// The issue got a resolution.
    Resolved,
    /// The assignee changed.
    AssigneeChanged,
    /// The priority changed.
    PriorityChanged,
}

impl EventKind {
    /// The name used in the profile and in templates (`event.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IssueCreated => "issue_created",
            Self::CommentAdded => "comment_added",
            Self::CommentEdited => "comment_edited",
            Self::StatusChanged => "status_changed",
            Self::Resolved => "resolved",
            Self::AssigneeChanged => "assignee_changed",
            Self::PriorityChanged => "priority_changed",
        }
    }
}

/// One kind of recipient, written as a string in the profile: `reporter`, `participants`
/// (the e-mail-only people of `people.email_field`), `watchers`, `assignee`,
/// `group:NAME` (the group's active members) or `address:someone@example.com`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Audience {
    /// The issue's reporter.
    Reporter,
    /// The addresses in the participants field (`people.email_field`).
    Participants,
    /// The issue's watchers.
    Watchers,
    /// The assignee.
    Assignee,
    /// The members of a Jira group.
    Group(String),
    /// A fixed address.
    Address(String),
}

impl TryFrom<String> for Audience {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Ok(match text.as_str() {
            "reporter" => Self::Reporter,
            "participants" => Self::Participants,
            "watchers" => Self::Watchers,
            "assignee" => Self::Assignee,
            other => match (other.strip_prefix("address:"), other.strip_prefix("group:")) {
                (Some(address), _) if !address.trim().is_empty() => {
                    Self::Address(address.trim().to_owned())
                }
                (_, Some(group)) if !group.trim().is_empty() => {
                    Self::Group(group.trim().to_owned())
                }
                _ => {
                    return Err(format!(
                        "unknown recipient {other:?}: use reporter, participants, watchers, \
                         assignee, group:NAME or address:someone@example.com"
                    ));
                }
            },
        })
    }
}

impl From<Audience> for String {
    fn from(audience: Audience) -> Self {
        audience.to_string()
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reporter => f.write_str("reporter"),
            Self::Participants => f.write_str("participants"),
            Self::Watchers => f.write_str("watchers"),
            Self::Assignee => f.write_str("assignee"),
            Self::Group(g) => write!(f, "group:{g}"),
            Self::Address(a) => write!(f, "address:{a}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_read_and_write_as_strings() {
        let rule: NotificationRule = serde_json::from_str(
            r#"{"events": ["comment_added", "resolved"],
                "to": ["reporter", "participants", "address:desk@acme.example", "group:jira-staff"]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rule.to,
            vec![
                Audience::Reporter,
                Audience::Participants,
                Audience::Address("desk@acme.example".to_owned()),
                Audience::Group("jira-staff".to_owned())
            ]
        );
        let back = serde_json::to_value(&rule).unwrap_or_default();
        assert_eq!(back["to"][2], "address:desk@acme.example");
        assert_eq!(back["events"][1], "resolved");
    }

    #[test]
    fn unknown_recipients_and_events_are_refused() {
        for bad in [
            r#"{"events": ["comment_added"], "to": ["everyone"]}"#,
            r#"{"events": ["comment_added"], "to": ["address:"]}"#,
            r#"{"events": ["comment_added"], "to": ["group: "]}"#,
            r#"{"events": ["issue_deleted"], "to": ["reporter"]}"#,
        ] {
            assert!(
                serde_json::from_str::<NotificationRule>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_rule_without_projects_wants_every_project() {
        let mut rule: NotificationRule =
            serde_json::from_str(r#"{"events": ["resolved"], "to": ["reporter"]}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(rule.wants("SUP", EventKind::Resolved));
        assert!(!rule.wants("SUP", EventKind::CommentAdded));
        rule.projects = vec!["sup".to_owned()];
        assert!(rule.wants("SUP", EventKind::Resolved));
        assert!(!rule.wants("OPS", EventKind::Resolved));
    }
}
