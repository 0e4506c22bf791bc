//! Canned-response search over 10,000 templates: what an agent waits for on every key
//! stroke in a picker. `search` measures a query on a prepared index (the aim is ≤ 2 ms);
//! `index` measures preparing the index from the templates, which the engine does once per
//! change to a tenant's templates (it keeps the prepared index between requests).
//!
//! Run: `cargo bench -p postroom-core --bench canned_search`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use postroom_core::canned::{Draft, RecentUse, Scope, SearchIndex, Template};

const NOW: i64 = 1_800_000_000_000;
const WORDS: [&str; 16] = [
    "refund", "invoice", "password", "login", "outage", "billing", "shipping", "delay", "upgrade",
    "license", "export", "report", "access", "account", "renewal", "credit",
];

/// 10,000 templates of realistic size: a three-word name, two tags and a ~400-byte body
/// with variables, drawn deterministically from a small vocabulary.
fn templates() -> Vec<Template> {
    (0..10_000usize)
        .map(|i| {
            let w = |k: usize| WORDS[(i / (k + 1) + k * 7) % WORDS.len()];
            let body = format!(
                "Hello {{{{ reporter.first_name | default(\"there\") }}}},\n\nthank you for \
                 writing about your {} question. We looked at {{{{ issue.key }}}} and the {} \
                 you mentioned; our team will follow up on the {} within one business day. \
                 If anything changes in the meantime, reply to this e-mail and it will reach \
                 us. You can also follow the progress at {{{{ issue.link }}}}.\n\nKind \
                 regards,\n{{{{ agent.display_name }}}} (#{i})",
                w(3),
                w(4),
                w(5)
            );
            Template {
                id: format!("t{i}"),
                draft: Draft {
                    name: format!("{} {} {i}", w(0), w(1)),
                    body,
                    description: String::new(),
                    folder: None,
                    tags: vec![w(2).to_owned(), w(6).to_owned()],
                    scope: Scope::Global,
                },
                owner: "acc".to_owned(),
                created_ms: 0,
                updated_ms: 0,
                usage_count: (i % 97) as i64,
                last_used_ms: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let list = templates();
    let index = SearchIndex::new(&list);
    let mut recent = RecentUse::new();
    for i in (0..10_000).step_by(50) {
        recent.insert(format!("t{i}"), (3, NOW - 86_400_000));
    }
    c.bench_function("canned_search/10k/two_words", |b| {
        b.iter(|| black_box(index.search(black_box("refund delay"), &recent, NOW, 20)))
    });
    c.bench_function("canned_search/10k/no_match", |b| {
        b.iter(|| black_box(index.search(black_box("zebra"), &recent, NOW, 20)))
    });
    c.bench_function("canned_search/10k/empty_query", |b| {
        b.iter(|| black_box(index.search(black_box(""), &recent, NOW, 20)))
    });
    c.bench_function("canned_search/10k/index", |b| {
        b.iter(|| black_box(SearchIndex::new(black_box(&list))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
