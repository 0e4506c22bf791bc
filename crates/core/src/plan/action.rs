//! The one action a plan ends in, as the engine carries it out and the JSON shows it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::attachments::Kept;

/// What postroom does with a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A new issue.
    CreateIssue {
        /// Why.
        reason: String,
        /// Project key.
        project: String,
        /// Issue type name.
        issue_type: String,
        /// The JSM request type, for a request raised on behalf of a customer
        /// (`people.jsm_customers`).
        request_type: Option<String>,
        /// One line, at most 255 characters.
        summary: String,
        /// The new text of the message, directives removed.
        body: String,
        /// Field name → value (`priority`, `labels`, custom fields, ...).
        fields: BTreeMap<String, serde_json::Value>,
        /// The attachments to upload (shown as their names).
        attachments: Vec<Kept>,
        /// Other people on the mail (To/Cc, not postroom's own, not the sender).
        participants: Vec<String>,
        /// The sender, to become the reporter under `reporter_policy`.
        reporter: Option<String>,
        /// Name of the reporter policy from the rule.
        reporter_policy: Option<String>,
        /// Attach the original mail as an `.eml` file.
        attach_original: bool,
        /// Answer the sender with the profile's acknowledgement once the issue exists.
        acknowledge: bool,
    },
    /// A comment on an existing issue.
    AddComment {
        /// Why.
        reason: String,
        /// The issue.
        issue_key: String,
        /// The new text of the message, directives removed.
        body: String,
        /// Who wrote it (the sender's address).
        attribution: Option<String>,
        /// Role or group the comment is restricted to; public when null.
        visibility: Option<String>,
        /// An internal note on a service project (a stranger's reply under
        /// `people.strangers: internal`); shown only when true.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        internal: bool,
        /// The attachments to upload (shown as their names).
        attachments: Vec<Kept>,
        /// Fields changed by directives.
        fields: BTreeMap<String, serde_json::Value>,
        /// Attach the original mail as an `.eml` file.
        attach_original: bool,
        /// What to do when the issue turns out to be resolved or closed.
        on_closed: OnClosed,
        /// Other people on the mail (To/Cc, not postroom's own, not the sender); those not
        /// yet on the issue join it like the participants of a new issue.
        participants: Vec<String>,
    },
    /// Nothing is done; the report says why.
    Ignore {
        /// Why.
        reason: String,
    },
    /// Kept for an administrator to review.
    Hold {
        /// Why.
        reason: String,
    },
    /// Refused.
    Reject {
        /// Why.
        reason: String,
        /// Answer the sender with the profile's notice quoting `reason`: only for a reason
        /// written for the sender (`people.create`, `people.strangers`), with `notice`
        /// enabled, and to mail that may be answered at all.
        notice: bool,
    },
}

/// What a comment does when its issue is resolved or closed (Jira's status category
/// "done"); the engine finds that out, since core cannot see the issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum OnClosed {
    /// Comment all the same.
    Comment,
    /// Comment, then take this transition (by name).
    Reopen {
        /// e.g. `Reopen`.
        transition: String,
    },
    /// Create a new issue instead, linked to the closed one ("Relates").
    NewIssue {
        /// Project key.
        project: String,
        /// Issue type name.
        issue_type: String,
        /// Summary of the new issue.
        summary: String,
    },
}

impl Action {
    /// `create_issue`, `add_comment`, `ignore`, `hold` or `reject`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CreateIssue { .. } => "create_issue",
            Self::AddComment { .. } => "add_comment",
            Self::Ignore { .. } => "ignore",
            Self::Hold { .. } => "hold",
            Self::Reject { .. } => "reject",
        }
    }

    /// Why this action was chosen.
    pub fn reason(&self) -> &str {
        match self {
            Self::CreateIssue { reason, .. }
            | Self::AddComment { reason, .. }
            | Self::Ignore { reason }
            | Self::Hold { reason }
            | Self::Reject { reason, .. } => reason,
        }
    }
}
