//! The acceptance check of `process --dry-run --format json`, through its library loop:
//! every `.eml` of the open corpora gives exactly one line with every contract key, and no
//! input fails.

// Test helpers: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::path::PathBuf;

use postroom_core::message::ParseLimits;
use postroom_core::redact::Redactor;
use postroom_mail::files::{Format, dry_run};

const KEYS: [&str; 16] = [
    "source",
    "message_id",
    "from",
    "subject",
    "date",
    "body_text",
    "html_text",
    "visible_text",
    "attachments",
    "classification",
    "bounce",
    "thread",
    "directives",
    "action",
    "report",
    "warnings",
];

fn shared_dir() -> PathBuf {
    std::env::var_os("POSTROOM_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    )
}

#[test]
fn every_corpus_eml_gives_one_complete_json_line() {
    let mut dirs = Vec::new();
    let mut expected = 0;
    for name in ["sisimai-bounces", "talon-quotations"] {
        let dir = shared_dir().join("testdata").join(name).join("emails");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "corpus missing: {}",
                dir.display()
            );
            eprintln!("skipping: corpus {} not found", dir.display());
            return;
        };
        expected += entries
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "eml")
            })
            .count();
        dirs.push(dir.to_str().unwrap().to_owned());
    }
    let mut out = Vec::new();
    let limits = ParseLimits::default();
    let summary = dry_run(
        dirs,
        Cursor::new(Vec::new()),
        &limits,
        None,
        &Redactor::new([7; 32]),
        Format::Json,
        &mut out,
    )
    .unwrap();
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.processed, expected);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), expected);
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let object = value.as_object().unwrap();
        for key in KEYS {
            assert!(object.contains_key(key), "missing {key} in {line}");
        }
    }
}
