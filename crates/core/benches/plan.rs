//! The whole inbound decision over the open corpora and the example mails: parse →
//! classify → reply extraction → directives → thread → route → plan, under the example
//! profile with the lookups unanswered (as in a dry run). A second group times only the
//! decision (classify onward) on messages parsed and extracted beforehand.
//!
//! Run: `cargo bench -p postroom-core --bench plan`. Corpus from `POSTROOM_SHARED_DIR`,
//! else `<repo>/../shared`.

#![allow(clippy::unwrap_used, reason = "a benchmark reads fixed files")]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::message::{Message, ParseLimits};
use postroom_core::plan::plan_message;
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_core::reply::{self, ReplyInput};
use postroom_core::thread::Answers;

fn eml_files(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn visible_text(message: &Message) -> String {
    reply::extract(&ReplyInput {
        text: message.text_body.as_deref().unwrap_or_default(),
        html: message.html_body.as_deref(),
        sender_name: message.from.as_ref().and_then(|m| m.name.as_deref()),
        subject: message.subject.as_deref(),
    })
    .visible_text
}

fn whole(raw: &[u8], profile: &CheckedProfile, answers: &Answers) -> usize {
    let message = Message::parse(raw, &ParseLimits::default())
        .unwrap()
        .message;
    let text = visible_text(&message);
    plan_message(&message, &text, profile, answers)
        .1
        .report
        .len()
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("POSTROOM_SHARED_DIR")
        .map_or_else(|| root.join("../shared"), PathBuf::from);
    let mut mails = eml_files(&shared.join("testdata/sisimai-bounces/emails"));
    mails.extend(eml_files(&shared.join("testdata/talon-quotations/emails")));
    mails.extend(eml_files(&root.join("examples/mail")));
    assert!(
        mails.len() > 12,
        "corpora missing under {}",
        shared.display()
    );
    let profile_text = std::fs::read_to_string(root.join("examples/profile.json")).unwrap();
    let profile = Profile::load(&profile_text).unwrap();
    let answers = Answers::unknown();

    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(mails.len() as u64));
    group.bench_function("whole_corpora", |b| {
        b.iter(|| {
            mails
                .iter()
                .map(|raw| whole(black_box(raw), &profile, &answers))
                .sum::<usize>()
        });
    });
    let prepared: Vec<(Message, String)> = mails
        .iter()
        .map(|raw| {
            let message = Message::parse(raw, &ParseLimits::default())
                .unwrap()
                .message;
            let text = visible_text(&message);
            (message, text)
        })
        .collect();
    group.bench_function("decide_only", |b| {
        b.iter(|| {
            prepared
                .iter()
                .map(|(m, t)| {
                    plan_message(black_box(m), t, &profile, &answers)
                        .1
                        .report
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
