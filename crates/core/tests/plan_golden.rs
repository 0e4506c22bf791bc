//! Golden tests of the whole inbound decision: each example mail in `examples/mail/` with
//! `examples/profile.json` gives the plan in `tests/plan_golden/<name>.json`.
//!
//! The engine's answers to the thread lookups come from `<name>.answers.json` when present
//! (a dry run's "nothing known" otherwise). After a deliberate change, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p postroom-core --test plan_golden` and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use postroom_core::message::{Message, ParseLimits};
use postroom_core::plan::plan_message;
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_core::reply::{self, ReplyInput};
use postroom_core::thread::Answers;
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn profile() -> CheckedProfile {
    let text = std::fs::read_to_string(root().join("examples/profile.json")).unwrap();
    Profile::from_text(&text).unwrap().check().unwrap()
}

fn answers(path: &Path) -> Answers {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Answers::unknown();
    };
    let v: Value = serde_json::from_str(&text).unwrap();
    let map = |key: &str| {
        v[key]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    Answers {
        looked_up: true,
        message_ids: map("message_ids"),
        foreign_keys: map("foreign_keys"),
        existing_keys: v["existing_keys"]
            .as_array()
            .map(|a| a.iter().map(|k| k.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default(),
    }
}

fn plan_json(raw: &[u8], profile: &CheckedProfile, answers: &Answers) -> Value {
    let message = Message::parse(raw, &ParseLimits::default())
        .unwrap()
        .message;
    let extraction = reply::extract(&ReplyInput {
        text: message.text_body.as_deref().unwrap_or_default(),
        html: message.html_body.as_deref(),
        sender_name: message.from.as_ref().and_then(|m| m.name.as_deref()),
        subject: message.subject.as_deref(),
    });
    let (class, plan) = plan_message(&message, &extraction.visible_text, profile, answers);
    json!({
        "classification": class.kind.as_str(),
        "thread": plan.thread,
        "directives": plan.directives,
        "action": plan.action,
        "report": plan.report,
    })
}

#[test]
fn every_example_mail_gives_its_golden_plan() {
    let profile = profile();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plan_golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mails: Vec<PathBuf> = std::fs::read_dir(root().join("examples/mail"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    mails.sort();
    assert!(mails.len() >= 10, "example mails missing");
    let mut failures = Vec::new();
    for mail in &mails {
        let name = mail.file_stem().unwrap().to_string_lossy().into_owned();
        let answers = answers(&golden.join(format!("{name}.answers.json")));
        let got = plan_json(&std::fs::read(mail).unwrap(), &profile, &answers);
        let path = golden.join(format!("{name}.json"));
        if update {
            let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let want: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if got != want {
            failures.push(format!(
                "{name}:\n{}",
                serde_json::to_string_pretty(&got).unwrap()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "plans differ:\n{}",
        failures.join("\n")
    );
}
