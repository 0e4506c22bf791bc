//! HTML reply extraction: the HTML-only replies and forwards of the quotequail-replies
//! corpus (µs per message), and large HTML replies of growing size with the quotation at the
//! bottom, to show that the cost grows linearly with the input (up to the 5 MB case).
//!
//! Run: `cargo bench -p postroom-core --bench reply_html`. Corpus from
//! `POSTROOM_SHARED_DIR`, else `<repo>/../shared`. With `REPLY_PEERS_JSON=1` it prints one
//! JSON line instead: each case's id and visible text, and a plain timed throughput, for
//! `bench/reply_peers.py`, which scores them and sets them beside talon's HTML path.

#![allow(clippy::unwrap_used, reason = "a benchmark reads fixed files")]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use postroom_core::reply::{ReplyInput, extract};

/// The ids, HTML bodies and subjects of the corpus's `.eml` cases.
fn corpus() -> Vec<(String, String, String)> {
    let shared = std::env::var_os("POSTROOM_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let dir = shared.join("testdata/quotequail-replies");
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    expected
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|case| {
            let input = case["input"].as_str()?;
            let id = case["id"].as_str()?.to_owned();
            input.ends_with(".eml").then(|| (id, dir.join(input)))
        })
        .filter_map(|(id, path)| {
            let bytes = std::fs::read(&path).unwrap();
            let message = mail_parser::MessageParser::default().parse(&bytes)?;
            let html = message.body_html(0)?.into_owned();
            let subject = message.subject().unwrap_or_default().to_owned();
            Some((id, html, subject))
        })
        .collect()
}

fn run(html: &str, subject: &str) -> String {
    extract(&ReplyInput {
        text: "",
        html: Some(html),
        sender_name: Some("Customer"),
        subject: Some(subject),
    })
    .visible_text
}

/// Each case's visible text and the throughput over the corpus, as one JSON line (for
/// `bench/reply_peers.py`, which scores the texts as it scores the peers').
fn peers_json() {
    let cases = corpus();
    let visible: Vec<serde_json::Value> = cases
        .iter()
        .map(|(id, html, subject)| serde_json::json!({"id": id, "visible": run(html, subject)}))
        .collect();
    let started = Instant::now();
    let mut messages = 0usize;
    while started.elapsed() < Duration::from_secs(2) {
        for (_, html, subject) in &cases {
            black_box(run(black_box(html), subject));
        }
        messages += cases.len();
    }
    let per_second = messages as f64 / started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"cases": visible, "messages_per_second": per_second})
    );
}

fn bench_corpus(c: &mut Criterion) {
    let cases = corpus();
    assert!(cases.len() >= 16, "only {} HTML cases", cases.len());
    let mut group = c.benchmark_group("reply_html");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("quotequail_html_cases", |b| {
        b.iter(|| {
            for (_, html, subject) in &cases {
                black_box(run(black_box(html), subject));
            }
        });
    });
    group.finish();
}

/// An HTML reply of about `bytes` bytes: paragraphs of the writer's text, then a Gmail
/// quotation at the very bottom.
fn large_reply(bytes: usize) -> String {
    let paragraph = "<p>The export fails on <b>every</b> run since Monday; see <a href=\"https://example.com/runs/42\">run 42</a>.</p>\n";
    let mut html = String::with_capacity(bytes + 512);
    html.push_str("<html><body><div dir=\"ltr\">");
    while html.len() < bytes {
        html.push_str(paragraph);
    }
    html.push_str("</div><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Tue, Apr 11, 2017 at 10:07 PM John &lt;john@example.com&gt; wrote:</div><blockquote class=\"gmail_quote\">old</blockquote></div></body></html>");
    html
}

fn bench_linearity(c: &mut Criterion) {
    let mut group = c.benchmark_group("reply_html_large");
    group.sample_size(10);
    for megabytes in [1usize, 2, 5] {
        let html = large_reply(megabytes * 1024 * 1024);
        group.throughput(Throughput::Bytes(html.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{megabytes}MB")),
            &html,
            |b, html| {
                b.iter(|| {
                    black_box(extract(&ReplyInput {
                        text: "",
                        html: Some(black_box(html)),
                        ..ReplyInput::default()
                    }))
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_corpus, bench_linearity);

fn main() {
    if std::env::var_os("REPLY_PEERS_JSON").is_some() {
        peers_json();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
