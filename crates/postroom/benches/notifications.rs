//! Notifications rendered and sent: the default templates rendered for one recipient
//! (`NotifyTemplates::render` over `notify::variables`), written as MIME
//! (`NotificationFacts::compose`) and sent through `postroom_mail`'s SMTP pool (default
//! size, 4) to a real peer, aiosmtpd on loopback. The sample is the browser check's: a
//! comment with several paragraphs, a new issue and a status change, in turn.
//!
//! `render_compose` is the CPU part alone; `render_compose_send` needs
//! `POSTROOM_TEST_SMTP_PEER` (a Python with aiosmtpd) and is skipped without it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

#[path = "../tests/sample/notification.rs"]
#[allow(
    dead_code,
    reason = "the browser check also asserts the sample's texts; this bench only renders it"
)]
mod sample;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::message::EmailAddress;
use postroom_core::notify::{NotificationFacts, NotifyTemplates};
use postroom_core::ports::mail_sender::{EnvelopeSender, MailSender, OutboundEnvelope};
use postroom_core::template::RenderContext;
use postroom_mail::send::{Security, SmtpSender, SmtpSettings};

/// Notifications per iteration.
const BATCH: usize = 200;

/// What the planning job has ready: compiled defaults, the issue's variables, the events.
struct Prepared {
    templates: NotifyTemplates,
    issue: RenderContext,
    samples: Vec<sample::Sample>,
}

impl Prepared {
    fn new() -> Self {
        Self {
            templates: NotifyTemplates::defaults().unwrap(),
            issue: sample::issue_context(),
            samples: sample::samples(),
        }
    }

    /// The `n`th notification, rendered and written as the send job writes it.
    fn message(&self, n: usize) -> Vec<u8> {
        let sample = &self.samples[n % self.samples.len()];
        let words = sample.render(&self.issue, &self.templates);
        let facts = NotificationFacts {
            message_id: format!("n.bench{n}@acme.example"),
            to: "frank@customer.example".to_owned(),
            to_name: Some("Frank Müller".to_owned()),
            from: "support@acme.example".to_owned(),
            from_name: Some("Acme Support".to_owned()),
            reply_to: Some("support@acme.example".to_owned()),
            subject: words.subject,
            text: words.text,
            html: words.html,
            in_reply_to: "printer-1@customer.example".to_owned(),
            issue_key: sample::ISSUE_KEY.to_owned(),
            event: sample.kind.as_str().to_owned(),
            notes: Vec::new(),
            attachments: Vec::new(),
        };
        facts.compose("default", 1_795_000_000_000, &[]).unwrap()
    }
}

fn bench(c: &mut Criterion) {
    let prepared = Arc::new(Prepared::new());
    let mut group = c.benchmark_group("notifications");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("render_compose", |b| {
        b.iter(|| {
            for n in 0..BATCH {
                black_box(prepared.message(n));
            }
        });
    });
    let Some(peer) = smtp_peer::Peer::start(&[]) else {
        group.finish();
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let settings = SmtpSettings::new("127.0.0.1", peer.port, Security::Plain);
    let pool = settings.pool_size;
    let sender = Arc::new(SmtpSender::new(&settings).unwrap());
    let envelope = Arc::new(OutboundEnvelope {
        sender: EnvelopeSender::Address(EmailAddress::parse("bounces@acme.example").unwrap()),
        recipients: vec![EmailAddress::parse("frank@customer.example").unwrap()],
        identity: Default::default(),
    });
    group.sample_size(10);
    group.bench_function(format!("render_compose_send_pool_{pool}"), |b| {
        b.iter(|| {
            // As many send jobs at once as the pool has connections.
            runtime.block_on(async {
                let mut tasks = tokio::task::JoinSet::new();
                for worker in 0..pool {
                    let (prepared, sender, envelope) =
                        (prepared.clone(), sender.clone(), envelope.clone());
                    tasks.spawn(async move {
                        for n in (worker..BATCH).step_by(pool) {
                            let message = prepared.message(n);
                            sender.send(&envelope, &message).await.unwrap();
                        }
                    });
                }
                while let Some(done) = tasks.join_next().await {
                    done.unwrap();
                }
            });
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
