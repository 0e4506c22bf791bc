//! The profile: the one document in which a tenant configures postroom.
//!
//! It is plain serde data, read from JSON or TOML, so that it can be exported, diffed and
//! imported without any secret in it: which addresses are postroom's own, the ordered
//! routing rules, directive settings, thread matching and thresholds, the acknowledgement,
//! the notifications and the tenant's mailboxes. Export and import carry every section as
//! it is, so a new section needs no export code (only [`Profile::jira_references`] learns
//! what a new section names in Jira).
//!
//! A document is only used after [`Profile::check`], which compiles every pattern once and
//! returns *every* mistake with its JSON path, so that an administrator can fix a profile in
//! one pass instead of one error at a time.

mod check;
mod document;
pub mod mailboxes;
mod notifications;
mod outbound;
mod ownership;
mod pattern;
mod people;
mod references;
mod rules;
pub mod tester;

pub(crate) use check::DIRECTIVES;
pub use check::{CheckedProfile, CheckedRule, ProfileErrors, ValidationError};
pub use document::{DOCUMENT_VERSION, ProfileDocument, ReadProfile};
pub use mailboxes::ProfileMailbox;
pub use notifications::{Audience, EventKind, NotificationRule, Notifications};
pub use outbound::{Acknowledgement, Bounces, Notice};
pub use pattern::Pattern;
pub use people::{CreatePolicy, People, Refused, Strangers};
pub use references::{JiraKind, JiraReference};
pub use rules::{Handle, Handling, Match, OnClosedRule, Rule, RuleAction, Then};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The tenant's configuration document (inbound part).
///
/// Unknown keys are refused, so that a misspelt key is an error rather than a silently
/// ignored setting. A `"//"` key holds a free comment, because JSON has no comments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Free text for the reader of the document; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Addresses and domains that are postroom's own: never treated as people.
    #[serde(default)]
    pub own: Own,
    /// Routing rules, tried in order; the first whose `match` fits decides.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// What applies when no rule matches, and the base every rule's `then` extends.
    #[serde(default)]
    pub default: Then,
    /// Which `#name=value` lines at the top of a body are obeyed, and for whom.
    #[serde(default)]
    pub directives: DirectiveSettings,
    /// How a message is matched to an existing issue.
    #[serde(default)]
    pub threading: Threading,
    /// The authserv-id of the receiving MTA whose `Authentication-Results` are trusted;
    /// without it no sender counts as authentic (and no directive is obeyed).
    #[serde(default)]
    pub trusted_authserv_id: Option<String>,
    /// Limits that turn ordinary mail into held or spam mail.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// How the people on a mail end up on the issue.
    #[serde(default)]
    pub people: People,
    /// The automatic answer to a person whose mail opened an issue.
    #[serde(default)]
    pub acknowledgement: Acknowledgement,
    /// The automatic answer to a person whose mail was refused.
    #[serde(default)]
    pub notice: Notice,
    /// When bounces of postroom's own mail suppress an address.
    #[serde(default)]
    pub bounces: Bounces,
    /// Which Jira events are told by mail, to whom and in what words.
    #[serde(default)]
    pub notifications: Notifications,
    /// The tenant's IMAP mailboxes, each as `[[mailboxes]]` of `postroom.toml` writes it but
    /// with every credential a `{"secret_ref": NAME}` (see [`mailboxes`](self::mailboxes)).
    /// Left out of the JSON when empty, so that documents without mailboxes stay as they
    /// were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mailboxes: Vec<ProfileMailbox>,
}

/// postroom's own recipients.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Full addresses, e.g. `support@example.com`; `support+SUP-12@…` counts as this one.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Domains whose every address is postroom's, e.g. `help.example.com`.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Accept mail whatever it is addressed to; only for trying postroom out (the built-in
    /// profile used when none is given).
    #[serde(default)]
    pub accept_any_recipient: bool,
}

/// Directive settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectiveSettings {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Directives are only read when this is true.
    #[serde(default)]
    pub enabled: bool,
    /// Senders whose directives are applied: glob patterns (`*@example.com`) or `re:` regexes.
    #[serde(default)]
    pub allowed_senders: Vec<String>,
    /// Other names for directives, e.g. `{"prio": "priority", "Kunde": "Customer"}`.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Custom fields that may be set by name (`#Customer=ACME`).
    #[serde(default)]
    pub custom_fields: Vec<String>,
}

/// Thread matching: which methods run, in which order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threading {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The methods tried, first to last; a method left out is switched off.
    #[serde(default = "ThreadBy::all")]
    pub order: Vec<ThreadBy>,
    /// Project keys postroom knows (`SUP`, `OPS`); empty accepts any key that fits
    /// `key_pattern`.
    #[serde(default)]
    pub project_keys: Vec<String>,
    /// What an issue key looks like.
    #[serde(default = "default_key_pattern")]
    pub key_pattern: String,
    /// A partner's ticket number (e.g. `INC[0-9]{7}`), looked up in the subject; without
    /// it the `foreign_key` method finds nothing.
    #[serde(default)]
    pub foreign_key: Option<String>,
}

impl Default for Threading {
    fn default() -> Self {
        Self {
            comment: None,
            order: ThreadBy::all(),
            project_keys: Vec::new(),
            key_pattern: default_key_pattern(),
            foreign_key: None,
        }
    }
}

fn default_key_pattern() -> String {
    "[A-Z][A-Z0-9_]+-[1-9][0-9]*".to_owned()
}

