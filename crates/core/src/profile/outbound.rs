//! The profile's outbound settings: the acknowledgement a customer gets when their mail
//! opens an issue, the notice a sender gets when their mail is refused, and how bounces of
//! postroom's own mail feed the suppression list.

use serde::{Deserialize, Serialize};

use crate::auto_reply::Letter;

/// `acknowledgement`: an automatic answer to a person whose mail opened an issue, so that
/// they know it arrived and which key to quote.
///
/// Sent only for mail classified `human` without any hint against answering (see
/// [`crate::classify::Classification::suppress_acknowledgement`]), never to an address on
/// the suppression list, and at most `max_per_hour` times an hour to one address: a
/// customer who writes ten mails in a minute gets three answers, and a robot that slipped
/// through classification cannot start a loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Send acknowledgements (a rule's `then.acknowledge` overrides this per rule).
    #[serde(default)]
    pub enabled: bool,
    /// The `From` address; the first of `own.addresses` when unset.
    #[serde(default)]
    pub from: Option<String>,
    /// The display name in `From`, e.g. `ACME Support`.
    #[serde(default)]
    pub from_name: Option<String>,
    /// Template of the subject (one line); keep `{{ issue.key }}` in it, so that replies
    /// find the issue by subject too.
    #[serde(default = "default_subject")]
    pub subject: String,
    /// Template of the plain-text body.
    #[serde(default = "default_body")]
    pub body: String,
    /// At most this many acknowledgements to one address per hour.
    #[serde(default = "three")]
    pub max_per_hour: u32,
}

impl Default for Acknowledgement {
    fn default() -> Self {
        Self {
            comment: None,
            enabled: false,
            from: None,
            from_name: None,
            subject: default_subject(),
            body: default_body(),
            max_per_hour: three(),
        }
    }
}

fn default_subject() -> String {
    "[{{ issue.key }}] {{ issue.summary }}".to_owned()
}

fn default_body() -> String {
    "Hello{% if sender.name %} {{ sender.name }}{% endif %},\n\
     \n\
     thank you for your message. We have opened {{ issue.key }} for it\
     {% if issue.link %}: {{ issue.link }}{% endif %}.\n\
     \n\
     To add to it, reply to this e-mail and keep {{ issue.key }} in the subject.\n\
     \n\
     This message was sent automatically.\n"
        .to_owned()
}

impl Acknowledgement {
    /// The words of the acknowledgement, for [`crate::auto_reply::AutoReply`].
    pub fn letter(&self) -> Letter<'_> {
        Letter {
            from: self.from.as_deref(),
            from_name: self.from_name.as_deref(),
            subject: &self.subject,
            body: &self.body,
        }
    }
}

/// `notice`: the answer to a person whose mail was refused (`reject` by `people.create` or
/// `people.strangers`), saying why, so that a customer whose reply went nowhere learns it
/// instead of waiting.
///
/// Sent under the same conditions as the acknowledgement (only to `human` mail without a
/// hint against answering, never to a suppressed address), at most `max_per_hour` times an
/// hour to one address, counted apart from acknowledgements: the two go to different
/// people (a notice mostly to strangers) and a busy customer's acknowledgements must not
/// use up the one notice that tells them a reply was refused. Other rejects (mail not
/// addressed to postroom, automatic mail, a rule's `reject`) get none: their sender is
/// either a robot or not someone postroom answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Send notices (off by default: an answer to refused mail reaches strangers, so it is
    /// the administrator's choice).
    #[serde(default)]
    pub enabled: bool,
    /// Template of the subject (one line); variables `reason`, `original.subject`,
    /// `sender.name`.
    #[serde(default = "notice_subject")]
    pub subject: String,
    /// Template of the plain-text body.
    #[serde(default = "notice_body")]
    pub body: String,
    /// At most this many notices to one address per hour.
    #[serde(default = "three")]
    pub max_per_hour: u32,
    /// The `From` address; `acknowledgement.from`, else the first of `own.addresses`,
    /// when unset.
    #[serde(default)]
    pub from: Option<String>,
    /// The display name in `From`; `acknowledgement.from_name` when unset.
    #[serde(default)]
    pub from_name: Option<String>,
}

impl Default for Notice {
    fn default() -> Self {
        Self {
            comment: None,
            enabled: false,
            subject: notice_subject(),
            body: notice_body(),
            max_per_hour: three(),
            from: None,
            from_name: None,
        }
    }
}

impl Notice {
    /// The words of the notice, its `From` falling back to the acknowledgement's.
    pub fn letter<'a>(&'a self, ack: &'a Acknowledgement) -> Letter<'a> {
        Letter {
            from: self.from.as_deref().or(ack.from.as_deref()),
            from_name: self.from_name.as_deref().or(ack.from_name.as_deref()),
            subject: &self.subject,
            body: &self.body,
        }
    }
}

fn notice_subject() -> String {
    "Not delivered: {{ original.subject }}".to_owned()
}

fn notice_body() -> String {
    "Hello{% if sender.name %} {{ sender.name }}{% endif %},\n\
     \n\
     your message{% if original.subject %} \"{{ original.subject }}\"{% endif %} was not \
     accepted: {{ reason }}.\n\
     \n\
     This message was sent automatically.\n"
        .to_owned()
}

fn three() -> u32 {
    3
}

/// `bounces`: when a bounce of postroom's own mail puts the failed address on the tenant's
/// suppression list. A hard bounce (5.x.x) does at once; a soft one (4.x.x: mailbox full,
/// greylisting gone wrong) only after `soft_limit` of them, since most clear up by
/// themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounces {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Soft bounces of one address before it is suppressed.
    #[serde(default = "three")]
    pub soft_limit: u32,
}

impl Default for Bounces {
    fn default() -> Self {
        Self {
            comment: None,
            soft_limit: three(),
        }
    }
}
