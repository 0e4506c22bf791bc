//! The Rules page's "try it" (issue 31: ≤ 10 ms p99 for a typical mail): the edited
//! profile read from its JSON text and checked (every pattern and template compiled, as
//! each try's draft is new), the mail parsed once, and the dry run under the edited profile
//! and under the profile in force (compiled once, as the server keeps it) with the
//! decision's differences — every step `POST /api/v1/profile/try` takes but reading the
//! request and writing the answer.
//!
//! The mail: `talon-quotations/emails/standard_outlook.eml` of the shared corpus (a reply
//! from Outlook, text and HTML alternatives, 4 KB), addressed to the example profile's
//! `support@example.com` so that it is routed rather than refused as not postroom's. The
//! edit: examples/profile.json with a rule put first that sends the mail elsewhere.
//!
//! Run: `cargo bench -p postroom-core --bench try_it` from the repository root. Corpus from
//! `POSTROOM_SHARED_DIR`, else `<repo>/../shared`. After criterion's figures it prints the
//! p50/p99 of 2,000 single tries.

#![allow(clippy::unwrap_used, reason = "a benchmark of fixed inputs")]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use postroom_core::message::ParseLimits;
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_core::try_it::{Tried, try_mail};

fn try_once(raw: &[u8], edited: &str, in_force: &CheckedProfile) -> Tried {
    let candidate = Profile::load(edited).unwrap();
    try_mail(
        raw,
        &ParseLimits::default(),
        Some(&candidate),
        Some(in_force),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("POSTROOM_SHARED_DIR")
        .map_or_else(|| root.join("../shared"), PathBuf::from);
    let mail = std::fs::read_to_string(
        shared.join("testdata/talon-quotations/emails/standard_outlook.eml"),
    )
    .unwrap()
    .replacen("To: you@example.com", "To: support@example.com", 1);
    let raw = mail.as_bytes();
    let text = std::fs::read_to_string(root.join("examples/profile.json")).unwrap();
    let in_force = Profile::load(&text).unwrap();
    let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
    edited["rules"].as_array_mut().unwrap().insert(
        0,
        serde_json::json!({"name": "tests", "match": {"subject": "(?i)^test\\b"},
                           "then": {"project": "QA", "labels": ["tried"]}}),
    );
    let edited = edited.to_string();

    let tried = try_once(raw, &edited, &in_force);
    let fields: Vec<&str> = tried.differs.iter().map(|c| c.field.as_str()).collect();
    assert!(fields.contains(&"action.project"), "{fields:?}");

    let mut group = c.benchmark_group("try_it");
    group.bench_function("typical_mail_edited_profile", |b| {
        b.iter(|| try_once(black_box(raw), black_box(&edited), &in_force));
    });
    group.finish();
    let mut micros: Vec<u128> = (0..2_000)
        .map(|_| {
            let start = Instant::now();
            black_box(try_once(raw, &edited, &in_force));
            start.elapsed().as_micros()
        })
        .collect();
    micros.sort_unstable();
    println!(
        "try_it typical_mail_edited_profile: p50 {} µs, p99 {} µs over {} tries",
        micros[micros.len() / 2],
        micros[micros.len() * 99 / 100],
        micros.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
