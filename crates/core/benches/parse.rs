//! Reading mail as stored: raw bytes in memory → `Message` → body text and HTML text.
//!
//! Run: `cargo bench -p postroom-core --bench parse`. The messages are every `.eml` of the
//! open corpora under `$POSTROOM_SHARED_DIR/testdata` plus the golden set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::html;
use postroom_core::message::{Message, ParseLimits};

fn shared_dir() -> PathBuf {
    std::env::var_os("POSTROOM_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    )
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
}

fn corpus() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for name in ["sisimai-bounces", "talon-quotations"] {
        files.extend(eml_files(
            &shared_dir().join("testdata").join(name).join("emails"),
        ));
    }
    files.extend(eml_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden"),
    ));
    assert!(
        files.len() > 20,
        "corpus not found under {}",
        shared_dir().display()
    );
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// What `process --dry-run` does per message before classification: parse, then the two
/// text views of the body.
fn read_one(raw: &[u8]) -> usize {
    let parsed = Message::parse(raw, &ParseLimits::default()).unwrap();
    let body = parsed.message.body_text();
    let html_text = parsed.message.html_text();
    body.len() + html_text.map_or(0, |t| t.len()) + parsed.warnings.len()
}

fn bench(c: &mut Criterion) {
    let messages = corpus();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let htmls: Vec<String> = messages
        .iter()
        .filter_map(|raw| Message::parse(raw, &ParseLimits::default()).ok())
        .filter_map(|p| p.message.html_body)
        .collect();
    eprintln!(
        "corpus: {} messages, {bytes} bytes, {} HTML bodies",
        messages.len(),
        htmls.len()
    );

    let mut group = c.benchmark_group("read_mail_messages");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.bench_function("parse+html_to_text", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| read_one(black_box(m)))
                .sum::<usize>()
        })
    });
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            messages
                .iter()
                .filter(|m| Message::parse(black_box(m), &ParseLimits::default()).is_ok())
                .count()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("read_mail_bytes");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse+html_to_text", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| read_one(black_box(m)))
                .sum::<usize>()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("html_to_text");
    group.throughput(Throughput::Elements(htmls.len() as u64));
    group.bench_function("corpus_html_bodies", |b| {
        b.iter(|| {
            htmls
                .iter()
                .map(|h| html::html_to_text(black_box(h)).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
