//! The `people` section: who ends up on an issue, who may open one, and whose replies are
//! trusted to comment.

use serde::{Deserialize, Serialize};

/// The people on a mail and the issue: who is a Jira user, who only has an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// A text custom field (by name or id) that records the people without a Jira account
    /// (`Name <address>`, comma-separated): how customers without accounts stay on the
    /// issue. Unset: they are named only in the attribution line.
    #[serde(default)]
    pub email_field: Option<String>,
    /// Other To/Cc recipients become watchers (Jira users) or go into `email_field`: on a
    /// new issue, and on a reply from the reporter or a participant those not on the issue
    /// yet (each address once). A reply from anyone else adds nobody (see `strangers`).
    #[serde(default = "yes")]
    pub participants: bool,
    /// At most this many participants per mail.
    #[serde(default = "ten")]
    pub max_participants: usize,
    /// On a Jira Service Management service project, a sender without a Jira account is
    /// made a JSM customer (or found as one) and the issue is raised as a request on their
    /// behalf, with the rule's `request_type`; they are its reporter and follow it in the
    /// portal. Other recipients without an account become customers too and join as
    /// request participants, instead of going into `email_field`. Off: every new issue is
    /// created plainly.
    #[serde(default)]
    pub jsm_customers: bool,
    /// Who may open a new issue by mail (`people.create`). Replies to existing issues are
    /// governed by `strangers` instead.
    #[serde(default)]
    pub create: CreatePolicy,
    /// What a reply from a stranger does (`people.strangers`: `hold`, the default,
    /// `internal`, `comment` or `reject`).
    ///
    /// A reply is trusted to comment when its sender is a participant of the issue: its
    /// reporter, assignee or a watcher (Jira users, matched by the sender's address), an
    /// address listed in the `email_field` value of the issue, or a request participant
    /// where the project is a Jira Service Management project; a participant's address
    /// whose authentication failed (a forged `From`) does not count. Any other Jira user
    /// found by the sender's address is trusted as well when the mail's authenticity
    /// passed (`trusted_authserv_id`) and Jira says the account may see the issue: agents
    /// and colleagues answer by mail without being on the issue, and an authenticated Jira
    /// account that may read the issue is as accountable as one on it — but one that may
    /// not (another team's private project) would otherwise learn of the answers
    /// by writing to it. Everyone else is a stranger. Whatever this says, a stranger's mail never
    /// adds anyone to the issue: issue keys are sequential, so otherwise anyone could
    /// subscribe any address to any issue and read the agents' answers.
    #[serde(default)]
    pub strangers: Strangers,
}

impl Default for People {
    fn default() -> Self {
        Self {
            comment: None,
            email_field: None,
            participants: true,
            max_participants: 10,
            jsm_customers: false,
            create: CreatePolicy::default(),
            strangers: Strangers::default(),
        }
    }
}

fn yes() -> bool {
    true
}

fn ten() -> usize {
    10
}

/// Who may open issues: address patterns written like a rule's `match.sender` (`*@example.com`,
/// a bare domain such as `example.com`, or `re:` and a regex).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePolicy {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Senders who may open issues (`people.create.allow`); empty allows everyone.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Senders who may not (`people.create.deny`); a sender on both lists is denied.
    #[serde(default)]
    pub deny: Vec<String>,
    /// What a mail that would open an issue from a refused sender becomes
    /// (`people.create.refused`).
    #[serde(default)]
    pub refused: Refused,
}

/// The action for a mail whose sender may not open issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refused {
    /// Refused, with a reason a notice to the sender can quote.
    #[default]
    Reject,
    /// Kept for an administrator to review.
    Hold,
    /// Nothing is done; the report says why.
    Ignore,
}

/// The action for a reply from someone who is not a participant of the issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strangers {
    /// Kept in the audit with its reason until an administrator releases it (`postroom
    /// audit release ID`), which makes it a comment: the safe default, since nothing a
    /// stranger writes reaches the people unseen.
    #[default]
    Hold,
    /// An internal comment on a service project; elsewhere a comment restricted by the
    /// rule's `comment_visibility` (which the profile must then set).
    Internal,
    /// Comment all the same (the default before `hold`), without adding anyone.
    Comment,
    /// Refused, with a reason a notice to the sender can quote.
    Reject,
}

impl Strangers {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hold => "hold",
            Self::Internal => "internal",
            Self::Comment => "comment",
            Self::Reject => "reject",
        }
    }
}
