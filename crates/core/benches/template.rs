//! Template speed: the typical canned response of `tests/template_golden/` (22 lines, 8
//! variables, one conditional, a date filter) rendered with a prepared context, i.e. what
//! applying a canned response costs once Jira has answered. Also the one-off costs around
//! it: compiling the template, building the context from the issue, and converting the
//! rendered Markdown to ADF and to wiki markup.
//!
//! Run: `cargo bench -p postroom-core --bench template`.

#![allow(clippy::unwrap_used, reason = "a benchmark reads fixed files")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use postroom_core::markup;
use postroom_core::ports::tracker::{Field, Issue, User};
use postroom_core::template::{CalendarDate, Compiled, Format, IssueContext, RenderContext};

const SOURCE: &str = include_str!("../tests/template_golden/typical.md.j2");
const ISSUE: &str = include_str!("../tests/template_golden/typical.issue.json");

fn inputs() -> (Issue, Vec<Field>, User) {
    let issue: Issue = serde_json::from_str(ISSUE).unwrap();
    let fields = vec![Field {
        id: "customfield_10050".to_owned(),
        name: "Customer Tier".to_owned(),
        custom: true,
    }];
    let agent = User {
        account_id: "u-9".to_owned(),
        display_name: "Alan Turing".to_owned(),
        email: None,
        active: true,
    };
    (issue, fields, agent)
}

fn context(issue: &Issue, fields: &[Field], agent: &User) -> RenderContext {
    IssueContext {
        issue,
        fields,
        agent,
        today: CalendarDate::new(2026, 11, 23).unwrap(),
        site_url: "https://example.atlassian.net",
    }
    .build()
}

fn bench_template(c: &mut Criterion) {
    let (issue, fields, agent) = inputs();
    let prepared = context(&issue, &fields, &agent);
    let compiled = Compiled::new(SOURCE, Format::Markup).unwrap();
    let rendered = compiled.render(&prepared).unwrap().text;

    let mut group = c.benchmark_group("template");
    group.bench_function("render_typical_canned_response", |b| {
        b.iter(|| black_box(compiled.render(black_box(&prepared)).unwrap()));
    });
    group.bench_function("compile_typical_canned_response", |b| {
        b.iter(|| black_box(Compiled::new(black_box(SOURCE), Format::Markup).unwrap()));
    });
    group.bench_function("build_issue_context", |b| {
        b.iter(|| black_box(context(black_box(&issue), &fields, &agent)));
    });
    group.bench_function("markup_to_adf", |b| {
        b.iter(|| black_box(markup::to_adf(black_box(&rendered))));
    });
    group.bench_function("markup_to_wiki", |b| {
        b.iter(|| black_box(markup::to_wiki(black_box(&rendered))));
    });
    group.finish();
}

criterion_group!(benches, bench_template);
criterion_main!(benches);
