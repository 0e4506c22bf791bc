#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Backups on every database backend (SQLite; PostgreSQL through pg_dump and through the
//! table export) and every target (a local directory; a prefix of an S3 bucket): a restore
//! into a fresh place holds the same rows and blobs, a flipped byte is found, a non-empty
//! target is refused, and a tenant erased after the backup stays unreadable in it.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::{ObjectStore, ObjectStoreExt};
use postroom_core::tenant::TenantId;
use postroom_store::access_log::AccessEntry;
use postroom_store::backup::{self, BackupError, BackupTarget, CreateOptions, Method, PgDumpUse};
use postroom_store::blobs::testing::TestBlobs;
use postroom_store::blobs::{self, BlobConfig, BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{CryptoError, KeyVault, Keyring, MasterKey};
use postroom_store::inventory::{TABLES, erase_tenant};
use postroom_store::testing::{self, TestStore};
use postroom_store::tokens::{ApiTokens, Scope};
use postroom_store::{Backend, JiraConnection, Store};
use sqlx::Row;

const NOW: i64 = 1_796_302_800_000;

fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).unwrap()
}

/// Two tenants with tokens, access-log rows (a serial id) and blobs: an empty one, a small
/// one and, when `big`, one larger than a backup frame (slow in a debug build, so only
/// where the frames' seams are the point).
async fn fill(store: &Store, keys: &Keyring, blobs: &BlobStore, big: bool) {
    for (i, name) in ["acme", "other"].into_iter().enumerate() {
        let handle = store
            .ensure_tenant(&tenant(name), &JiraConnection::default(), 1)
            .await
            .unwrap();
        ApiTokens::new(handle.clone())
            .create(&format!("acc-{i}"), "ci", Scope::Admin, 1)
            .await
            .unwrap();
        store
            .log_access(&AccessEntry {
                at_ms: NOW,
                method: "GET".into(),
                route: "/api/v1/audit".into(),
                status: 200,
                tenant: Some(tenant(name)),
                account_id: Some(format!("acc-{i}")),
                ip: None,
            })
            .await
            .unwrap();
        let sealed = TenantBlobs::new(blobs.clone(), keys.cipher(&handle).await.unwrap());
        sealed
            .put(
                BlobKind::InboundMail,
                "m1",
                format!("{name} mail").as_bytes(),
            )
            .await
            .unwrap();
        let size = if big { 4 * 1024 * 1024 + 100 } else { 1000 };
        sealed
            .put(BlobKind::SentMime, "big", &vec![i as u8; size])
            .await
            .unwrap();
        sealed.put(BlobKind::SentMime, "empty", b"").await.unwrap();
    }
}

/// Every row of every declared table, as text, sorted: what "the same data" means.
async fn rows(store: &Store) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    // The migrator's own table records when each migration ran: made anew by a restore
    // that migrates (the table export), and not postroom's data.
    for table in TABLES.iter().filter(|t| t.name != "_sqlx_migrations") {
        let sql = format!("SELECT * FROM {}", table.name);
        let mut lines: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(store.db().pool())
            .await
            .unwrap()
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                            format!("{v:?}")
                        } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                            format!("{v:?}")
                        } else if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
                            format!("{v:?}")
                        } else if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
                            format!("{v:?}")
                        } else {
                            format!("{:?}", row.try_get::<Option<f64>, _>(i).unwrap())
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        lines.sort();
        out.push((table.name.to_owned(), lines));
    }
    out
}

async fn objects(blobs: &BlobStore) -> Vec<(String, Vec<u8>)> {
    use futures::TryStreamExt;
    let mut keys: Vec<_> = blobs
        .raw()
        .list(None)
        .map_ok(|m| m.location)
        .try_collect()
        .await
        .unwrap();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let bytes = blobs.raw().get(&key).await.unwrap().bytes().await.unwrap();
        out.push((key.to_string(), bytes.to_vec()));
    }
    out
}

