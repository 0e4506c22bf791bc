//! Delivery status codes as they appear in reports and in free text: RFC 3463 enhanced
//! codes (`5.1.1`) and bare SMTP reply codes (`550`).

use std::sync::LazyLock;

use regex::Regex;

static ENHANCED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?:$|[^\d.]|\.(?:$|\D))").ok()
});

static REPLY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w.#/-]|#)([45][0-5]\d)(?:$|[ \-.,;:)])").ok());

/// The first RFC 3463 status code in `text`, e.g. `"5.1.1"` out of `550 5.1.1 User unknown`.
/// IP addresses and version numbers are not taken for codes.
pub(crate) fn enhanced_code(text: &str) -> Option<String> {
    let regex = ENHANCED.as_ref()?;
    regex
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
}

/// The first SMTP failure reply code (4xx or 5xx) in `text`.
pub(crate) fn reply_code(text: &str) -> Option<String> {
    let regex = REPLY.as_ref()?;
    regex
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
}

/// RFC 3463 class derived from a reply code when nothing better exists: `550` -> `5.0.0`.
pub(crate) fn from_reply_code(code: &str) -> Option<String> {
    match code.as_bytes().first() {
        Some(b'5') => Some("5.0.0".to_owned()),
        Some(b'4') => Some("4.0.0".to_owned()),
        Some(b'2') => Some("2.0.0".to_owned()),
        _ => None,
    }
}

/// Why a delivery failed, as the diagnostic words say it, with the RFC 3463 subject and
/// detail that name it. The first that matches wins.
static REASONS: LazyLock<Vec<(Option<Regex>, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"(?i)mailbox (?:is )?full|over ?quota|quota (?:exceeded|full)|insufficient (?:system )?storage|exceeded (?:its|the) storage|postfach (?:ist )?voll",
            "2.2",
        ),
        (
            r"(?i)account (?:has been |is )?(?:disabled|suspended|inactive)|mailbox (?:is )?(?:disabled|inactive)",
            "2.1",
        ),
        (
            r"(?i)user unknown|unknown user|no such (?:user|mailbox|recipient)|does(?: not|n't) exist|unknown (?:recipient|address|mailbox)|recipient (?:address )?(?:rejected|not found|unknown|invalid)|invalid (?:recipient|mailbox|address)|user not found|mailbox (?:not found|unavailable)|address not found|unbekannt",
            "1.1",
        ),
        (
            r"(?i)host (?:or domain name )?not found|domain not found|no such domain|no mx|name or service not known|unrouteable|domain (?:does not|doesn't) exist",
            "1.2",
        ),
        (
            r"(?i)message (?:is )?too (?:large|big)|size (?:limit )?exceed|exceeds? (?:the )?(?:maximum|size)",
            "3.4",
        ),
        (
            r"(?i)spam|block(?:ed|list)|blacklist|denylist|rejected (?:for|by|due to) policy|policy (?:violation|rejection)|relay(?:ing)? (?:access )?(?:denied|not permitted)|not authori[sz]ed|dmarc|spf",
            "7.1",
        ),
    ]
    .into_iter()
    .map(|(source, code)| (Regex::new(source).ok(), code))
    .collect()
});

/// Words that say the failure will pass: greylisting, rate limits, "try again later".
static TEMPORARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)greylist|graylist|try (?:again )?later|temporar(?:y|ily)|rate.?limit|too many (?:connections|messages|recipients)|deferred|will (?:be )?retr|resources temporarily").ok()
});

/// The status a report implies when it has no `Status:` field: the class from the SMTP
/// reply code when there is one, else from the words (a failure that says it will pass is
/// class 4, any other class 5), and the subject and detail from the words.
pub(crate) fn from_reply_and_text(code: Option<&str>, text: &str) -> String {
    let class = match code.and_then(|c| c.as_bytes().first()) {
        Some(b'4') => '4',
        Some(b'5') => '5',
        Some(b'2') => return "2.0.0".to_owned(),
        _ if TEMPORARY.as_ref().is_some_and(|t| t.is_match(text)) => '4',
        _ => '5',
    };
    let detail = REASONS
        .iter()
        .find(|(regex, _)| regex.as_ref().is_some_and(|r| r.is_match(text)))
        .map_or("0.0", |(_, detail)| detail);
    format!("{class}.{detail}")
}

