//! What the corpus tests share: where the open corpora live, how a case file is read, and
//! the corpus READMEs' text comparisons.

#![allow(
    dead_code,
    reason = "each test crate uses the helpers it needs; the others look unused to it"
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `$POSTROOM_SHARED_DIR`, or `../shared` beside the repository.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("POSTROOM_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    )
}

/// The corpus directory, or `None` (test skipped) when it is absent outside CI. Under
/// `CI=true` a missing corpus fails the test.
pub fn corpus_dir(name: &str) -> Option<PathBuf> {
    let dir = shared_dir().join("testdata").join(name);
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

/// Every case of a corpus's `expected.jsonl`, in file order.
pub fn cases(dir: &Path) -> Vec<Value> {
    let expected = std::fs::read_to_string(dir.join("expected.jsonl"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    expected
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// The READMEs' exact comparison: CRLF -> LF, trailing whitespace off every line, whole
/// text trimmed.
pub fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// The READMEs' whitespace-insensitive comparison for HTML: every whitespace character
/// (U+00A0 included) removed.
pub fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// True when every `must_match` regex of `case` matches `visible` and no `must_not_match`
/// one does (multi-line mode, as the READMEs say).
pub fn patterns_hold(case: &Value, visible: &str) -> bool {
    let mut ok = true;
    for (key, want) in [("must_match", true), ("must_not_match", false)] {
        for source in case[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let re = regex::RegexBuilder::new(source)
                .multi_line(true)
                .build()
                .unwrap_or_else(|e| panic!("{source}: {e}"));
            ok &= re.is_match(visible) == want;
        }
    }
    ok
}

/// The sender a talon-quotations case's wrapper message would carry (its README): an
/// address becomes its local part.
pub fn talon_sender(case: &Value) -> String {
    match case["sender"].as_str() {
        Some(s) if !s.is_empty() => s.split('@').next().unwrap_or(s).to_owned(),
        _ => "Customer".to_owned(),
    }
}

/// A talon-quotations case's bodies, fed as its README says: a `.txt` body as is, an
/// `.eml`'s first text/plain part with its HTML part alongside.
pub struct TalonFed {
    pub text: String,
    pub html: Option<String>,
}

/// Reads the input file `input` of a talon-quotations case (see [`TalonFed`]).
pub fn talon_feed(dir: &Path, input: &str) -> TalonFed {
    let bytes = std::fs::read(dir.join(input)).unwrap_or_else(|e| panic!("{input}: {e}"));
    if input.ends_with(".eml") {
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .unwrap_or_else(|| panic!("{input}: not a message"));
        TalonFed {
            text: message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            html: message.body_html(0).map(|h| h.into_owned()),
        }
    } else {
        TalonFed {
            text: String::from_utf8(bytes).unwrap_or_else(|e| panic!("{input}: {e}")),
            html: None,
        }
    }
}
