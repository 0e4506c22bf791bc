#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

//! Encrypt+store and load+decrypt of 10 KB and 10 MB blobs on the local-directory backend
//! (the default), reported as throughput.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::tenant::TenantId;
use postroom_store::blobs::{BlobConfig, BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::{JiraConnection, testing};

fn blobs(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = rt.block_on(testing::sqlite()).unwrap();
    let tenant = rt
        .block_on(db.store.ensure_tenant(
            &TenantId::parse("bench").unwrap(),
            &JiraConnection::default(),
            1,
        ))
        .unwrap();
    let keyring = Keyring::new(
        KeyVault::new(dir.path().join("keys")),
        MasterKey::generate(),
        None,
    );
    let store = BlobStore::open(&BlobConfig::Local(dir.path().join("blobs"))).unwrap();
    let blobs = TenantBlobs::new(store, rt.block_on(keyring.cipher(&tenant)).unwrap());

    let mut group = c.benchmark_group("blobs_local");
    for (label, size) in [("10KB", 10 * 1024), ("10MB", 10 * 1024 * 1024)] {
        let data = vec![0x5au8; size];
        group.throughput(Throughput::Bytes(size as u64));
        if size > 1024 * 1024 {
            group.sample_size(10);
        }
        group.bench_function(format!("encrypt_store_{label}"), |b| {
            b.iter(|| {
                rt.block_on(blobs.put(BlobKind::InboundMail, label, &data))
                    .unwrap()
            });
        });
        rt.block_on(blobs.put(BlobKind::InboundMail, label, &data))
            .unwrap();
        group.bench_function(format!("load_decrypt_{label}"), |b| {
            b.iter(|| {
                rt.block_on(blobs.get(BlobKind::InboundMail, label))
                    .unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, blobs);
criterion_main!(benches);