/// Normalises a DSN `Status:` value (`5.1.1 (user unknown)` -> `5.1.1`); `None` when it
/// holds no valid code.
pub(crate) fn normalise(value: &str) -> Option<String> {
    let token = value.split_whitespace().next()?;
    let mut parts = token.split('.');
    let class = parts.next()?;
    let subject = parts.next()?;
    let detail = parts.next()?;
    let valid = matches!(class, "2" | "4" | "5")
        && [subject, detail]
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none();
    valid.then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhanced_code_is_found_in_an_smtp_line_but_not_in_an_ip_address() {
        assert_eq!(
            enhanced_code("said: 550 5.1.1 <a@b>: Recipient address rejected").as_deref(),
            Some("5.1.1")
        );
        assert_eq!(enhanced_code("host 192.5.1.1 said hello"), None);
        assert_eq!(enhanced_code("version 4.2.10.1"), None);
        assert_eq!(enhanced_code("#5.2.2.").as_deref(), Some("5.2.2"));
        assert_eq!(enhanced_code(""), None);
    }

    #[test]
    fn reply_code_takes_failure_codes_only() {
        assert_eq!(
            reply_code("550-5.1.1 The email account").as_deref(),
            Some("550")
        );
        assert_eq!(
            reply_code("Remote said #554 denied").as_deref(),
            Some("554")
        );
        assert_eq!(reply_code("250 ok"), None);
        assert_eq!(reply_code("port 25550 closed"), None);
        assert_eq!(reply_code("ERROR_CODE :421, host").as_deref(), Some("421"));
        assert_eq!(reply_code("at 10:50:59 +0000"), None);
    }

    #[test]
    fn bare_reply_codes_give_the_class_only() {
        assert_eq!(from_reply_code("550").as_deref(), Some("5.0.0"));
        assert_eq!(from_reply_code("421").as_deref(), Some("4.0.0"));
        assert_eq!(from_reply_code("x"), None);
    }

    #[test]
    fn the_class_comes_from_the_reply_code_and_the_detail_from_the_words() {
        let cases = [
            (
                Some("550"),
                "550 Requested action not taken: mailbox unavailable",
                "5.1.1",
            ),
            (Some("452"), "452 Mailbox full", "4.2.2"),
            (
                Some("552"),
                "552 Message size exceeds fixed maximum",
                "5.3.4",
            ),
            (Some("554"), "554 rejected due to spam content", "5.7.1"),
            (
                Some("421"),
                "421 Too many connections, try again later",
                "4.0.0",
            ),
            (Some("550"), "550 Administrative prohibition", "5.0.0"),
        ];
        for (code, text, want) in cases {
            assert_eq!(from_reply_and_text(code, text), want, "{text}");
        }
    }

    #[test]
    fn without_a_code_the_words_give_the_class() {
        assert_eq!(
            from_reply_and_text(None, "greylisted, please try again later"),
            "4.0.0"
        );
        assert_eq!(
            from_reply_and_text(None, "The account has been disabled"),
            "5.2.1"
        );
        assert_eq!(
            from_reply_and_text(None, "Host or domain name not found"),
            "5.1.2"
        );
        assert_eq!(from_reply_and_text(None, "delivery failed"), "5.0.0");
    }

    #[test]
    fn status_values_are_validated() {
        assert_eq!(normalise("5.1.1 (bad mailbox)").as_deref(), Some("5.1.1"));
        assert_eq!(normalise("4.4.7").as_deref(), Some("4.4.7"));
        assert_eq!(normalise("9.1.1"), None);
        assert_eq!(normalise("5.1"), None);
        assert_eq!(normalise(""), None);
    }
}