/// One target with the blob store it backs up.
struct Case {
    target: BackupTarget,
    /// The object store under the target, for tampering.
    raw: Arc<dyn ObjectStore>,
    /// The target's prefix inside `raw`.
    prefix: &'static str,
    source: TestBlobs,
    _keep: (Option<tempfile::TempDir>, Option<TestBlobs>),
}

impl Case {
    fn path(&self, id: &str, file: &str) -> object_store::path::Path {
        object_store::path::Path::from(format!("{}{id}/{file}", self.prefix))
    }
}

/// The targets of this run: a local directory, and a prefix of an S3 bucket when there is
/// an S3 server.
fn cases() -> Vec<Case> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![Case {
        target: BackupTarget::open(&BlobConfig::Local(dir.path().to_owned()), "").unwrap(),
        raw: Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap()),
        prefix: "",
        source: blobs::testing::local().unwrap(),
        _keep: (Some(dir), None),
    }];
    if let (Some(source), Some(bucket)) =
        (blobs::testing::s3().unwrap(), blobs::testing::s3().unwrap())
    {
        out.push(Case {
            target: BackupTarget::open(&bucket.config, "backups/weekly").unwrap(),
            raw: Arc::clone(bucket.store.raw()),
            prefix: "backups/weekly/",
            source,
            _keep: (None, Some(bucket)),
        });
    }
    out
}

/// A fresh, empty database of the same backend as `db`.
async fn empty_like(db: &TestStore) -> (String, Option<tempfile::TempDir>) {
    match db.backend() {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!(
                "sqlite:{}",
                dir.path().join("restored/postroom.db").display()
            );
            (url, Some(dir))
        }
        Backend::Postgres => (testing::postgres_url().await.unwrap().unwrap(), None),
    }
}

fn keyring(dir: &std::path::Path, master: &MasterKey) -> Keyring {
    Keyring::new(KeyVault::new(dir.join("keys")), master.clone(), None)
}

async fn fresh(backend: Backend) -> Option<TestStore> {
    match backend {
        Backend::Sqlite => Some(testing::sqlite().await.unwrap()),
        Backend::Postgres => testing::postgres().await.unwrap(),
    }
}

