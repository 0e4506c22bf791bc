//! Property tests: whatever bytes arrive, `Message::parse` returns (a message or a clear
//! error) without panicking, and hostile shapes (deep nesting, huge input) stay bounded.

// Test helpers: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use postroom_core::message::{Message, ParseError, ParseLimits, ParseWarning};
use postroom_core::outcome::{Outcome, Source};
use proptest::prelude::*;

fn run(raw: &[u8]) -> Result<(), ParseError> {
    let parsed = Message::parse(raw, &ParseLimits::default())?;
    // The dry-run line must also build and serialize for anything that parsed.
    let outcome = Outcome::read_only(
        Source {
            path: "p".into(),
            index: 0,
        },
        &parsed,
    );
    serde_json::to_string(&outcome).unwrap();
    Ok(())
}

/// Pieces real mail is made of, so random messages reach deep into the MIME parser.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("From: A <a@example.com>\r\n".to_owned()),
        Just("To: b@example.com, \"C, D\" <c@example.com>\r\n".to_owned()),
        Just("Subject: =?UTF-8?B?SMOpbGxv?= =?ISO-2022-JP?B?GyRCJDMbKEI=?=\r\n".to_owned()),
        Just("Message-ID: <x@y>\r\nReferences: <a@b> <c@d>\r\n".to_owned()),
        Just("Date: Mon, 1 Jan 2024 00:00:00 +0100\r\n".to_owned()),
        Just("Content-Type: multipart/mixed; boundary=\"b\"\r\n".to_owned()),
        Just("Content-Type: multipart/alternative; boundary=b\r\n".to_owned()),
        Just("Content-Type: message/rfc822\r\n".to_owned()),
        Just("Content-Type: text/html; charset=koi8-r\r\n".to_owned()),
        Just("Content-Transfer-Encoding: base64\r\n".to_owned()),
        Just("Content-Transfer-Encoding: quoted-printable\r\n".to_owned()),
        Just("Content-Disposition: attachment; filename*=UTF-8''a%20b.pdf\r\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("--b\r\n".to_owned()),
        Just("--b--\r\n".to_owned()),
        Just("<p>hi<br><a href=\"https://x\">x</a><blockquote>q</blockquote>\r\n".to_owned()),
        Just("SGVsbG8gd29ybGQ=\r\n".to_owned()),
        Just("=E2=82=AC soft=\r\nbreak\r\n".to_owned()),
        "[ -~]{0,40}\r\n",
        "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let result = run(&raw);
        let blank = raw.iter().all(u8::is_ascii_whitespace);
        prop_assert_eq!(result.is_err(), blank);
    }

    #[test]
    fn mail_shaped_input_never_panics(parts in proptest::collection::vec(fragment(), 0..40)) {
        let raw = parts.concat();
        let _ = run(raw.as_bytes());
    }

    #[test]
    fn truncated_mail_still_parses(parts in proptest::collection::vec(fragment(), 1..30), cut in any::<prop::sample::Index>()) {
        let raw = parts.concat();
        let raw = &raw.as_bytes()[..cut.index(raw.len() + 1)];
        let _ = run(raw);
    }
}

#[test]
fn attached_messages_are_opened_only_to_the_nesting_limit() {
    let mut raw = String::new();
    for _ in 0..10 {
        raw.push_str("Content-Type: message/rfc822\r\n\r\n");
    }
    raw.push_str("Subject: innermost\r\n\r\nbody\r\n");
    let parsed = Message::parse(raw.as_bytes(), &ParseLimits::default()).unwrap();
    let limit = ParseLimits::default().max_nesting;
    assert!(
        parsed
            .warnings
            .contains(&ParseWarning::NestingTooDeep { limit })
    );
    let mut depth = 0;
    let mut current = &parsed.message;
    while let Some(inner) = current
        .attachments
        .first()
        .and_then(|a| a.message.as_deref())
    {
        depth += 1;
        current = inner;
    }
    assert_eq!(depth, limit - 1, "levels opened below the top");
}

/// Half a million nested containers (17 MB) would take the parser gigabytes of memory
/// and overflow its stack; the container guard cuts the input first.
#[test]
fn mime_bombs_are_cut_at_the_container_limit() {
    for container in [
        "Content-Type: message/rfc822\r\n\r\n",
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n",
    ] {
        let raw = container.repeat(500_000);
        let parsed = Message::parse(raw.as_bytes(), &ParseLimits::default()).unwrap();
        let limit = ParseLimits::default().max_containers;
        assert!(
            parsed
                .warnings
                .contains(&ParseWarning::TooManyContainers { limit })
        );
    }
}

#[test]
fn many_sibling_parts_within_the_limit_are_all_read() {
    let mut raw = String::from("Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for i in 0..200 {
        raw.push_str(&format!(
            "--b\r\nContent-Type: application/pdf; name=\"f{i}.pdf\"\r\n\r\n%PDF\r\n"
        ));
    }
    raw.push_str("--b--\r\n");
    let parsed = Message::parse(raw.as_bytes(), &ParseLimits::default()).unwrap();
    assert_eq!(parsed.message.attachments.len(), 200);
    assert!(
        parsed
            .warnings
            .iter()
            .all(|w| !matches!(w, ParseWarning::TooManyContainers { .. }))
    );
}

#[test]
fn input_over_the_limit_is_refused_unread() {
    let raw = vec![b'a'; 50 * 1024 * 1024];
    let err = Message::parse(&raw, &ParseLimits::default()).unwrap_err();
    assert_eq!(
        err,
        ParseError::TooLarge {
            size: raw.len(),
            limit: ParseLimits::default().max_size
        }
    );
    assert_eq!(
        err.to_string(),
        "message of 52428800 bytes exceeds the limit of 26214400 bytes"
    );
}

#[test]
fn a_custom_limit_applies() {
    let limits = ParseLimits {
        max_size: 10,
        ..ParseLimits::default()
    };
    assert!(matches!(
        Message::parse(b"Subject: too long\r\n\r\n", &limits),
        Err(ParseError::TooLarge { limit: 10, .. })
    ));
}
