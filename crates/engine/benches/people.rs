//! A person's data on a big site: `People::find` + `People::export` for one customer of a
//! tenant with 100,000 messages in its audit and about 1 GB of stored raw mail, without and
//! with the deep search (which opens every stored mail and report).
//!
//! The site is written straight through the store (intake rows, results with sealed
//! reports, sealed raw mails of 10 KiB in a local blob directory): a real intake of
//! 100,000 mails would take long and measure something else. The customer sent 50 of the
//! messages and is in the Cc of 50 more. Criterion measures the export without the deep
//! search; the deep one takes tens of seconds, so it is timed once per run and printed
//! after criterion's report (`PEOPLE_BENCH_ROWS` makes the site smaller for a quick look).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use postroom_core::message::EmailAddress;
use postroom_core::redact::Redactor;
use postroom_core::tenant::TenantId;
use postroom_engine::intake::Intake;
use postroom_engine::people::{People, Subject};
use postroom_store::blobs::{BlobConfig, BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey, Place};
use postroom_store::inbound::{InboundResult, ResultStatus};
use postroom_store::intake::{IntakeRecord, IntakeSource};
use postroom_store::{JiraConnection, Store, TenantStore};

const FRANK: &str = "frank@customer.example";
/// Bytes of each stored raw mail: 100,000 of them make about 1 GB.
const MAIL_BYTES: usize = 10 * 1024;

struct Site {
    tenant: TenantStore,
    people: People,
    rows: usize,
    _dir: tempfile::TempDir,
}

fn rows() -> usize {
    std::env::var("PEOPLE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// A mail of about [`MAIL_BYTES`] from `from` with `cc` in its Cc.
fn mail(n: usize, from: &str, cc: &str) -> Vec<u8> {
    let mut text = format!(
        "From: Someone <{from}>\r\nTo: support@example.com\r\nCc: {cc}\r\n\
         Subject: Request {n}\r\nMessage-ID: <m{n}@customer.example>\r\n\r\n"
    );
    while text.len() < MAIL_BYTES {
        text.push_str("The printer on the third floor prints only half of each page.\r\n");
    }
    text.into_bytes()
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("postroom.db").display());
    let store = Store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    let tenant = store
        .ensure_tenant(&TenantId::default_tenant(), &JiraConnection::default(), 1)
        .await
        .unwrap();
    let keyring = Keyring::new(
        KeyVault::new(dir.path().join("keys")),
        MasterKey::generate(),
        None,
    );
    let blobs = BlobStore::open(&BlobConfig::Local(dir.path().join("blobs"))).unwrap();
    let intake = Intake::new(keyring.clone(), blobs.clone(), 1 << 20);
    let redactor = Redactor::new(keyring.redaction_key());
    let cipher = keyring.cipher(&tenant).await.unwrap();
    let sealed = TenantBlobs::new(blobs, cipher.clone());
    let rows = rows();
    let started = Instant::now();
    for chunk in (0..rows).collect::<Vec<_>>().chunks(1_000) {
        let mut tx = tenant.begin().await.unwrap();
        for &n in chunk {
            // Every 1,000th mail is Frank's own, every 1,000th (offset) names him in its Cc.
            let from = if n % 2_000 == 7 {
                FRANK.to_owned()
            } else {
                format!("c{}@customer.example", n % 2_000)
            };
            let cc = if n % 2_000 == 1_007 {
                FRANK
            } else {
                "desk@example.com"
            };
            let id = format!("bench{n:08}");
            sealed
                .put(BlobKind::InboundMail, &id, &mail(n, &from, cc))
                .await
                .unwrap();
            tx.record_intake(&IntakeRecord {
                id: id.clone(),
                mailbox: "support".to_owned(),
                source: IntakeSource::Listener,
                dedupe_hash: format!("d{n}"),
                message_id_sha256: None,
                size: MAIL_BYTES as i64,
                status: "queued".to_owned(),
                reason: None,
                received_at_ms: n as i64,
                store_raw: true,
            })
            .await
            .unwrap();
            let report = serde_json::json!({
                "intake_id": id, "message_id": format!("m{n}@customer.example"),
                "from": from, "subject": format!("Request {n}"),
                "lines": ["classification: human", "jira: created an issue"],
            });
            let place = Place::column("inbound_results", "report", id.as_str());
            let address = EmailAddress::parse(&from).unwrap();
            tx.record_result(&InboundResult {
                intake_id: id.clone(),
                status: ResultStatus::Created,
                issue_key: Some(format!("SUP-{}", n + 1)),
                comment_id: None,
                sender_hash: Some(redactor.address(&address).to_string()),
                report: cipher.seal(&place, report.to_string().as_bytes()).unwrap(),
                processed_at_ms: n as i64 + 1,
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    eprintln!(
        "people bench: {rows} messages and {} MiB of sealed mail written in {:.1} s",
        rows * MAIL_BYTES / (1 << 20),
        started.elapsed().as_secs_f64()
    );
    Site {
        tenant,
        people: People::new(intake),
        rows,
        _dir: dir,
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = runtime.block_on(site());
    let frank = Subject::parse(Some(FRANK), None).unwrap();
    let export = |deep: bool| {
        runtime.block_on(async {
            let found = site.people.find(&site.tenant, &frank, deep).await.unwrap();
            let archive = site.people.export(&site.tenant, &found, 1).await.unwrap();
            (found.messages.len(), archive.len())
        })
    };
    let (messages, bytes) = export(false);
    assert_eq!(messages, site.rows.div_ceil(2_000), "Frank's own mails");
    eprintln!("people bench: export without --deep: {messages} messages, {bytes} bytes");
    c.bench_function("person_export", |b| b.iter(|| export(false)));
    let started = Instant::now();
    let (messages, bytes) = export(true);
    eprintln!(
        "people bench: export with --deep over {} messages: {:.1} s, {messages} messages, \
         {bytes} bytes",
        site.rows,
        started.elapsed().as_secs_f64()
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
