//! Golden tests: each `tests/golden/NAME.eml` is read and compared with
//! `tests/golden/NAME.json`, which holds the dry-run line (`outcome`, without the keys
//! reply extraction fills), the full parsed `message`, and the attached messages parsed
//! inside it (`nested`).
//!
//! After a deliberate change, regenerate with `UPDATE_GOLDEN=1 cargo test -p postroom-core
//! --test golden` and review the diff like code.

// Test helpers: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use postroom_core::message::{Message, ParseLimits};
use postroom_core::outcome::{Outcome, Source};
use serde_json::json;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn render(eml: &Path) -> serde_json::Value {
    let raw = std::fs::read(eml).unwrap();
    let parsed = Message::parse(&raw, &ParseLimits::default()).unwrap();
    let name = eml.file_name().unwrap().to_string_lossy().into_owned();
    let outcome = Outcome::read_only(
        Source {
            path: name,
            index: 0,
        },
        &parsed,
    );
    let nested: Vec<&Message> = parsed
        .message
        .attachments
        .iter()
        .filter_map(|a| a.message.as_deref())
        .collect();
    let mut outcome = serde_json::to_value(outcome).unwrap();
    // Reply extraction owns these two keys and pins them in its own tests; leaving them
    // out keeps this file about reading mail. Their presence is still checked.
    let object = outcome.as_object_mut().unwrap();
    for key in ["visible_text", "report"] {
        assert!(
            object.remove(key).is_some(),
            "{key} missing from the dry-run line"
        );
    }
    json!({ "outcome": outcome, "message": parsed.message, "nested": nested })
}

#[test]
fn golden_messages_match_their_expected_json() {
    let mut emls: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    emls.sort();
    assert!(emls.len() >= 10, "golden set shrank to {}", emls.len());
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for eml in &emls {
        let actual = render(eml);
        let expected_path = eml.with_extension("json");
        if update {
            let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
            std::fs::write(&expected_path, text).unwrap();
            continue;
        }
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .unwrap();
        if actual != expected {
            mismatches.push(format!(
                "{}:\n{}",
                eml.display(),
                serde_json::to_string_pretty(&actual).unwrap()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "golden mismatch:\n{}",
        mismatches.join("\n")
    );
}
