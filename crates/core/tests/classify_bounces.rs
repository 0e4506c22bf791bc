//! Table test over the shared sisimai-bounces corpus: bounces must come out as `bounce`
//! with the right status class and a failed recipient; feedback reports and delivery
//! notices as `auto_reply`. The rate may not drop below what the classifier reached.
//!
//! The corpus gives no recipient addresses, so "recipient right" is checked as: the first
//! failed recipient is an address the report body names, and it is not the address the
//! bounce was sent to (the original sender) unless a `*-Recipient:` field names it too
//! (people do mail themselves). `CLASSIFY_MISSES=1` prints the misses.

#![allow(
    clippy::unwrap_used,
    reason = "a test reads fixed files; a panic is the failure report"
)]

mod common;

use postroom_core::classify::{ClassifyContext, Kind, classify};
use postroom_core::message::{Message, ParseLimits};
use serde_json::Value;

/// Cases passing today out of 265. Raise it when the classifier gets better; never lower it.
const MIN_PASSING: usize = 260;

/// Why a case fails, or `None` when it passes.
fn check(case: &Value, raw: &[u8]) -> Option<String> {
    let message = Message::parse(raw, &ParseLimits::default())
        .unwrap()
        .message;
    let got = classify(&message, &ClassifyContext::default());
    let category = case["category"].as_str().unwrap();
    if category != "bounce" {
        return (got.kind != Kind::AutoReply)
            .then(|| format!("{category} as {:?} ({})", got.kind, got.reason));
    }
    if got.kind != Kind::Bounce {
        return Some(format!("bounce as {:?} ({})", got.kind, got.reason));
    }
    let bounce = got.bounce.unwrap();
    let want = case["recipients"][0]["status"].as_str().unwrap_or("?");
    let status = bounce.status.as_deref().unwrap_or("-");
    if status.get(..1) != want.get(..1) {
        return Some(format!("status {status}, want {want}"));
    }
    let Some(recipient) = bounce.recipient else {
        return Some("no recipient".to_owned());
    };
    let raw_text = String::from_utf8_lossy(raw)
        .replace("\r\n", "\n")
        .to_lowercase();
    let body = raw_text.split_once("\n\n").map_or("", |(_, b)| b);
    let address = recipient.to_lowercase();
    if !body.contains(&address) {
        return Some(format!("recipient {recipient} not in the report"));
    }
    let addressee = message
        .to
        .iter()
        .any(|m| m.address.as_str().eq_ignore_ascii_case(&recipient));
    let reported = body
        .lines()
        .any(|l| l.contains("recipient:") && l.contains(&address));
    if addressee && !reported {
        return Some(format!(
            "recipient {recipient} is the bounce's own addressee"
        ));
    }
    None
}

#[test]
fn sisimai_bounces_are_classified_with_status_class_and_recipient() {
    let Some(dir) = common::corpus_dir("sisimai-bounces") else {
        return;
    };
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    let cases: Vec<Value> = expected
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut misses = Vec::new();
    for case in &cases {
        let raw = std::fs::read(dir.join(case["input"].as_str().unwrap())).unwrap();
        if let Some(why) = check(case, &raw) {
            misses.push(format!("{}: {why}", case["id"].as_str().unwrap()));
        }
    }
    if std::env::var_os("CLASSIFY_MISSES").is_some() {
        for miss in &misses {
            eprintln!("{miss}");
        }
    }
    let passing = cases.len() - misses.len();
    eprintln!("{passing}/{} sisimai cases right", cases.len());
    assert_eq!(cases.len(), 265, "corpus changed");
    assert!(
        passing >= MIN_PASSING,
        "{passing} < {MIN_PASSING}: {misses:#?}"
    );
}