#[tokio::test]
async fn a_backup_restores_the_same_rows_and_blobs_on_every_backend_and_target() {
    for (backend, pg_dump) in [
        (Backend::Sqlite, PgDumpUse::Auto),
        (Backend::Postgres, PgDumpUse::Auto),
        (Backend::Postgres, PgDumpUse::Never),
    ] {
        for case in cases() {
            let Some(db) = fresh(backend).await else {
                continue;
            };
            let (store, url, target) = (&db.store, &db.url, &case.target);
            let keys_dir = tempfile::tempdir().unwrap();
            let master = MasterKey::generate();
            let keys = keyring(keys_dir.path(), &master);
            fill(store, &keys, &case.source.store, backend == Backend::Sqlite).await;
            let (id, contents) = backup::create(
                store,
                url,
                &case.source.store,
                &keys,
                target,
                CreateOptions {
                    now_ms: NOW,
                    pg_dump,
                },
            )
            .await
            .unwrap();
            match (db.backend(), pg_dump) {
                (Backend::Sqlite, _) => assert_eq!(contents.method, Method::SqliteVacuumInto),
                (Backend::Postgres, PgDumpUse::Auto) => {
                    assert!(
                        matches!(contents.method, Method::PgDump { .. }),
                        "{contents:?}"
                    )
                }
                (Backend::Postgres, PgDumpUse::Never) => {
                    assert!(matches!(contents.method, Method::TableExport { .. }))
                }
            }
            assert_eq!(contents.blobs, 6);
            let listed = target.list(&keys).await.unwrap();
            assert!(listed.iter().any(|b| b.id == id && b.contents.is_some()));

            let (restored_url, _restored_dir) = empty_like(&db).await;
            let restored_blobs = blobs::testing::local().unwrap();
            // Restoring needs only the master key: the vault is the instance's own.
            let restored = backup::restore(
                target,
                &id,
                &keyring(keys_dir.path(), &master),
                &restored_url,
                &restored_blobs.store,
            )
            .await
            .unwrap();
            assert_eq!(restored.blobs, 6);
            let again = Store::open(&restored_url).await.unwrap();
            again.migrate().await.unwrap();
            assert_eq!(
                rows(&again).await,
                rows(store).await,
                "{backend:?} {pg_dump:?}"
            );
            assert_eq!(
                objects(&restored_blobs.store).await,
                objects(&case.source.store).await
            );
            // The restored store is a working one: sealed blobs open with the tenant keys,
            // and new rows take ids after the restored ones.
            let acme = again.tenant(&tenant("acme")).await.unwrap();
            let mail = TenantBlobs::new(
                restored_blobs.store.clone(),
                keys.cipher(&acme).await.unwrap(),
            )
            .get(BlobKind::InboundMail, "m1")
            .await
            .unwrap();
            assert_eq!(mail, b"acme mail");
            again
                .log_access(&AccessEntry {
                    at_ms: NOW,
                    method: "GET".into(),
                    route: "/healthz".into(),
                    status: 200,
                    tenant: None,
                    account_id: None,
                    ip: None,
                })
                .await
                .unwrap();
            ApiTokens::new(acme)
                .create("acc-new", "ci", Scope::Agent, 2)
                .await
                .unwrap();

            // A second restore into the now-filled place is refused, changing nothing.
            let refused = backup::restore(target, &id, &keys, &restored_url, &restored_blobs.store)
                .await
                .unwrap_err();
            assert!(matches!(refused, BackupError::NotEmpty(_)), "{refused}");
            let empty_db = empty_like(&db).await;
            let refused = backup::restore(target, &id, &keys, &empty_db.0, &restored_blobs.store)
                .await
                .unwrap_err();
            assert!(refused.to_string().contains("blob store"), "{refused}");
        }
    }
}

#[tokio::test]
async fn verify_finds_a_flipped_byte_in_any_file_and_a_foreign_master_key() {
    for case in cases() {
        let db = testing::sqlite().await.unwrap();
        let (target, source_blobs) = (&case.target, &case.source);
        let keys_dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let keys = keyring(keys_dir.path(), &master);
        fill(&db.store, &keys, &source_blobs.store, false).await;
        let (id, contents) = backup::create(
            &db.store,
            &db.url,
            &source_blobs.store,
            &keys,
            target,
            CreateOptions {
                now_ms: NOW,
                pg_dump: PgDumpUse::Auto,
            },
        )
        .await
        .unwrap();
        assert_eq!(target.verify(&id, &keys).await.unwrap(), contents);
        let other = keyring(keys_dir.path(), &MasterKey::generate());
        let err = target.verify(&id, &other).await.unwrap_err();
        assert!(err.to_string().contains("not loaded"), "{err}");

        for file in ["database", "blobs", "manifest.json"] {
            let (store, path) = (&case.raw, case.path(&id, file));
            let original = store.get(&path).await.unwrap().bytes().await.unwrap();
            for at in [0, original.len() / 2, original.len() - 1] {
                let mut bad = original.to_vec();
                bad[at] ^= 0x01;
                store.put(&path, bad.into()).await.unwrap();
                let err = target.verify(&id, &keys).await.unwrap_err();
                assert!(
                    matches!(err, BackupError::Corrupt { .. } | BackupError::Crypto(_)),
                    "{file} byte {at}: {err}"
                );
            }
            store.put(&path, original.into()).await.unwrap();
        }
        target.verify(&id, &keys).await.unwrap();
        // A restore of a damaged backup writes nothing.
        let (store, path) = (&case.raw, case.path(&id, "blobs"));
        let original = store.get(&path).await.unwrap().bytes().await.unwrap();
        let mut bad = original.to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 0x80;
        store.put(&path, bad.into()).await.unwrap();
        let fresh = tempfile::tempdir().unwrap();
        let fresh_url = format!("sqlite:{}", fresh.path().join("p.db").display());
        let fresh_blobs = blobs::testing::local().unwrap();
        assert!(
            backup::restore(target, &id, &keys, &fresh_url, &fresh_blobs.store)
                .await
                .is_err()
        );
        assert!(!fresh.path().join("p.db").exists());
        assert!(objects(&fresh_blobs.store).await.is_empty());
    }
}

