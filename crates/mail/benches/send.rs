//! Messages per second through the SMTP pool to a real peer (aiosmtpd on loopback, see
//! `tests/support/smtp_peer.py`), 10 KB messages, plain SMTP.
//!
//! Needs `POSTROOM_TEST_SMTP_PEER` (a Python with aiosmtpd); without it nothing is measured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{EnvelopeSender, MailSender, OutboundEnvelope};
use postroom_mail::send::{Security, SmtpSender, SmtpSettings};

/// Messages per iteration, sent by as many concurrent tasks as the pool has connections.
const BATCH: usize = 200;

fn message() -> Vec<u8> {
    let mut m = b"From: noreply@help.example.com\r\nTo: ann@example.org\r\nSubject: bench\r\n\
Message-ID: <bench@help.example.com>\r\n\r\n"
        .to_vec();
    let line = format!("{}\r\n", "0123456789".repeat(7));
    while m.len() < 10 * 1024 {
        m.extend_from_slice(line.as_bytes());
    }
    m
}

fn bench(c: &mut Criterion) {
    let Some(peer) = support::Peer::start(&[]) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("smtp_send_10kb");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    for pool_size in [1usize, 4, 8] {
        let mut settings = SmtpSettings::new("127.0.0.1", peer.port, Security::Plain);
        settings.pool_size = pool_size;
        let sender = Arc::new(SmtpSender::new(&settings).unwrap());
        let envelope = Arc::new(OutboundEnvelope {
            sender: EnvelopeSender::Address(
                EmailAddress::parse("noreply@help.example.com").unwrap(),
            ),
            recipients: vec![EmailAddress::parse("ann@example.org").unwrap()],
            identity: Default::default(),
        });
        let body = Arc::new(message());
        group.bench_function(format!("pool_{pool_size}"), |b| {
            b.to_async(&runtime).iter(|| {
                let (sender, envelope, body) = (sender.clone(), envelope.clone(), body.clone());
                async move {
                    let mut tasks = tokio::task::JoinSet::new();
                    for worker in 0..pool_size {
                        let (sender, envelope, body) =
                            (sender.clone(), envelope.clone(), body.clone());
                        tasks.spawn(async move {
                            for _ in (worker..BATCH).step_by(pool_size) {
                                sender.send(&envelope, &body).await.unwrap();
                            }
                        });
                    }
                    while let Some(done) = tasks.join_next().await {
                        done.unwrap();
                    }
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
