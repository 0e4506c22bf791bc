//! What `postroom audit` and `/api/v1/audit` share: reading a list filter from what an
//! administrator typed, and the readable form of one message's record and report.

mod describe;

use postroom_core::message::EmailAddress;
use postroom_core::redact::Redactor;
use postroom_store::audit::{AuditFilter, AuditStatus};

pub use describe::describe;

/// The most entries one list returns.
pub const MAX_LIMIT: i64 = 10_000;

/// The filter of `audit list` / `GET /api/v1/audit`, from its text options; the error says
/// which option is wrong and why.
pub fn filter(
    since: Option<&str>,
    status: Option<&str>,
    from: Option<&str>,
    limit: i64,
    redactor: &Redactor,
    now_ms: i64,
) -> Result<AuditFilter, String> {
    let since_ms = since.map(|s| parse_time(s, now_ms)).transpose()?;
    let status = status
        .map(|s| {
            AuditStatus::parse(s).ok_or_else(|| {
                format!(
                    "status {s:?} is not one of {}",
                    AuditStatus::NAMES.join(", ")
                )
            })
        })
        .transpose()?;
    let sender_hash = from.map(|f| sender_hash(f, redactor)).transpose()?;
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(format!("limit must be 1 to {MAX_LIMIT}, not {limit}"));
    }
    Ok(AuditFilter {
        since_ms,
        status,
        sender_hash,
        limit,
        projects: None,
    })
}

/// The kinds of mail postroom sends.
pub const SENT_KINDS: [&str; 4] = ["notification", "acknowledgement", "notice", "test"];

/// The filter of `audit sent` / `GET /api/v1/audit/sent`: the kind (checked) and the time
/// from which (0: all kept).
pub fn sent_filter<'a>(
    kind: Option<&'a str>,
    since: Option<&str>,
    limit: i64,
    now_ms: i64,
) -> Result<(Option<&'a str>, i64), String> {
    if let Some(kind) = kind
        && !SENT_KINDS.contains(&kind)
    {
        return Err(format!(
            "kind {kind:?} is not one of {}",
            SENT_KINDS.join(", ")
        ));
    }
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(format!("limit must be 1 to {MAX_LIMIT}, not {limit}"));
    }
    let since_ms = since
        .map(|s| parse_time(s, now_ms))
        .transpose()?
        .unwrap_or(0);
    Ok((kind, since_ms))
}

/// A sender to look for: an address (hashed with the instance's key, as the worker hashed
/// the sender) or a keyed hash as the list shows it (`addr:…`).
fn sender_hash(from: &str, redactor: &Redactor) -> Result<String, String> {
    let from = from.trim();
    if let Some(hex) = from.strip_prefix("addr:")
        && hex.len() == 16
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Ok(from.to_ascii_lowercase());
    }
    if from.contains('@') {
        return EmailAddress::parse(from)
            .map(|a| redactor.address(&a).to_string())
            .map_err(|e| format!("from is not a valid address: {e}"));
    }
    Err(
        "from takes an e-mail address or a sender hash as listed (addr: and 16 hex digits)"
            .to_owned(),
    )
}

/// A time as RFC 3339 (`2026-11-01T00:00:00Z`), a date (`2026-11-01`, midnight UTC) or an
/// age before `now_ms` (`90m`, `24h`, `7d`).
pub fn parse_time(text: &str, now_ms: i64) -> Result<i64, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "{text:?} is not a time: give RFC 3339 (2026-11-01T00:00:00Z), a date (2026-11-01) \
             or an age (90m, 24h, 7d)"
        )
    };
    if let Some(unit) = text.chars().last().filter(|c| "mhd".contains(*c)) {
        let count: i64 = text[..text.len() - 1].parse().map_err(|_| bad())?;
        let unit_ms = match unit {
            'm' => 60_000,
            'h' => 3_600_000,
            _ => 86_400_000,
        };
        if count < 0 {
            return Err(bad());
        }
        return Ok(now_ms.saturating_sub(count.saturating_mul(unit_ms)));
    }
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    match mail_parser::DateTime::parse_rfc3339(&full) {
        Some(at) if at.is_valid() => Ok(at.to_timestamp().saturating_mul(1000)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000_000;

    #[test]
    fn times_are_read_as_instants_dates_or_ages() {
        assert_eq!(parse_time("1970-01-02T00:00:00Z", NOW), Ok(86_400_000));
        assert_eq!(parse_time("1970-01-02", NOW), Ok(86_400_000));
        assert_eq!(parse_time("7d", NOW), Ok(NOW - 7 * 86_400_000));
        assert_eq!(parse_time("90m", NOW), Ok(NOW - 90 * 60_000));
        for bad in ["", "yesterday", "-1d", "d", "2026-13-01", "12"] {
            assert!(parse_time(bad, NOW).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_sender_is_an_address_or_its_hash() {
        let redactor = Redactor::new([7; 32]);
        let hashed = filter(None, None, Some("Ann@Customer.example"), 10, &redactor, NOW)
            .unwrap()
            .sender_hash
            .unwrap();
        assert!(
            hashed.starts_with("addr:") && hashed.len() == 21,
            "{hashed}"
        );
        assert!(!hashed.contains("customer"));
        let again = filter(None, None, Some(&hashed), 10, &redactor, NOW).unwrap();
        assert_eq!(again.sender_hash.as_deref(), Some(hashed.as_str()));
        for bad in ["ann", "addr:xyz", "@", "a@"] {
            assert!(
                filter(None, None, Some(bad), 10, &redactor, NOW).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn sent_filters_know_the_kinds() {
        assert_eq!(sent_filter(None, None, 10, NOW), Ok((None, 0)));
        assert_eq!(
            sent_filter(Some("notification"), Some("1d"), 10, NOW),
            Ok((Some("notification"), NOW - 86_400_000))
        );
        assert!(sent_filter(Some("spam"), None, 10, NOW).is_err());
        assert!(sent_filter(None, Some("soon"), 10, NOW).is_err());
        assert!(sent_filter(None, None, 0, NOW).is_err());
    }

    #[test]
    fn unknown_statuses_and_limits_are_refused() {
        let redactor = Redactor::new([7; 32]);
        let e = filter(None, Some("done"), None, 10, &redactor, NOW).unwrap_err();
        assert!(e.contains("pending, refused, created"), "{e}");
        assert!(filter(None, Some("held"), None, 10, &redactor, NOW).is_ok());
        assert!(filter(None, None, None, 0, &redactor, NOW).is_err());
        assert!(filter(None, None, None, MAX_LIMIT + 1, &redactor, NOW).is_err());
    }
}
