//! Messages per second taken in through the SMTP listener: 10 KB messages sent over ten
//! concurrent loopback connections, each acknowledged only after its intake commit (sealed
//! blob on the local directory, record and job in the database). On SQLite (the embedded
//! default) and, when `POSTROOM_TEST_PG` names a server, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom::inbound::ListenerSink;
use postroom_core::profile::Profile;
use postroom_core::redact::Redactor;
use postroom_core::tenant::TenantId;
use postroom_engine::intake::Intake;
use postroom_mail::smtp::{Listener, ListenerConfig, RateLimit};
use postroom_store::blobs::{BlobConfig, BlobStore};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::{JiraConnection, testing};
use tokio_util::sync::CancellationToken;

const CONNECTIONS: u64 = 10;
const PER_CONNECTION: u64 = 20;

static NEXT: AtomicU64 = AtomicU64::new(0);

fn message() -> Vec<u8> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut text = format!(
        "Message-ID: <bench-{n}@example.org>\r\nFrom: customer@example.org\r\n\
         To: support@example.com\r\nSubject: bench {n}\r\n\r\n"
    );
    while text.len() < 10 * 1024 {
        text.push_str("The printer on the third floor prints blank pages again.\r\n");
    }
    text.push_str(".\r\n");
    text.into_bytes()
}

/// One connection sending its share, one transaction after the other.
async fn client(addr: SocketAddr) {
    support::session(addr, PER_CONNECTION, message).await;
}

async fn listener(store: &postroom_store::Store, dir: &std::path::Path) -> SocketAddr {
    let tenant = store
        .ensure_tenant(&TenantId::default_tenant(), &JiraConnection::default(), 1)
        .await
        .unwrap();
    let keyring = Keyring::new(KeyVault::new(dir.join("keys")), MasterKey::generate(), None);
    let blobs = BlobStore::open(&BlobConfig::Local(dir.join("blobs"))).unwrap();
    let profile = Profile::load(include_str!("../../../examples/profile.json")).unwrap();
    let sink = ListenerSink::new(
        Intake::new(keyring, blobs, 25 << 20),
        postroom::tenancy::MailRoutes::single(
            tenant,
            postroom::profiles::SharedProfile::new(profile, 0),
        ),
    );
    let config = ListenerConfig {
        rate: RateLimit {
            burst: u32::MAX,
            per_minute: u32::MAX,
        },
        ..ListenerConfig::default()
    };
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listener = Listener::bind(addr, config, sink, Redactor::new([1; 32]))
        .await
        .unwrap();
    let bound = listener.local_addr().unwrap();
    tokio::spawn(listener.serve(CancellationToken::new()));
    bound
}

fn intake(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("intake_via_smtp");
    group.throughput(Throughput::Elements(CONNECTIONS * PER_CONNECTION));
    group.sample_size(10);
    let stores = rt.block_on(testing::all_backends()).unwrap();
    for test_store in &stores {
        let dir = tempfile::tempdir().unwrap();
        let addr = rt.block_on(listener(&test_store.store, dir.path()));
        let name = format!("{:?}_10KB_x{CONNECTIONS}_connections", test_store.backend());
        group.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let clients: Vec<_> = (0..CONNECTIONS)
                        .map(|_| tokio::spawn(client(addr)))
                        .collect();
                    for c in clients {
                        c.await.unwrap();
                    }
                });
            });
        });
    }
    group.finish();
}

criterion_group!(benches, intake);
criterion_main!(benches);
