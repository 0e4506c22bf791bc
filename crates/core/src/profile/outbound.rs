//! The profile's outbound settings: the acknowledgement a customer gets when their mail
//! opens an issue, and how bounces of postroom's own mail feed the suppression list.

use serde::{Deserialize, Serialize};

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
