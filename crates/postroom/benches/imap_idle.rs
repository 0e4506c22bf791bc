//! How soon a message delivered into an IMAP mailbox is in postroom's intake: the poller
//! waits in `IDLE` on the test Dovecot (`POSTROOM_TEST_IMAP`, started by scripts/test),
//! a message is delivered by LMTP (`POSTROOM_TEST_LMTP`), and the time until its intake
//! row is committed is measured. Polling is set to once a minute, so only `IDLE` can explain
//! a fast pick-up. Skipped with a message when the test Dovecot is not running.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use postroom::inbound::MailboxSink;
use postroom_core::tenant::TenantId;
use postroom_engine::intake::{Intake, dedupe_hash};
use postroom_mail::imap::{MailboxSettings, Poller};
use postroom_store::blobs::{BlobConfig, BlobStore};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::mailboxes::Mailboxes;
use postroom_store::{JiraConnection, TenantStore, testing};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

const MAILBOX: &str = "bench";

/// Delivers `message` to alice's INBOX over LMTP.
async fn deliver(lmtp: &str, message: &[u8]) {
    let (read, mut write) = TcpStream::connect(lmtp).await.unwrap().into_split();
    let mut read = BufReader::new(read);
    let mut reply = async || loop {
        let mut line = String::new();
        read.read_line(&mut line).await.unwrap();
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return line;
        }
    };
    assert!(reply().await.starts_with("220"));
    for command in [
        "LHLO bench\r\n",
        "MAIL FROM:<bench@example.org>\r\n",
        "RCPT TO:<alice@example.test>\r\n",
    ] {
        write.write_all(command.as_bytes()).await.unwrap();
        let answer = reply().await;
        assert!(answer.starts_with("250"), "{command}: {answer}");
    }
    write.write_all(b"DATA\r\n").await.unwrap();
    assert!(reply().await.starts_with("354"));
    write.write_all(message).await.unwrap();
    write.write_all(b".\r\n").await.unwrap();
    let answer = reply().await;
    assert!(answer.starts_with("250"), "{answer}");
    write.write_all(b"QUIT\r\n").await.unwrap();
}

fn message(n: u64) -> Vec<u8> {
    format!(
        "Message-ID: <idle-bench-{}-{n}@example.org>\r\nFrom: c@example.org\r\n\
         To: support@example.com\r\nSubject: idle {n}\r\n\r\nhello\r\n",
        std::process::id()
    )
    .into_bytes()
}

async fn wait_for(tenant: &TenantStore, hash: &str) {
    while tenant.intake_by_hash(hash).await.unwrap().is_none() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn idle(c: &mut Criterion) {
    let (Ok(imap), Ok(lmtp)) = (
        std::env::var("POSTROOM_TEST_IMAP"),
        std::env::var("POSTROOM_TEST_LMTP"),
    ) else {
        eprintln!(
            "POSTROOM_TEST_IMAP / POSTROOM_TEST_LMTP are not set: skipping the IDLE benchmark"
        );
        return;
    };
    let (host, port) = imap.rsplit_once(':').unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = rt.block_on(testing::sqlite()).unwrap();
    let tenant = rt
        .block_on(store.store.ensure_tenant(
            &TenantId::default_tenant(),
            &JiraConnection::default(),
            1,
        ))
        .unwrap();
    let keyring = Keyring::new(
        KeyVault::new(dir.path().join("keys")),
        MasterKey::generate(),
        None,
    );
    let blobs = BlobStore::open(&BlobConfig::Local(dir.path().join("blobs"))).unwrap();
    let intake = Intake::new(keyring, blobs, 25 << 20);
    let settings: MailboxSettings = toml::from_str(&format!(
        "name = \"{MAILBOX}\"\nserver = \"{host}\"\nport = {port}\nsecurity = \"plain\"\n\
         folder = \"INBOX\"\npoll_interval_secs = 60\n\
         [auth]\nmethod = \"login\"\nuser = \"alice@example.test\"\npassword = \"secret\"\n"
    ))
    .unwrap();
    let poller = Poller::new(
        settings,
        MailboxSink::new(intake, tenant.clone()),
        Mailboxes::new(tenant.clone()),
        "bench",
    );
    let cancel = CancellationToken::new();
    rt.spawn(poller.run(cancel.clone()));
    let mut n = 0;
    // The first message also waits for the poller's first pass over what the INBOX holds.
    rt.block_on(async {
        let raw = message(n);
        deliver(&lmtp, &raw).await;
        tokio::time::timeout(
            Duration::from_secs(120),
            wait_for(&tenant, &dedupe_hash(&raw)),
        )
        .await
        .expect("the poller took nothing in within 2 minutes");
    });
    let mut group = c.benchmark_group("imap_idle");
    group.sample_size(20);
    group.bench_function("delivery_to_intake", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let raw = message(n);
                let hash = dedupe_hash(&raw);
                total += rt.block_on(async {
                    let start = Instant::now();
                    deliver(&lmtp, &raw).await;
                    wait_for(&tenant, &hash).await;
                    start.elapsed()
                });
            }
            total
        });
    });
    group.finish();
    cancel.cancel();
}

criterion_group!(benches, idle);
criterion_main!(benches);