/// One thread-matching method; also the `by` of a match in the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadBy {
    /// `#issue=SUP-12` at the top of the body.
    Directive,
    /// `support+SUP-12@example.com` among the recipients.
    SubAddress,
    /// `In-Reply-To` found in the Message-ID map.
    InReplyTo,
    /// `References` found in the Message-ID map; also the message's own Message-ID, which
    /// is in the map when a reply to it was carried out before it.
    References,
    /// An issue key in the subject.
    Subject,
    /// A partner's ticket number in the subject, mapped to an issue.
    ForeignKey,
}

impl ThreadBy {
    /// Every method in the recommended order.
    pub fn all() -> Vec<Self> {
        vec![
            Self::Directive,
            Self::SubAddress,
            Self::InReplyTo,
            Self::References,
            Self::Subject,
            Self::ForeignKey,
        ]
    }

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Directive => "directive",
            Self::SubAddress => "sub_address",
            Self::InReplyTo => "in_reply_to",
            Self::References => "references",
            Self::Subject => "subject",
            Self::ForeignKey => "foreign_key",
        }
    }
}

/// Limits handed to classification.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// More than this many mails from one sender within `flood_window_minutes` are held.
    #[serde(default)]
    pub flood_max_per_sender: Option<u32>,
    /// The counting window for `flood_max_per_sender`.
    #[serde(default)]
    pub flood_window_minutes: Option<u32>,
    /// A spam-score header (e.g. `X-Spam-Score`) …
    #[serde(default)]
    pub spam_score_header: Option<String>,
    /// … and the score at or above which the mail is spam.
    #[serde(default)]
    pub spam_score_threshold: Option<f64>,
}

/// Why a profile document could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The JSON is malformed or has a value of the wrong type at `path`.
    #[error("profile JSON at {path}: {message}")]
    Json {
        /// JSON path of the offending value (`.` for the document).
        path: String,
        /// What serde said.
        message: String,
    },
    /// The TOML is malformed or has a value of the wrong type.
    #[error("profile TOML: {0}")]
    Toml(String),
    /// The document was read but is not valid.
    #[error(transparent)]
    Invalid(#[from] ProfileErrors),
}

impl Profile {
    /// Reads a JSON document; type errors name the JSON path.
    pub fn from_json(text: &str) -> Result<Self, ProfileError> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| ProfileError::Json {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    /// Reads a TOML document (the same schema as JSON).
    pub fn from_toml(text: &str) -> Result<Self, ProfileError> {
        toml::from_str(text).map_err(|e| ProfileError::Toml(e.to_string()))
    }

    /// Reads JSON when the text starts with `{`, TOML otherwise.
    pub fn from_text(text: &str) -> Result<Self, ProfileError> {
        if text.trim_start().starts_with('{') {
            Self::from_json(text)
        } else {
            Self::from_toml(text)
        }
    }

    /// Reads (JSON or TOML) and checks a profile in one go: what a command that takes
    /// `--profile FILE` and `[inbound] profile` need. The document `profile export` writes
    /// is taken as well as a bare profile, so an export can be used as it is.
    pub fn load(text: &str) -> Result<CheckedProfile, ProfileError> {
        Ok(ProfileDocument::read(text)?.profile.check()?)
    }

    /// The profile used when none is given: any recipient is accepted and every message is
    /// ignored with the reason "no profile", so a dry run shows the whole decision path
    /// without pretending to know where mail should go.
    pub fn builtin() -> Self {
        Self {
            comment: Some("built-in: no profile was given".to_owned()),
            own: Own {
                accept_any_recipient: true,
                ..Own::default()
            },
            default: Then {
                action: Some(RuleAction::Ignore),
                reason: Some("no profile was given (--profile FILE)".to_owned()),
                ..Then::default()
            },
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests;

impl CheckedProfile {
    /// The compiled acknowledgement, when it can be sent (it has a `From`).
    pub fn acknowledgement(&self) -> Option<&crate::auto_reply::AutoReply> {
        self.acknowledgement.as_deref()
    }

    /// The compiled notice, when it can be sent (it has a `From`).
    pub fn notice(&self) -> Option<&crate::auto_reply::AutoReply> {
        self.notice.as_deref()
    }

    /// The compiled answer of `kind`, when it can be sent.
    pub fn auto_reply(
        &self,
        kind: crate::auto_reply::ReplyKind,
    ) -> Option<&crate::auto_reply::AutoReply> {
        match kind {
            crate::auto_reply::ReplyKind::Acknowledgement => self.acknowledgement(),
            crate::auto_reply::ReplyKind::Notice => self.notice(),
        }
    }

    /// The compiled notification settings (every valid profile has them).
    pub fn notifications(&self) -> Option<&crate::notify::CompiledNotifications> {
        self.notifications.as_deref()
    }

    /// The classification settings this profile implies: the domains that are wholly
    /// postroom's (its Message-IDs and return paths; the domain of a single own address is
    /// shared with staff, so it does not count), the trusted authserv-id and the spam-score
    /// header. The flood count is the engine's to add, since it needs the store and the clock.
    pub fn classify_context(&self) -> crate::classify::ClassifyContext {
        let p = &self.profile;
        let own_domains = p
            .own
            .domains
            .iter()
            .map(|d| d.trim().to_ascii_lowercase())
            .collect();
        let t = &p.thresholds;
        crate::classify::ClassifyContext {
            own_domains,
            trusted_authserv_id: p.trusted_authserv_id.clone(),
            spam_score: t
                .spam_score_header
                .clone()
                .zip(t.spam_score_threshold)
                .map(|(header, threshold)| crate::classify::SpamScore { header, threshold }),
            flood: None,
        }
    }
}
