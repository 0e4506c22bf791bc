//! Who sends bounces and how they word them: the cues that make a free-text body a
//! delivery report rather than a person writing about a delivery.

use std::sync::LazyLock;

use regex::Regex;

use crate::message::{Message, ReturnPath};

static SUBJECT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:\[[^\]]*\]\s*)?(?:
            undeliver(?:ed|able)|non[-\ ]?deliver|nondeliverable|not\ delivered
          | delivery\ (?:status|failure|failed|notification|report|has\ failed|problem|delayed|error)
          | (?:mail|message)\ delivery\ (?:failed|failure|error|problem|delayed|notification)
          | returned\ mail|return(?:ed)?\ to\ sender|failure\ notice|failed\ mail|mail\ failure
          | (?:mail|mailer)\ (?:system\ )?error|could\ not\ (?:send|deliver)|warning:\ could\ not
          | delayed\ mail|message\ (?:not\ delivered|could\ not\ be\ delivered|undeliverable|delayed|rejected|blocked)
          | unzustellbar|nicht\ zustellbar|non\ remis|no\ entregado|non\ recapitabile|niet\ afgeleverd
          | notice\ of\ delivery|delivery\ notification|mail\ could\ not|your\ message\ (?:couldn't|could\ not|wasn't|was\ not)
          | rejected:|error\ sending|bounce
        )",
    )
    .ok()
});

static FAILURE_PHRASE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
            could\ ?n[o']t\ be\ delivered|undeliverable|not\ (?:be\ )?delivered|delivery\ (?:has\ )?failed
          | delivery\ to\ the\ following|permanent(?:ly)?\ (?:fatal\ )?(?:error|failure|failed)|fatal\ error
          | failed\ permanently|temporar(?:y|ily)\ (?:error|failure|failed|unavailable|deferred)
          | unable\ to\ deliver|could\ ?n[o']t\ deliver|delivery\ attempts?|will\ (?:be\ )?retr(?:y|ied)
          | still\ (?:trying|undelivered)|has\ not\ (?:yet\ )?been\ delivered|was\ not\ delivered
          | user\ unknown|unknown\ (?:user|recipient|address)|no\ such\ (?:user|mailbox|recipient|address)
          | mailbox\ (?:unavailable|full|is\ full|not\ found|does\ not\ exist|quota)|over\ quota|quota\ exceeded
          | does\ not\ exist|recipient\ (?:address\ )?rejected|address\ (?:not\ found|rejected)|host\ unknown
          | did\ not\ reach|rejected|blocked|refused|smtp\ error|remote\ (?:server|host)\ (?:said|returned|replied)
          | unzustellbar|nicht\ zugestellt|n'a\ pas\ pu\ être\ remis|no\ se\ pudo\ entregar
          | \b[45]\d\d[\ -][245]\.\d{1,3}\.\d{1,3}\b",
    )
    .ok()
});

/// Local parts that only robots use to send delivery reports.
const BOUNCE_LOCALS: [&str; 9] = [
    "mailer-daemon",
    "mailer_daemon",
    "maildaemon",
    "mail-daemon",
    "postmaster",
    "mail-delivery-subsystem",
    "mail.delivery.system",
    "bounce",
    "bounces",
];

/// Display names that only robots use.
const BOUNCE_NAMES: [&str; 6] = [
    "mail delivery",
    "mailer-daemon",
    "mailer daemon",
    "postmaster",
    "delivery status",
    "mail administrator",
];

/// Why the sender looks like a bounce source, if it does: MAILER-DAEMON and postmaster,
/// list-manager error addresses (`*-bounces@`, `owner-*`), provider notification senders
/// (SES/SNS), or a null sender.
pub(super) fn sender(message: &Message) -> Option<&'static str> {
    if let Some(from) = &message.from {
        let local = from.address.local_part().to_ascii_lowercase();
        let domain = from.address.domain();
        if BOUNCE_LOCALS.contains(&local.as_str()) || local.starts_with("mailer-daemon") {
            return Some("sender is a mailer daemon or postmaster");
        }
        if local.ends_with("-bounces") || local.starts_with("owner-") || local.ends_with("-owner") {
            return Some("sender is a list manager's error address");
        }
        if domain.ends_with("amazonses.com") || domain.ends_with("sns.amazonaws.com") {
            return Some("sender is a provider notification address");
        }
        let name = from.name.as_deref().unwrap_or_default().to_lowercase();
        if BOUNCE_NAMES.iter().any(|n| name.contains(n)) {
            return Some("sender name is a mail delivery system");
        }
    }
    if matches!(message.return_path, Some(ReturnPath::Null)) {
        return Some("null sender");
    }
    // Only a missing From header counts: an unreadable one is a person's broken client.
    message.header("From").is_none().then_some("no sender")
}

/// True when the subject reads as a delivery report (not a reply or forward of one).
pub(super) fn subject(message: &Message) -> bool {
    let subject = message.subject.as_deref().unwrap_or_default();
    SUBJECT.as_ref().is_some_and(|r| r.is_match(subject))
}

/// True when the text says a delivery failed or was delayed.
pub(super) fn failure_phrase(text: &str) -> bool {
    FAILURE_PHRASE.as_ref().is_some_and(|r| r.is_match(text))
}

/// True when the text says the delivery is only delayed and will be retried.
pub(super) fn delay_phrase(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "delayed",
        "will be retried",
        "will retry",
        "still trying",
        "temporar",
        "deferred",
        "has not yet been delivered",
        "warning: message",
    ]
    .iter()
    .any(|p| lower.contains(p))
        && ![
            "permanent",
            "fatal",
            "failed permanently",
            "giving up",
            "gave up",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounce_subjects_match_at_the_start_only() {
        let with = |s: &str| Message {
            subject: Some(s.to_owned()),
            ..Message::default()
        };
        assert!(subject(&with("Undelivered Mail Returned to Sender")));
        assert!(subject(&with("Delivery Status Notification (Failure)")));
        assert!(subject(&with("failure notice")));
        assert!(subject(&with(
            "Mail delivery failed: returning message to sender"
        )));
        assert!(!subject(&with("Fwd: Undeliverable: order 42")));
        assert!(!subject(&with("Re: delivery of my parcel failed")));
        assert!(!subject(&with("")));
    }

    #[test]
    fn delay_needs_a_delay_word_and_no_permanent_one() {
        assert!(delay_phrase(
            "Delivery to the following recipients has been delayed"
        ));
        assert!(!delay_phrase("delayed ... permanent error, giving up"));
        assert!(!delay_phrase("550 user unknown"));
    }
}