#[tokio::test]
async fn a_tenant_erased_after_the_backup_cannot_be_read_from_its_restore() {
    for db in testing::all_backends().await.unwrap() {
        let case = cases().remove(0);
        let (target, source_blobs) = (&case.target, &case.source);
        let keys_dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let keys = keyring(keys_dir.path(), &master);
        fill(&db.store, &keys, &source_blobs.store, false).await;
        let (id, _) = backup::create(
            &db.store,
            &db.url,
            &source_blobs.store,
            &keys,
            target,
            CreateOptions {
                now_ms: NOW,
                pg_dump: PgDumpUse::Auto,
            },
        )
        .await
        .unwrap();
        erase_tenant(&db.store, &keys, &source_blobs.store, &tenant("acme"))
            .await
            .unwrap();

        let (url, _dir) = empty_like(&db).await;
        let restored_blobs = blobs::testing::local().unwrap();
        backup::restore(target, &id, &keys, &url, &restored_blobs.store)
            .await
            .unwrap();
        let restored = Store::open(&url).await.unwrap();
        // The rows and blobs are back, sealed; the key that opens them is gone for good.
        let acme = restored.tenant(&tenant("acme")).await.unwrap();
        assert!(matches!(
            keys.existing_cipher(restored.db(), &tenant("acme")).await,
            Err(CryptoError::NoKey(_))
        ));
        let sealed = restored_blobs
            .store
            .raw()
            .get(&"acme/inbound/m1".into())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(!sealed.windows(9).any(|w| w == b"acme mail"));
        let _ = acme;
        let other = restored.tenant(&tenant("other")).await.unwrap();
        let mail = TenantBlobs::new(
            restored_blobs.store.clone(),
            keys.cipher(&other).await.unwrap(),
        )
        .get(BlobKind::InboundMail, "m1")
        .await
        .unwrap();
        assert_eq!(mail, b"other mail");
    }
}

#[tokio::test]
async fn prune_keeps_the_newest_complete_backups_and_drops_interrupted_older_ones() {
    let db = testing::sqlite().await.unwrap();
    let case = cases().remove(0);
    let (target, source_blobs) = (&case.target, &case.source);
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = keyring(keys_dir.path(), &MasterKey::generate());
    let week = 7 * 24 * 3600 * 1000;
    let mut ids = Vec::new();
    for n in 0..10 {
        let (id, _) = backup::create(
            &db.store,
            &db.url,
            &source_blobs.store,
            &keys,
            target,
            CreateOptions {
                now_ms: NOW + n * week,
                pg_dump: PgDumpUse::Auto,
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    // An interrupted run between two complete ones: data without a manifest.
    let store = &case.raw;
    let interrupted = backup::id_for(NOW + 3 * week + 1000);
    store
        .put(
            &object_store::path::Path::from(format!("{interrupted}/database")),
            b"partial".to_vec().into(),
        )
        .await
        .unwrap();
    assert!(matches!(
        target.verify(&interrupted, &keys).await,
        Err(BackupError::Incomplete(_))
    ));
    assert!(matches!(
        target.verify("20000101T000000Z", &keys).await,
        Err(BackupError::NotFound(_))
    ));
    let deleted = target.prune(8).await.unwrap();
    assert_eq!(deleted, [ids[0].clone(), ids[1].clone(), interrupted]);
    assert_eq!(target.ids().await.unwrap(), ids[2..]);
    assert!(target.prune(8).await.unwrap().is_empty(), "nothing more");
    assert_eq!(target.prune(0).await.unwrap().len(), 8);
    assert!(target.ids().await.unwrap().is_empty());
}
