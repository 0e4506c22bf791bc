//! Table test over the shared talon-quotations corpus: each case is fed the way the corpus
//! README says, and the visible reply must equal the expected one after the README's
//! normalisation. The pass rate may not drop below what the extractor reached.

#![allow(
    clippy::unwrap_used,
    reason = "a test reads fixed files; a panic is the failure report"
)]

use std::path::PathBuf;

use postroom_core::reply::{ReplyInput, extract};
use regex::RegexBuilder;
use serde_json::Value;

/// Cases passing today (out of 62). Raise it when the extractor gets better; never lower it.
const MIN_PASSING: usize = 62;

fn shared_dir() -> PathBuf {
    std::env::var_os("POSTROOM_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    )
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = shared_dir().join("testdata/talon-quotations");
    if dir.join("expected.jsonl").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "corpus missing under CI: {}",
        dir.display()
    );
    eprintln!("skipping: corpus not found at {}", dir.display());
    None
}

/// The README's comparison: CRLF -> LF, trailing whitespace off every line, whole text trimmed.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// The sender the README's wrapper message would carry: an address becomes its local part.
fn sender(case: &Value) -> String {
    match case["sender"].as_str() {
        Some(s) if !s.is_empty() => s.split('@').next().unwrap_or(s).to_owned(),
        _ => "Customer".to_owned(),
    }
}

struct Fed {
    text: String,
    html: Option<String>,
}

fn feed(dir: &std::path::Path, input: &str) -> Fed {
    let bytes = std::fs::read(dir.join(input)).unwrap();
    if input.ends_with(".eml") {
        let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        let text = message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default();
        let html = message.body_html(0).map(|h| h.into_owned());
        Fed { text, html }
    } else {
        Fed {
            text: String::from_utf8(bytes).unwrap(),
            html: None,
        }
    }
}

#[test]
fn talon_quotations_pass_rate_does_not_drop() {
    let Some(dir) = corpus_dir() else { return };
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    let mut total = 0;
    let mut failures = Vec::new();
    for (n, line) in expected
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap().to_owned();
        let fed = feed(&dir, case["input"].as_str().unwrap());
        let sender = sender(&case);
        let subject = format!("Re: corpus case {}", n + 1);
        let got = extract(&ReplyInput {
            text: &fed.text,
            html: fed.html.as_deref(),
            sender_name: Some(&sender),
            subject: Some(&subject),
        });
        let visible = normalise(&got.visible_text);
        let mut ok = visible == normalise(case["expected_reply"].as_str().unwrap());
        for (key, want) in [("must_match", true), ("must_not_match", false)] {
            for re in case[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let re = RegexBuilder::new(re).multi_line(true).build().unwrap();
                ok &= re.is_match(&visible) == want;
            }
        }
        total += 1;
        if !ok {
            failures.push(format!("{id}: got {visible:?}"));
        }
    }
    let passing = total - failures.len();
    eprintln!("talon-quotations: {passing}/{total} exact");
    for failure in &failures {
        eprintln!("  FAIL {failure}");
    }
    assert_eq!(total, 62, "the corpus changed size; review MIN_PASSING");
    assert!(
        passing >= MIN_PASSING,
        "{passing}/{total} passing, floor is {MIN_PASSING}: {failures:#?}"
    );
}
