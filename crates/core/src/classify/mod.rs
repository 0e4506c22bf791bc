//! What kind of mail is this? Decides, before anything else happens to a message, whether
//! postroom may answer it and whether it should become an issue at all.
//!
//! Two failures matter and pull in opposite directions: answering a robot (an
//! out-of-office, a bounce, our own mail coming back) starts a mail loop, while taking a
//! customer's mail for a robot silently loses it. So every class needs a positive, specific
//! signal; weak hints (a null return path, `Precedence: bulk`, `X-Auto-Response-Suppress`,
//! which Exchange puts on ordinary mail) only set [`Classification::suppress_acknowledgement`].
//!
//! The first class that applies wins, in this order: `loop` > `bounce` > `auto_reply` >
//! `spam` > `list` > `human`. Everything here is pure: the caller hands in configuration
//! and per-sender counts in a [`ClassifyContext`].

mod auth;
mod auto_reply;
mod auto_text;
pub mod bounce;
mod flood;
mod list;
mod loop_detect;
mod spam;

pub use auth::{Auth, AuthResult};
pub use bounce::{Bounce, FailedRecipient};
pub use flood::Hold;
pub use loop_detect::LOOP_HEADER;

use serde::Serialize;

use crate::message::{Message, ReturnPath};

/// The class of a message, the first that applies in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// postroom's own mail came back: never process, never answer.
    Loop,
    /// A delivery failure or delay report; feeds the suppression list, never an issue.
    Bounce,
    /// An automatic answer (vacation, ticket acknowledgement, feedback report, delivery
    /// success): never answered, so two robots cannot talk to each other forever.
    AutoReply,
    /// Marked as spam by a trusted filter: reported, never silently dropped.
    Spam,
    /// Mailing-list or newsletter traffic.
    List,
    /// Written by a person.
    Human,
}

impl Kind {
    /// The name used in JSON and reports (`auto_reply`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loop => "loop",
            Self::Bounce => "bounce",
            Self::AutoReply => "auto_reply",
            Self::Spam => "spam",
            Self::List => "list",
            Self::Human => "human",
        }
    }
}

/// What the caller knows that the message does not say: configuration and counters.
///
/// Plain data, so that classification stays a pure function of message and context.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassifyContext {
    /// Domains postroom sends from (Message-IDs, VERP return paths); a subdomain counts too.
    pub own_domains: Vec<String>,
    /// The authserv-id of the MTA whose `Authentication-Results` we trust; `None` trusts none.
    pub trusted_authserv_id: Option<String>,
    /// A header carrying a numeric spam score (e.g. `X-Spam-Score`), with its threshold.
    pub spam_score: Option<SpamScore>,
    /// Mails seen from this sender in the profile's window, and the most allowed.
    pub flood: Option<FloodCount>,
}

/// A configured spam-score header: at or above `threshold` the message is spam.
#[derive(Debug, Clone, PartialEq)]
pub struct SpamScore {
    /// Header name, matched case-insensitively.
    pub header: String,
    /// Lowest score that counts as spam.
    pub threshold: f64,
}

/// Per-sender counter handed in by the engine (which owns the clock and the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodCount {
    /// Mails from this sender in the last M minutes, this one included.
    pub recent: u32,
    /// The profile's limit: more than this many are held.
    pub threshold: u32,
}

/// The decision for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The class.
    pub kind: Kind,
    /// The signal that decided it, e.g. `header Auto-Submitted: auto-replied`.
    pub reason: String,
    /// True when postroom must not send an acknowledgement even to a human: null return
    /// path, `Precedence: bulk|junk|list`, `X-Auto-Response-Suppress`, a failed
    /// authenticity check, or any automatic class.
    pub suppress_acknowledgement: bool,
    /// Set when the sender is flooding: hold the message and report it, do not process.
    pub hold: Option<Hold>,
    /// Details of a delivery failure, for `kind = bounce`.
    #[serde(skip)]
    pub bounce: Option<Bounce>,
    /// Sender authenticity as read from trusted `Authentication-Results`.
    #[serde(skip)]
    pub auth: Auth,
}

struct Decision {
    kind: Kind,
    reason: String,
    bounce: Option<Bounce>,
}

/// Classifies a message. Never fails: the absence of every signal means `human`.
pub fn classify(message: &Message, context: &ClassifyContext) -> Classification {
    let auth = auth::evaluate(message, context.trusted_authserv_id.as_deref());
    // Converting an HTML body to text is the costliest step: do it once for all signals.
    let body = message.body_text();
    let decision = decide(message, &body, context);
    let suppress_acknowledgement = decision.kind != Kind::Human
        || suppressing_hint(message)
        || auth.result == AuthResult::Fail;
    Classification {
        kind: decision.kind,
        reason: decision.reason,
        suppress_acknowledgement,
        hold: context.flood.and_then(flood::decide),
        bounce: decision.bounce,
        auth,
    }
}

fn decide(message: &Message, body: &str, context: &ClassifyContext) -> Decision {
    let plain = |kind, reason: String| Decision {
        kind,
        reason,
        bounce: None,
    };
    if let Some(reason) = loop_detect::detect(message, &context.own_domains) {
        return plain(Kind::Loop, reason);
    }
    match bounce::detect(message, body, &context.own_domains) {
        bounce::Verdict::Bounce { reason, bounce } => {
            return Decision {
                kind: Kind::Bounce,
                reason,
                bounce: Some(bounce),
            };
        }
        bounce::Verdict::Notice(reason) => return plain(Kind::AutoReply, reason),
        bounce::Verdict::None => {}
    }
    if let Some(reason) = auto_reply::detect(message, body) {
        return plain(Kind::AutoReply, reason);
    }
    if let Some(reason) = spam::detect(message, context.spam_score.as_ref()) {
        return plain(Kind::Spam, reason);
    }
    if let Some(reason) = list::detect(message) {
        return plain(Kind::List, reason);
    }
    plain(Kind::Human, "no automatic-mail signal".to_owned())
}

/// Hints that are too weak to classify but enough to stay quiet.
fn suppressing_hint(message: &Message) -> bool {
    matches!(message.return_path, Some(ReturnPath::Null))
        || message
            .headers_named("Precedence")
            .any(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "bulk" | "junk"))
        || message.header("X-Auto-Response-Suppress").is_some()
}

#[cfg(test)]
mod tests;
