//! The console's notification preview once the issue is fetched (issue 32: ≤ 5 ms p99): the
//! rule's drafted templates compiled, postroom's defaults compiled, the event the kind
//! would come with, the issue's variables, and the subject, text and HTML rendered — every
//! step `POST /api/v1/notifications/preview` takes after Jira answered. Two drafts: the
//! defaults (an empty editor) and a typical edited HTML template.
//!
//! Run: `cargo bench -p postroom-core --bench notify_preview`. After criterion's figures it
//! prints the p50/p99 of 2,000 single previews of each draft.

#![allow(clippy::unwrap_used, reason = "a benchmark of fixed inputs")]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use postroom_core::notify::{self, NotifyTemplates, Reader, Words, preview};
use postroom_core::profile::{EventKind, NotificationRule};
use postroom_core::template::{CalendarDate, IssueContext};

/// An edited HTML part of the size an administrator writes: a greeting, the comment, the
/// issue's facts in a table, a conditional and a link.
const EDITED_HTML: &str = r#"<p>Hello {{ recipient.name or "there" }},</p>
<p>{{ actor.display_name }} wrote on <strong>{{ issue.key }}</strong>:</p>
<blockquote>{{ comment.body }}</blockquote>
<table>
  <tr><td>Summary</td><td>{{ issue.summary }}</td></tr>
  <tr><td>Status</td><td>{{ issue.status }}</td></tr>
  <tr><td>Priority</td><td>{{ issue.priority }}</td></tr>
  <tr><td>Assignee</td><td>{{ assignee.display_name }}</td></tr>
</table>
{% if event.kind == "comment_added" %}<p>Reply to this mail to answer.</p>{% endif %}
<p><a href="{{ issue.link }}">View {{ issue.key }}</a> · {{ reply.hint }}</p>"#;

fn rule(html: Option<&str>) -> NotificationRule {
    NotificationRule {
        comment: None,
        name: None,
        projects: Vec::new(),
        events: vec![EventKind::CommentAdded],
        to: Vec::new(),
        subject: html.map(|_| "[{{ issue.key }}] {{ actor.display_name }} replied".to_owned()),
        text: None,
        html: html.map(str::to_owned),
    }
}

/// One preview as the API renders it, from the drafted rule to the rendered words.
fn render(rule: &NotificationRule, today: CalendarDate) -> Words {
    let templates = NotifyTemplates::new(rule).unwrap();
    let defaults = NotifyTemplates::defaults().unwrap();
    let issue = preview::example_issue();
    let actor = preview::example_actor();
    let kind = EventKind::CommentAdded;
    let event = preview::event_for(kind, &issue, &actor).unwrap();
    let vars = IssueContext {
        issue: &issue,
        fields: &[],
        agent: &actor,
        today,
        site_url: "https://acme.atlassian.net",
    }
    .build();
    let reader = Reader {
        name: Some("Frank Müller"),
        address: "frank@customer.example",
        reply_address: Some("support@acme.example"),
    };
    let context = notify::variables(&vars, kind, &event, reader, &[]);
    templates.render(&context, &defaults).unwrap()
}

fn previews(c: &mut Criterion) {
    let today = CalendarDate::from_unix_seconds(1_765_000_000, 0).unwrap();
    let drafts = [
        ("defaults", rule(None)),
        ("edited_html", rule(Some(EDITED_HTML))),
    ];
    let mut group = c.benchmark_group("notify_preview");
    for (name, draft) in &drafts {
        assert!(render(draft, today).html.contains("EXAMPLE-42"));
        group.bench_function(*name, |b| b.iter(|| render(black_box(draft), today)));
    }
    group.finish();
    for (name, draft) in &drafts {
        let mut micros: Vec<u128> = (0..2_000)
            .map(|_| {
                let start = Instant::now();
                black_box(render(draft, today));
                start.elapsed().as_micros()
            })
            .collect();
        micros.sort_unstable();
        println!(
            "notify_preview {name}: p50 {} µs, p99 {} µs over {} previews",
            micros[micros.len() / 2],
            micros[micros.len() * 99 / 100],
            micros.len()
        );
    }
}

criterion_group!(benches, previews);
criterion_main!(benches);
