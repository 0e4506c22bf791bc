//! Table test over the shared flanker-mime corpus: encoded-word and raw 8-bit headers,
//! leading junk lines, nested messages, broken MIME and delivery reports.
//!
//! Two figures are printed and pinned. The scored rows follow the corpus README: the
//! decoded subject (exact), then the asserted attachment file names. The lenient rows carry
//! other upstream assertions (attachment names, senders, bounce status); those are checked
//! too, on every row that has them. A row postroom answers differently on purpose is listed
//! in `DEVIATIONS` with the reason; any other miss fails the test.

#![allow(
    clippy::unwrap_used,
    reason = "a test reads fixed files; a panic is the failure report"
)]

mod common;

use postroom_core::classify::{ClassifyContext, Kind, classify};
use postroom_core::message::{Message, ParseLimits};
use serde_json::Value;

/// Scored rows passing today (out of 23). Raise it when parsing gets better.
const MIN_SCORED: usize = 21;
/// Upstream's other assertions holding today (attachment names, senders, bounces).
const MIN_OTHER: usize = 11;

/// Rows where postroom's answer differs from the corpus on purpose, and why.
const DEVIATIONS: &[(&str, &str)] = &[
    (
        "flanker-torture",
        "the subject is trimmed: a Jira summary never wants the trailing space the raw header has",
    ),
    (
        "flanker-hdr03-happy",
        "a run of spaces between two words of the subject is shown as one, as mail clients show it; every word is decoded right",
    ),
];

/// What one row's checks found.
#[derive(Default)]
struct Verdict {
    /// The scored comparison (subject, then file names); `None` for lenient rows.
    scored: Option<bool>,
    /// Upstream's other assertions: (held, checked).
    other: (usize, usize),
}

fn check(case: &Value, raw: &[u8]) -> Verdict {
    let message = Message::parse(raw, &ParseLimits::default())
        .unwrap()
        .message;
    let names: Vec<&str> = message
        .attachments
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    let wanted_names: Vec<&str> = case["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["filename"].as_str())
        .collect();
    let names_hold = wanted_names.iter().all(|n| names.contains(n));
    let mut verdict = Verdict::default();
    if case["lenient"].as_bool() != Some(true) {
        let subject = message.subject.as_deref().unwrap_or_default();
        let want = case["subject"].as_str().unwrap_or_default();
        verdict.scored = Some(subject == want && names_hold);
        if subject != want {
            eprintln!("    subject {subject:?}, corpus {want:?}");
        }
    }
    let mut other = |held: bool| {
        verdict.other.1 += 1;
        verdict.other.0 += usize::from(held);
    };
    if !wanted_names.is_empty() {
        other(names_hold);
    }
    if let Some(address) = case["from"][0]["address"].as_str() {
        other(
            message
                .from
                .as_ref()
                .is_some_and(|m| m.address.as_str().eq_ignore_ascii_case(address)),
        );
    }
    if case["bounce"]["is_bounce"].as_bool() == Some(true) {
        let got = classify(&message, &ClassifyContext::default());
        let status = case["bounce"]["status"].as_str();
        let status_holds = status.is_none_or(|want| {
            got.bounce
                .as_ref()
                .and_then(|b| b.status.as_deref())
                .is_some_and(|s| s == want)
        });
        other(got.kind == Kind::Bounce && status_holds);
    }
    verdict
}

#[test]
fn flanker_mime_rows_do_not_regress() {
    let Some(dir) = common::corpus_dir("flanker-mime") else {
        return;
    };
    let cases = common::cases(&dir);
    let (mut scored, mut scored_ok) = (0, 0);
    let (mut other_ok, mut other_checked) = (0, 0);
    let mut unexplained = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let raw = std::fs::read(dir.join(case["input"].as_str().unwrap())).unwrap();
        let verdict = check(case, &raw);
        other_ok += verdict.other.0;
        other_checked += verdict.other.1;
        let missed_other = verdict.other.0 < verdict.other.1;
        if let Some(ok) = verdict.scored {
            scored += 1;
            scored_ok += usize::from(ok);
        }
        if verdict.scored == Some(false) || missed_other {
            match DEVIATIONS.iter().find(|(known, _)| *known == id) {
                Some((_, why)) => eprintln!("  deviation {id}: {why}"),
                None => {
                    eprintln!("  MISS {id}");
                    unexplained.push(id.to_owned());
                }
            }
        }
    }
    eprintln!("flanker-mime: {scored_ok}/{scored} scored rows");
    eprintln!("flanker-mime: {other_ok}/{other_checked} other upstream assertions");
    assert_eq!(
        cases.len(),
        63,
        "the corpus changed size; review the floors"
    );
    assert!(
        unexplained.is_empty(),
        "unexplained misses: {unexplained:?}"
    );
    assert!(scored_ok >= MIN_SCORED, "{scored_ok}/{scored} scored rows");
    assert!(
        other_ok >= MIN_OTHER,
        "{other_ok}/{other_checked} other assertions"
    );
}
