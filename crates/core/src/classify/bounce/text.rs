//! Reading a bounce written for people (qmail, Exim, Exchange, Gmail, carrier NDRs, ...):
//! where the explanation ends, which addresses failed and with which code.

use std::sync::LazyLock;

use regex::Regex;

use super::{FailedRecipient, source, status};
use crate::message::EmailAddress;

static ADDRESS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+=/'!#$&*?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+").ok()
});

/// Lines where the returned original message starts; the explanation is above them.
static ORIGINAL_START: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?im)^(?:[\s>|-]*(?:-+\s*)?(?:this is a copy of|below this line is a copy|original message|the original message|unsent message below|returned message|message headers follow|original message headers|headers of the original|a copy of the original|content-type:\s*message/rfc822)|received:\s|return-path:\s|dkim-signature:\s)",
    )
    .ok()
});

/// Local parts and names that are never the failed recipient of someone else's mail.
const NOT_RECIPIENTS: [&str; 6] = [
    "mailer-daemon",
    "postmaster",
    "mail-daemon",
    "maildaemon",
    "abuse",
    "hostmaster",
];

/// The part of a bounce body written by the reporting MTA, before any copy of the original.
pub(super) fn explanation(text: &str) -> &str {
    let Some(regex) = ORIGINAL_START.as_ref() else {
        return text;
    };
    match regex.find(text) {
        Some(m) if m.start() > 0 => &text[..m.start()],
        _ => text,
    }
}

/// Failed recipients named in a free-text explanation, in order of appearance, each with
/// the status and reply code found between it and the next one. `exclude` holds the
/// addresses of the bounce's own parties (the original sender it is addressed to).
pub(super) fn recipients(text: &str, exclude: &[String]) -> Vec<FailedRecipient> {
    let Some(regex) = ADDRESS.as_ref() else {
        return Vec::new();
    };
    let mut found: Vec<(usize, usize, EmailAddress)> = Vec::new();
    for m in regex.find_iter(text) {
        let raw = m.as_str().trim_end_matches('.');
        let Ok(address) = EmailAddress::parse(raw) else {
            continue;
        };
        let local = address.local_part().to_ascii_lowercase();
        let excluded = NOT_RECIPIENTS.iter().any(|n| local.starts_with(n))
            || exclude
                .iter()
                .any(|e| e.eq_ignore_ascii_case(address.as_str()));
        if !excluded && !found.iter().any(|(_, _, a)| a == &address) {
            found.push((m.start(), m.end(), address));
        }
    }
    let whole_status = status::enhanced_code(text);
    let whole_reply = status::reply_code(text);
    let fallback_status = whole_status.clone().or_else(|| {
        whole_reply
            .as_deref()
            .and_then(status::from_reply_code)
            .or_else(|| Some(derive_class(text)))
    });
    let mut out = Vec::with_capacity(found.len());
    for (i, (_, end, address)) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(text.len(), |(start, _, _)| *start);
        let window = &text[*end..next.max(*end)];
        let status_here = status::enhanced_code(window);
        let reply_here = status::reply_code(window);
        let reply_code = reply_here.or_else(|| whole_reply.clone());
        let status = status_here
            .or_else(|| {
                reply_code
                    .as_deref()
                    .map(|code| status::from_reply_and_text(Some(code), window))
            })
            .or_else(|| fallback_status.clone());
        let diagnostic = diagnostic_line(window).or_else(|| diagnostic_line(text));
        let action = status.as_deref().map(|s| {
            if s.starts_with('4') {
                "delayed"
            } else {
                "failed"
            }
            .to_owned()
        });
        out.push(FailedRecipient::new(
            address.as_str().to_owned(),
            action,
            status,
            diagnostic,
            reply_code,
        ));
    }
    out
}

/// The class a report implies when it carries no code at all: delay words mean a
/// temporary failure, anything else a permanent one.
pub(super) fn derive_class(text: &str) -> String {
    if source::delay_phrase(text) {
        "4.0.0".to_owned()
    } else {
        "5.0.0".to_owned()
    }
}

/// The first line carrying an SMTP code or a failure phrase, trimmed, as the diagnostic.
fn diagnostic_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| {
            !l.is_empty() && (status::reply_code(l).is_some() || status::enhanced_code(l).is_some())
        })
        .map(|l| l.chars().take(500).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qmail_style_report_gives_recipient_and_code() {
        let text = "Hi. This is the qmail-send program at mx.example.net.\n\
            I'm afraid I wasn't able to deliver your message to the following addresses.\n\
            \n<gone@example.org>:\n192.0.2.1 does not like recipient.\n\
            Remote host said: 550 5.1.1 unknown user\n\
            \n--- Below this line is a copy of the message.\n\nReturn-Path: <me@example.com>\nTo: gone@example.org\n";
        let region = explanation(text);
        assert!(!region.contains("Return-Path"));
        let found = recipients(region, &["me@example.com".to_owned()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].address, "gone@example.org");
        assert_eq!(found[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(found[0].reply_code.as_deref(), Some("550"));
        assert!(found[0].hard);
    }

    #[test]
    fn daemon_and_excluded_addresses_are_not_recipients() {
        let found = recipients(
            "From postmaster@mx.example.net to me@example.com: a@example.org failed",
            &["me@example.com".to_owned()],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].address, "a@example.org");
        assert_eq!(found[0].status.as_deref(), Some("5.0.0"));
    }

    #[test]
    fn a_delay_notice_without_codes_is_class_four() {
        let found = recipients(
            "Delivery to x@example.org has been delayed; will retry.",
            &[],
        );
        assert_eq!(found[0].status.as_deref(), Some("4.0.0"));
        assert!(!found[0].hard);
    }

    #[test]
    fn empty_text_has_no_recipients() {
        assert!(recipients("", &[]).is_empty());
        assert_eq!(explanation(""), "");
    }
}
