//! Table test over the shared talon-quotations corpus: each case is fed the way the corpus
//! README says, and the visible reply must equal the expected one after the README's
//! normalisation. The pass rate may not drop below what the extractor reached.

#![allow(
    clippy::unwrap_used,
    reason = "a test reads fixed files; a panic is the failure report"
)]

mod common;

use postroom_core::reply::{ReplyInput, extract};

/// Cases passing today (out of 62), counting those in [`BY_PRODUCT_RULE`] when postroom's
/// answer is the one pinned there. Raise it when the extractor gets better; never lower it.
const MIN_PASSING: usize = 62;

/// Cases whose corpus expectation drops the writer's closing and name, which postroom keeps
/// (the product rule in `reply`'s docs: an agent should see who is speaking): postroom's
/// answer is the corpus's reply followed by these lines.
const BY_PRODUCT_RULE: &[(&str, &str)] = &[
    ("talon-signature-jeff", "Stavros Xxxxxx"),
    ("talon-signature-johndoeexamplecom", "John E. Doe, Ph.D."),
    ("talon-signature-long", "Gina Xxxxxxxxx"),
    ("talon-signature-short_url", "Thank you,\nNoam"),
];

#[test]
fn talon_quotations_pass_rate_does_not_drop() {
    let Some(dir) = common::corpus_dir("talon-quotations") else {
        return;
    };
    let mut total = 0;
    let mut by_rule = 0;
    let mut failures = Vec::new();
    for (n, case) in common::cases(&dir).iter().enumerate() {
        let id = case["id"].as_str().unwrap().to_owned();
        let fed = common::talon_feed(&dir, case["input"].as_str().unwrap());
        let sender = common::talon_sender(case);
        let subject = format!("Re: corpus case {}", n + 1);
        let got = extract(&ReplyInput {
            text: &fed.text,
            html: fed.html.as_deref(),
            sender_name: Some(&sender),
            subject: Some(&subject),
        });
        let visible = common::normalise(&got.visible_text);
        let corpus = common::normalise(case["expected_reply"].as_str().unwrap());
        let mut ok = match BY_PRODUCT_RULE.iter().find(|(known, _)| *known == id) {
            Some((_, kept)) => {
                by_rule += 1;
                visible == format!("{corpus}\n\n{kept}")
            }
            None => visible == corpus,
        };
        ok &= common::patterns_hold(case, &visible);
        total += 1;
        if !ok {
            failures.push(format!("{id}: got {visible:?}"));
        }
    }
    let passing = total - failures.len();
    eprintln!(
        "talon-quotations: {passing}/{total} right ({} exact as the corpus expects, {by_rule} by the closing-and-name rule)",
        passing.saturating_sub(by_rule)
    );
    for failure in &failures {
        eprintln!("  FAIL {failure}");
    }
    assert_eq!(total, 62, "the corpus changed size; review MIN_PASSING");
    assert!(
        passing >= MIN_PASSING,
        "{passing}/{total} passing, floor is {MIN_PASSING}: {failures:#?}"
    );
}
