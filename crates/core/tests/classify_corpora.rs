//! Our own fixtures (auto-replies of the common responders, lists, newsletters, loops,
//! spam and tricky human mail) and every ordinary human message of the shared reply corpus:
//! a human mail classified as automatic would be a customer silently lost.
//!
//! A fixture's expected class is its file-name prefix: `auto_reply--zimbra-....eml`.

#![allow(
    clippy::unwrap_used,
    reason = "a test reads fixed files; a panic is the failure report"
)]

use std::path::Path;

mod common;

use postroom_core::classify::{ClassifyContext, Kind, classify};
use postroom_core::message::{Message, ParseLimits};

fn context() -> ClassifyContext {
    ClassifyContext {
        own_domains: vec!["support.example.net".into()],
        ..ClassifyContext::default()
    }
}

fn kind_of(raw: &[u8]) -> (Kind, String) {
    let message = Message::parse(raw, &ParseLimits::default())
        .unwrap()
        .message;
    let c = classify(&message, &context());
    (c.kind, c.reason)
}

#[test]
fn each_fixture_gets_the_class_its_name_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/classify");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some((want, _)) = name.split_once("--") else {
            continue;
        };
        let (got, reason) = kind_of(&std::fs::read(&path).unwrap());
        assert_eq!(got.as_str(), want, "{name}: {reason}");
        seen += 1;
    }
    assert!(seen >= 15, "only {seen} fixtures found");
}

/// The corpus README's wrapper for a bare body.
fn wrap(body: &[u8]) -> Vec<u8> {
    let mut raw = b"From: Customer <customer@example.org>\r\nTo: support@example.com\r\nSubject: Re: corpus case\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".to_vec();
    raw.extend_from_slice(body);
    raw
}

#[test]
fn no_human_mail_of_the_reply_corpus_is_taken_for_automatic_mail() {
    let Some(dir) = common::corpus_dir("talon-quotations").map(|d| d.join("emails")) else {
        return;
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let raw = if name.ends_with(".eml") {
            bytes
        } else if name.ends_with(".txt") {
            wrap(&bytes)
        } else {
            continue;
        };
        let (kind, reason) = kind_of(&raw);
        assert_eq!(kind, Kind::Human, "{name}: {reason}");
        checked += 1;
    }
    assert_eq!(checked, 62, "corpus changed");
}
