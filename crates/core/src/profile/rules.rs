//! Routing rules as written in the profile: a `match` that selects mail and a `then` that
//! says what becomes of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One routing rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Name shown in the processing report; `rules[i]` when empty.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text for the reader.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `false` switches the rule off without deleting it: it is still checked (so that
    /// switching it on cannot reveal a mistake) but never matches. Left out of the JSON
    /// when true, so documents without it stay as they were.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Every condition given must hold; an empty `match` matches everything.
    #[serde(default, rename = "match")]
    pub matches: Match,
    /// What the rule decides; unset keys come from the profile's `default`.
    #[serde(default)]
    pub then: Then,
}

impl Default for Rule {
    fn default() -> Self {
        Self {
            name: None,
            comment: None,
            enabled: true,
            matches: Match::default(),
            then: Then::default(),
        }
    }
}

fn yes() -> bool {
    true
}

/// serde's `skip_serializing_if` passes a reference.
fn is_true(value: &bool) -> bool {
    *value
}

/// Conditions of a rule. Address patterns are globs (`*@example.com`) or, prefixed with
/// `re:`, regular expressions; a pattern without `@` is matched against the domain alone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Any recipient (To, Cc, Delivered-To) fits one of these.
    #[serde(default)]
    pub recipient: Vec<String>,
    /// The sender (From) fits one of these.
    #[serde(default)]
    pub sender: Vec<String>,
    /// Regex searched in the subject as sent (case-sensitive unless it says `(?i)`).
    #[serde(default)]
    pub subject: Option<String>,
    /// Header name → regex searched in any field of that name.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The classification is one of these (`human`, `auto_reply`, `bounce`, `list`, `spam`,
    /// `loop`).
    #[serde(default)]
    pub classification: Vec<String>,
    /// Sender authenticity is this (`pass`, `fail`, `none`).
    #[serde(default)]
    pub authenticity: Option<String>,
}

/// What a rule decides. Every key is optional so that a rule states only what differs from
/// the profile's `default`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Then {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// What to do with human mail: `process` (the default) creates or comments.
    #[serde(default)]
    pub action: Option<RuleAction>,
    /// Reason given with `ignore`, `hold` or `reject`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Jira project key for new issues.
    #[serde(default)]
    pub project: Option<String>,
    /// Issue type name for new issues.
    #[serde(default)]
    pub issue_type: Option<String>,
    /// Jira Service Management request type id for new issues raised on behalf of a
    /// customer (`people.jsm_customers`); without it a new issue is created plainly.
    #[serde(default)]
    pub request_type: Option<String>,
    /// Priority name.
    #[serde(default)]
    pub priority: Option<String>,
    /// Labels added to new issues.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// Component names of new issues.
    #[serde(default)]
    pub components: Option<Vec<String>>,
    /// Custom field defaults by field name.
    #[serde(default)]
    pub fields: Option<BTreeMap<String, serde_json::Value>>,
    /// Who becomes the reporter: `sender` makes a sender who is a Jira user (and whose
    /// authenticity passed) the reporter when postroom's account may set reporters;
    /// otherwise, and for any other value, postroom's own account reports the issue.
    #[serde(default)]
    pub reporter: Option<String>,
    /// Comment visibility (a role or group name); public when unset.
    #[serde(default)]
    pub comment_visibility: Option<String>,
    /// Post the whole text of the mail (quoted history and signature kept) instead of
    /// only its new text.
    #[serde(default)]
    pub full_text: Option<bool>,
    /// Attach the original mail to the issue as an `.eml` file.
    #[serde(default)]
    pub attach_original: Option<bool>,
    /// What a reply to a resolved or closed issue does: `comment` (the default), `reopen`
    /// (comment, then the `reopen_transition`), or `new_issue` (a new issue in this rule's
    /// project, linked to the old one as "Relates").
    #[serde(default)]
    pub on_closed: Option<OnClosedRule>,
    /// The transition a `reopen` takes, by name (default `Reopen`).
    #[serde(default)]
    pub reopen_transition: Option<String>,
    /// Which attachments are uploaded (signature files and small inline images are left
    /// out by default).
    #[serde(default)]
    pub attachments: Option<crate::attachments::AttachmentPolicy>,
    /// Send the profile's `acknowledgement` for issues this rule creates (default:
    /// `acknowledgement.enabled`).
    #[serde(default)]
    pub acknowledge: Option<bool>,
    /// What to do with automatic mail.
    #[serde(default)]
    pub handling: Handling,
}

/// What a reply to a resolved or closed issue does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnClosedRule {
    /// Comment and leave the issue as it is.
    Comment,
    /// Comment, then reopen it.
    Reopen,
    /// Open a new issue linked to the closed one.
    NewIssue,
}

/// The action a rule takes for human mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    /// Comment on the matched issue, or create one.
    Process,
    /// Do nothing, with a report.
    Ignore,
    /// Keep for review.
    Hold,
    /// Refuse, with a reason.
    Reject,
}

/// Handling of each automatic class. Automatic mail never creates an issue: the strongest
/// handling available is `comment`, which adds it to an issue it threads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handling {
    /// Delivery failures.
    #[serde(default)]
    pub bounce: Option<Handle>,
    /// Vacation notices and other automatic answers.
    #[serde(default)]
    pub auto_reply: Option<Handle>,
    /// Mailing-list traffic.
    #[serde(default)]
    pub list: Option<Handle>,
    /// Spam.
    #[serde(default)]
    pub spam: Option<Handle>,
    /// Senders over the flood threshold (default `hold`).
    #[serde(default)]
    pub flood: Option<Handle>,
}

/// What happens to automatic mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handle {
    /// Do nothing, with a report (the default).
    Ignore,
    /// Keep for review.
    Hold,
    /// Refuse.
    Reject,
    /// Comment on the issue it threads to; ignored when it threads to none.
    Comment,
}

impl Handle {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ignore => "ignore",
            Self::Hold => "hold",
            Self::Reject => "reject",
            Self::Comment => "comment",
        }
    }
}
