//! Table test over the shared quotequail-replies corpus (plain-text and HTML replies and
//! forwards): each case is fed as a whole message the way the corpus README says and read
//! the way the inbound path reads it (`Message::parse`, then `reply::extract_message`).
//!
//! The pass rate is printed and may not drop. A case postroom answers differently on
//! purpose is listed in `DEVIATIONS` with the reason; any other miss fails the test.

#![allow(
    clippy::unwrap_used,
    reason = "a test reads fixed files; a panic is the failure report"
)]

mod common;

use postroom_core::message::{Message, ParseLimits};
use postroom_core::reply::extract_message;
use serde_json::Value;

/// Scored cases passing today (out of 38). Raise it when extraction gets better.
const MIN_PASSING: usize = 38;

/// Cases where postroom's answer differs from the corpus on purpose, and why that answer is
/// the better Jira comment.
const DEVIATIONS: &[(&str, &str)] = &[];

/// The README's wrapper for a `.txt` body.
fn wrap(body: &[u8], n: usize) -> Vec<u8> {
    let mut raw = format!(
        "From: Customer <customer@example.org>\r\nTo: support@example.com\r\nSubject: Re: corpus case {n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

fn visible_text(dir: &std::path::Path, case: &Value, n: usize) -> String {
    let input = case["input"].as_str().unwrap();
    let bytes = std::fs::read(dir.join(input)).unwrap();
    let raw = if input.ends_with(".eml") {
        bytes
    } else {
        wrap(&bytes, n)
    };
    let parsed = Message::parse(&raw, &ParseLimits::default()).unwrap();
    extract_message(&parsed.message).visible_text
}

fn passes(case: &Value, visible: &str) -> bool {
    let exact = case["compare"]
        .as_str()
        .unwrap_or_default()
        .starts_with("exact");
    let equal = match case["expected_reply"].as_str() {
        None => true,
        Some(want) if exact => common::normalise(visible) == common::normalise(want),
        Some(want) => common::without_whitespace(visible) == common::without_whitespace(want),
    };
    equal && common::patterns_hold(case, &common::normalise(visible))
}

#[test]
fn quotequail_replies_pass_rate_does_not_drop() {
    let Some(dir) = common::corpus_dir("quotequail-replies") else {
        return;
    };
    let cases = common::cases(&dir);
    let (mut scored, mut lenient) = (0, 0);
    let mut misses = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        if case["lenient"].as_bool() == Some(true) {
            lenient += 1;
            continue;
        }
        scored += 1;
        let id = case["id"].as_str().unwrap();
        let visible = visible_text(&dir, case, n + 1);
        if !passes(case, &visible) {
            misses.push((id.to_owned(), visible));
        }
    }
    let passing = scored - misses.len();
    eprintln!("quotequail-replies: {passing}/{scored} ({lenient} lenient rows skipped)");
    let mut unexplained = Vec::new();
    for (id, visible) in &misses {
        match DEVIATIONS.iter().find(|(known, _)| known == id) {
            Some((_, why)) => eprintln!("  deviation {id}: {why}"),
            None => {
                eprintln!("  MISS {id}: got {visible:?}");
                unexplained.push(id.clone());
            }
        }
    }
    assert_eq!(
        cases.len(),
        40,
        "the corpus changed size; review MIN_PASSING"
    );
    assert!(
        unexplained.is_empty(),
        "unexplained misses: {unexplained:?}"
    );
    assert!(
        passing >= MIN_PASSING,
        "{passing}/{scored} passing, floor is {MIN_PASSING}"
    );
}
