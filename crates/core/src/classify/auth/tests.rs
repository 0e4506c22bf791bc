use super::*;
use crate::message::{Message, ParseLimits};

fn message(headers: &str) -> Message {
    let raw = format!("{headers}From: Ann <ann@example.com>\r\nSubject: hi\r\n\r\nbody\r\n");
    Message::parse(raw.as_bytes(), &ParseLimits::default())
        .unwrap()
        .message
}

#[test]
fn forged_from_with_failing_dmarc_is_fail() {
    let m = message(
        "Authentication-Results: mx.trusted.test; dkim=none; spf=softfail smtp.mailfrom=evil.test; dmarc=fail (p=reject) header.from=example.com\r\n",
    );
    let auth = evaluate(&m, Some("mx.trusted.test"));
    assert_eq!(auth.result, AuthResult::Fail);
    assert!(auth.forged_from);
    assert_eq!(auth.dmarc.as_deref(), Some("fail"));
    assert_eq!(auth.spf.as_deref(), Some("softfail"));
}

#[test]
fn results_of_an_untrusted_server_are_ignored() {
    let m =
        message("Authentication-Results: mx.attacker.test; dmarc=pass header.from=example.com\r\n");
    let auth = evaluate(&m, Some("mx.trusted.test"));
    assert_eq!(auth.result, AuthResult::None);
    assert_eq!(auth.dmarc, None);
}

#[test]
fn nothing_is_trusted_without_configuration() {
    let m = message("Authentication-Results: mx.trusted.test; dmarc=pass\r\n");
    assert_eq!(evaluate(&m, None).result, AuthResult::None);
    assert_eq!(evaluate(&m, Some("  ")).result, AuthResult::None);
}

#[test]
fn the_topmost_trusted_header_wins() {
    let m = message(concat!(
        "Authentication-Results: MX.Trusted.test 1; dmarc=pass header.from=example.com\r\n",
        "Authentication-Results: mx.trusted.test; dmarc=fail header.from=example.com\r\n",
    ));
    assert_eq!(
        evaluate(&m, Some("mx.trusted.test")).result,
        AuthResult::Pass
    );
}

#[test]
fn aligned_dkim_passes_without_dmarc_and_unaligned_does_not() {
    let aligned = message(
        "Authentication-Results: mx.trusted.test; dkim=fail header.d=other.test; dkim=pass header.d=example.com\r\n",
    );
    let auth = evaluate(&aligned, Some("mx.trusted.test"));
    assert_eq!(auth.result, AuthResult::Pass);
    assert_eq!(auth.dkim_domain.as_deref(), Some("example.com"));
    let unaligned =
        message("Authentication-Results: mx.trusted.test; dkim=pass header.d=mailer.test\r\n");
    assert_eq!(
        evaluate(&unaligned, Some("mx.trusted.test")).result,
        AuthResult::None
    );
}

#[test]
fn failing_checks_with_nothing_passing_is_fail_but_not_forged() {
    let m = message(
        "Authentication-Results: mx.trusted.test; spf=fail smtp.mailfrom=ann@example.com; dkim=none\r\n",
    );
    let auth = evaluate(&m, Some("mx.trusted.test"));
    assert_eq!(auth.result, AuthResult::Fail);
    assert!(!auth.forged_from);
}

#[test]
fn comments_and_odd_spacing_do_not_confuse_the_parser() {
    let parsed = parse(
        "mx.trusted.test (a; b); dkim=pass (good sig; x) header.d=\"example.com\"",
        "mx.trusted.test",
    )
    .unwrap();
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].domain.as_deref(), Some("example.com"));
    assert!(parse("", "mx.trusted.test").is_none());
    assert!(
        parse("mx.trusted.test; none", "mx.trusted.test")
            .unwrap()
            .is_empty()
    );
}
