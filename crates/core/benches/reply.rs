//! Reply extraction speed over the talon-quotations corpus (the inputs of the table test and
//! of `bench/reply_peers.py`), plus the adversarial 5 MB reply whose header is at the bottom.
//!
//! Run: `cargo bench -p postroom-core --bench reply`. Corpus from `POSTROOM_SHARED_DIR`,
//! else `<repo>/../shared`. With `REPLY_PEERS_JSON=1` it prints one JSON line with the
//! corpus accuracy and a plain timed throughput instead, for `bench/reply_peers.py`, which
//! sets the same figures beside talon's and email_reply_parser's.

#![allow(clippy::unwrap_used, reason = "a benchmark reads fixed files")]

/// The corpus helpers of the tests: the same cases, fed the same way.
#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use postroom_core::reply::{ReplyInput, extract};

struct Case {
    text: String,
    html: Option<String>,
    sender: String,
    expected: String,
}

fn corpus() -> Vec<Case> {
    let dir = common::shared_dir().join("testdata/talon-quotations");
    common::cases(&dir)
        .iter()
        .map(|case| {
            let fed = common::talon_feed(&dir, case["input"].as_str().unwrap());
            Case {
                text: fed.text,
                html: fed.html,
                sender: common::talon_sender(case),
                expected: case["expected_reply"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

fn run(case: &Case) -> String {
    extract(&ReplyInput {
        text: &case.text,
        html: case.html.as_deref(),
        sender_name: Some(&case.sender),
        subject: Some("Re: corpus case"),
    })
    .visible_text
}

/// The corpus README's comparison: CRLF -> LF, trailing whitespace off, whole text trimmed.
fn normalise(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_owned()
}

/// Accuracy and throughput over the corpus as one JSON line (for `bench/reply_peers.py`).
fn peers_json() {
    let cases = corpus();
    let passed = cases
        .iter()
        .filter(|c| normalise(&run(c)) == normalise(&c.expected))
        .count();
    let started = Instant::now();
    let mut messages = 0usize;
    while started.elapsed() < Duration::from_secs(2) {
        for case in &cases {
            black_box(run(black_box(case)));
        }
        messages += cases.len();
    }
    let per_second = messages as f64 / started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"passed": passed, "total": cases.len(), "messages_per_second": per_second})
    );
}

fn bench_corpus(c: &mut Criterion) {
    let cases = corpus();
    let mut group = c.benchmark_group("reply");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("talon_quotations_all_cases", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(run(black_box(case)));
            }
        });
    });
    group.finish();
}

fn bench_huge(c: &mut Criterion) {
    let line = "The quick brown fox jumps over the lazy dog, again and again.\n";
    let mut text = line.repeat(5 * 1024 * 1024 / line.len());
    text.push_str("On Tue, Apr 11, 2017 at 10:07 PM John <john@example.com> wrote:\n> old\n");
    let mut group = c.benchmark_group("reply");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("five_megabytes_header_at_bottom", |b| {
        b.iter(|| {
            black_box(extract(&ReplyInput {
                text: black_box(&text),
                ..ReplyInput::default()
            }))
        });
    });
    group.finish();
}

criterion_group!(benches, bench_corpus, bench_huge);

fn main() {
    if std::env::var_os("REPLY_PEERS_JSON").is_some() {
        peers_json();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
