//! Header charsets through the whole parse: each legacy charset family in an encoded-word
//! subject, raw 8-bit headers read by the charset the message declares, a label that cannot
//! be right, split and unpadded words, and a message preceded by a whitespace-only line.

#![allow(
    clippy::unwrap_used,
    reason = "fixed test messages; a panic is the failure report"
)]

use postroom_core::message::{Message, ParseLimits, ParseWarning, Parsed};

fn parse(raw: &[u8]) -> Parsed {
    Message::parse(raw, &ParseLimits::default()).unwrap()
}

fn subject_of(raw: &[u8]) -> String {
    parse(raw).message.subject.unwrap_or_default()
}

fn with_subject(subject: &[u8], content_type: &str) -> Vec<u8> {
    let mut raw = b"From: Ann <ann@example.com>\r\nSubject: ".to_vec();
    raw.extend_from_slice(subject);
    raw.extend_from_slice(format!("\r\nContent-Type: {content_type}\r\n\r\nbody\r\n").as_bytes());
    raw
}

#[test]
fn east_asian_and_cyrillic_encoded_word_subjects() {
    let cases = [
        ("Shift_JIS", "k/qWe4zqgsyMj5a8", "日本語の件名"),
        ("EUC-JP", "xvzL3LjspM6378y+", "日本語の件名"),
        ("ISO-2022-JP", "GyRCRnxLXDhsJE43b0w+GyhC", "日本語の件名"),
        ("GB2312", "1tDOxNb3zOI=", "中文主题"),
        ("GBK", "1tDOxNb3zOI=", "中文主题"),
        ("GB18030", "1tDOxNb3zOI=", "中文主题"),
        ("Big5", "pKSk5aVEw0Q=", "中文主題"),
        ("KOI8-R", "9MXNwSDQydPYzcE=", "Тема письма"),
        ("KOI8-U", "9MXNwSDMydPUwSCn", "Тема листа ї"),
        ("windows-1251", "0uXs4CDv6PH87OA=", "Тема письма"),
    ];
    for (charset, payload, text) in cases {
        let word = format!("=?{charset}?B?{payload}?=");
        let raw = with_subject(word.as_bytes(), "text/plain; charset=us-ascii");
        assert_eq!(subject_of(&raw), text, "{charset}");
    }
}

#[test]
fn raw_8bit_subject_is_read_by_the_charset_the_body_declares() {
    let sjis = b"\x93\xfa\x96{\x8c\xea\x82\xcc\x8c\x8f\x96\xbc";
    let parsed = parse(&with_subject(sjis, "text/plain; charset=Shift_JIS"));
    assert_eq!(parsed.message.subject.as_deref(), Some("日本語の件名"));
    assert!(parsed.warnings.contains(&ParseWarning::EightBitHeader));
    let koi8 = b"\xf0\xd2\xc9\xd7\xc5\xd4";
    assert_eq!(
        subject_of(&with_subject(koi8, "text/plain; charset=koi8-r")),
        "Привет"
    );
}

#[test]
fn raw_8bit_without_any_declaration_is_windows_1252_and_utf8_stays_utf8() {
    assert_eq!(
        subject_of(&with_subject(b"\x93Caf\xe9\x94", "text/plain")),
        "“Café”"
    );
    assert_eq!(
        subject_of(&with_subject("Café ☕".as_bytes(), "text/plain")),
        "Café ☕"
    );
}

#[test]
fn raw_8bit_inside_an_encoded_word_is_decoded_once_by_its_label() {
    let raw = with_subject(b"=?koi8-r?Q?\xf0\xd2\xc9\xd7\xc5\xd4?=", "text/plain");
    assert_eq!(subject_of(&raw), "Привет");
}

#[test]
fn a_label_that_cannot_be_right_is_recovered_from() {
    let ascii_over_utf8 = with_subject(b"=?US-ASCII?Q?=D1=80=D1=83=D1=81?=", "text/plain");
    assert_eq!(subject_of(&ascii_over_utf8), "рус");
    let jis_over_sjis = with_subject(b"=?ISO-2022-JP?B?k/qWe4zq?=", "text/plain");
    assert_eq!(subject_of(&jis_over_sjis), "日本語");
}

#[test]
fn split_characters_and_missing_padding_decode_completely() {
    let split = with_subject(b"=?UTF-8?B?0J/RgNC4?= =?UTF-8?B?0LLQtdGC?=", "text/plain");
    assert_eq!(subject_of(&split), "Привет");
    let halves = with_subject(b"=?UTF-8?Q?caf=C3?=\r\n =?UTF-8?Q?=A9?=", "text/plain");
    assert_eq!(subject_of(&halves), "café");
    let unpadded = with_subject(b"=?UTF-8?B?0J/RgNC40LLQtdGC0LA?=", "text/plain");
    assert_eq!(subject_of(&unpadded), "Привета");
}

#[test]
fn a_whitespace_only_line_before_the_headers_is_skipped() {
    let mut raw = b" ".repeat(255);
    raw.extend_from_slice(b"\nFrom: Ann <ann@example.com>\r\nSubject: Wow\r\n\r\nbody\r\n");
    let parsed = parse(&raw);
    assert_eq!(parsed.message.subject.as_deref(), Some("Wow"));
    assert_eq!(
        parsed.message.from.map(|m| m.address.as_str().to_owned()),
        Some("ann@example.com".to_owned())
    );
    assert!(!parsed.warnings.contains(&ParseWarning::NoHeaders));
}

#[test]
fn raw_8bit_attachment_names_are_read_by_the_declared_charset() {
    let raw = b"From: Ann <ann@example.com>\r\nSubject: report\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n\xf0\xd2\xc9\xd7\xc5\xd4\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"\xef\xd4\xde\xa3\xd4.pdf\"\r\n\r\nJVBERi0=\r\n--b1--\r\n";
    let parsed = parse(raw);
    let names: Vec<&str> = parsed
        .message
        .attachments
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    assert_eq!(names, ["Отчёт.pdf"]);
    assert_eq!(
        parsed.message.text_body.as_deref().map(str::trim),
        Some("Привет")
    );
}
