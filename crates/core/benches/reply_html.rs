//! HTML reply extraction: the HTML-only replies and forwards of the quotequail-replies
//! corpus (µs per message), and large HTML replies of growing size with the quotation at the
//! bottom, to show that the cost grows linearly with the input (up to the 5 MB case).
//!
//! Run: `cargo bench -p postroom-core --bench reply_html`. Corpus from
//! `POSTROOM_SHARED_DIR`, else `<repo>/../shared`.

#![allow(clippy::unwrap_used, reason = "a benchmark reads fixed files")]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::reply::{ReplyInput, extract};

/// The HTML bodies and subjects of the corpus's `.eml` cases.
fn corpus() -> Vec<(String, String)> {
    let shared = std::env::var_os("POSTROOM_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let dir = shared.join("testdata/quotequail-replies");
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    expected
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|case| case["input"].as_str().map(|i| dir.join(i)))
        .filter(|path| path.extension().is_some_and(|e| e == "eml"))
        .filter_map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            let message = mail_parser::MessageParser::default().parse(&bytes)?;
            let html = message.body_html(0)?.into_owned();
            let subject = message.subject().unwrap_or_default().to_owned();
            Some((html, subject))
        })
        .collect()
}

fn bench_corpus(c: &mut Criterion) {
    let cases = corpus();
    assert!(cases.len() >= 16, "only {} HTML cases", cases.len());
    let mut group = c.benchmark_group("reply_html");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("quotequail_html_cases", |b| {
        b.iter(|| {
            for (html, subject) in &cases {
                black_box(extract(&ReplyInput {
                    text: "",
                    html: Some(black_box(html)),
                    sender_name: Some("Customer"),
                    subject: Some(subject),
                }));
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
criterion_main!(benches);
