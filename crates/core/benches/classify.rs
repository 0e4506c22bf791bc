//! Classification speed over the shared corpora: every sisimai bounce and feedback report
//! and every talon human mail, parsed once beforehand, so only `classify` is timed.
//!
//! Run: `cargo bench -p postroom-core --bench classify`. Corpus from `POSTROOM_SHARED_DIR`,
//! else `<repo>/../shared`.

#![allow(clippy::unwrap_used, reason = "a benchmark reads fixed files")]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::classify::{ClassifyContext, SpamScore, classify};
use postroom_core::message::{Message, ParseLimits};

fn read_dir(dir: &Path, wrap: bool) -> Vec<Message> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let raw = match path.extension().and_then(|e| e.to_str()) {
                Some("eml") => bytes,
                Some("txt") if wrap => {
                    let mut raw = b"From: Customer <customer@example.org>\r\nTo: support@example.com\r\nSubject: Re: corpus case\r\n\r\n".to_vec();
                    raw.extend_from_slice(&bytes);
                    raw
                }
                _ => return None,
            };
            Some(Message::parse(&raw, &ParseLimits::default()).unwrap().message)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let shared = std::env::var_os("POSTROOM_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let bounces = read_dir(&shared.join("testdata/sisimai-bounces/emails"), false);
    let humans = read_dir(&shared.join("testdata/talon-quotations/emails"), true);
    let context = ClassifyContext {
        own_domains: vec!["support.example.net".into()],
        trusted_authserv_id: Some("mx.support.example.net".into()),
        spam_score: Some(SpamScore {
            header: "X-Spam-Score".into(),
            threshold: 5.0,
        }),
        flood: None,
    };
    let mut group = c.benchmark_group("classify");
    for (name, messages) in [("sisimai_bounces", &bounces), ("talon_human", &humans)] {
        group.throughput(Throughput::Elements(messages.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for message in messages {
                    black_box(classify(black_box(message), &context));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
