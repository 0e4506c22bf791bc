#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Tenant erasure is crypto-shredding: after it, the tenant's blobs and a copy of the
//! database taken before it can no longer be decrypted, while other tenants are untouched.

use object_store::ObjectStoreExt;
use postroom_core::tenant::TenantId;
use postroom_store::blobs::{self, BlobKind, TenantBlobs};
use postroom_store::crypto::{CryptoError, KeyVault, Keyring, MasterKey, Place};
use postroom_store::inventory::erase_tenant;
use postroom_store::testing::{self, TestStore};
use postroom_store::tokens::{ApiTokens, Scope};
use postroom_store::{Backend, JiraConnection, Store};
use sqlx::Row;

fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).unwrap()
}

/// A table outside the schema standing in for every encrypted column to come: the test
/// copies the database with it and shows the copy is useless after the erase.
async fn sealed_rows(db: &TestStore, keys: &Keyring, store: &Store) -> Vec<(String, Vec<u8>)> {
    sqlx::query(
        "CREATE TABLE probe (tenant_id TEXT NOT NULL, row_id TEXT NOT NULL, value BYTEA NOT NULL)",
    )
    .execute(db.store.db().pool())
    .await
    .ok();
    let mut out = Vec::new();
    for name in ["acme", "other"] {
        let handle = store.tenant(&tenant(name)).await.unwrap();
        let sealed = keys
            .cipher(&handle)
            .await
            .unwrap()
            .seal_str(&Place::column("probe", "value", "1"), "alice@example.test")
            .unwrap();
        sqlx::query("INSERT INTO probe (tenant_id, row_id, value) VALUES ($1, '1', $2)")
            .bind(name)
            .bind(sealed.clone())
            .execute(db.store.db().pool())
            .await
            .unwrap();
        out.push((name.to_owned(), sealed));
    }
    out
}

#[tokio::test]
async fn erase_shreds_the_key_so_blobs_and_database_copies_stay_unreadable() {
    for db in testing::all_backends().await.unwrap() {
        for backend in blobs::testing::all_backends().unwrap() {
            let store = &db.store;
            for name in ["acme", "other"] {
                store
                    .ensure_tenant(&tenant(name), &JiraConnection::default(), 1)
                    .await
                    .unwrap();
            }
            let dir = tempfile::tempdir().unwrap();
            let master = MasterKey::generate();
            let vault = KeyVault::new(dir.path().join("keys"));
            let keys = Keyring::new(vault.clone(), master.clone(), None);
            let acme = store.tenant(&tenant("acme")).await.unwrap();
            let other = store.tenant(&tenant("other")).await.unwrap();
            let blobs_acme =
                TenantBlobs::new(backend.store.clone(), keys.cipher(&acme).await.unwrap());
            let blobs_other =
                TenantBlobs::new(backend.store.clone(), keys.cipher(&other).await.unwrap());
            blobs_acme
                .put(BlobKind::InboundMail, "m1", b"acme mail")
                .await
                .unwrap();
            blobs_other
                .put(BlobKind::InboundMail, "m1", b"other mail")
                .await
                .unwrap();
            let acme_blob = backend
                .store
                .raw()
                .get(&"acme/inbound/m1".into())
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            ApiTokens::new(acme.clone())
                .create("acc-1", "ci", Scope::Admin, 1)
                .await
                .unwrap();
            let (_, other_token) = ApiTokens::new(other.clone())
                .create("acc-2", "ci", Scope::Agent, 1)
                .await
                .unwrap();

            // The "backup": sealed values as a copy of the database holds them.
            let backup = sealed_rows(&db, &keys, store).await;
            let sqlite_copy = (db.backend() == Backend::Sqlite).then(|| {
                let path = db.url.trim_start_matches("sqlite:").to_owned();
                let copy = dir.path().join("backup.db");
                copy_sqlite(&path, &copy);
                copy
            });

            let report = erase_tenant(store, &keys, &backend.store, &tenant("acme"))
                .await
                .unwrap();
            assert!(report.key_destroyed);
            assert_eq!(report.blobs, 1);
            assert!(report.rows >= 2, "token and tenant rows: {report:?}");
            assert!(matches!(
                store.tenant(&tenant("acme")).await,
                Err(postroom_store::StoreError::UnknownTenant(_))
            ));
            assert!(blobs_other.keys().await.unwrap().len() == 1);

            // After a restart with the same master key and vault, nothing of acme opens.
            let restarted = Keyring::new(vault.clone(), master.clone(), None);
            assert!(matches!(
                restarted.existing_cipher(store.db(), &tenant("acme")).await,
                Err(CryptoError::NoKey(_))
            ));
            // A cipher made now is a new key: the old blob bytes and the backup fail.
            let revived = store
                .ensure_tenant(&tenant("acme"), &JiraConnection::default(), 2)
                .await
                .unwrap();
            let fresh = restarted.cipher(&revived).await.unwrap();
            assert!(matches!(
                fresh.open(&Place::blob("acme/inbound/m1"), &acme_blob),
                Err(CryptoError::Tampered { .. })
            ));
            let (_, acme_backup) = backup.iter().find(|(t, _)| t == "acme").unwrap();
            assert!(
                fresh
                    .open(&Place::column("probe", "value", "1"), acme_backup)
                    .is_err()
            );

            if let Some(copy) = sqlite_copy {
                let copy = Store::open(&format!("sqlite:{}", copy.display()))
                    .await
                    .unwrap();
                let row = sqlx::query("SELECT value FROM probe WHERE tenant_id = 'acme'")
                    .fetch_one(copy.db().pool())
                    .await
                    .unwrap();
                let from_copy: Vec<u8> = row.try_get("value").unwrap();
                assert!(
                    fresh
                        .open(&Place::column("probe", "value", "1"), &from_copy)
                        .is_err()
                );
            }

            // The other tenant is untouched.
            let (_, other_backup) = backup.iter().find(|(t, _)| t == "other").unwrap();
            let other_cipher = restarted.cipher(&other).await.unwrap();
            assert_eq!(
                other_cipher
                    .open_str(&Place::column("probe", "value", "1"), other_backup)
                    .unwrap(),
                "alice@example.test"
            );
            assert_eq!(
                blobs_other.get(BlobKind::InboundMail, "m1").await.unwrap(),
                b"other mail"
            );
            assert!(
                store
                    .authenticate(other_token.expose())
                    .await
                    .unwrap()
                    .is_some()
            );
            sqlx::query("DROP TABLE probe")
                .execute(store.db().pool())
                .await
                .unwrap();
            erase_tenant(store, &keys, &backend.store, &tenant("other"))
                .await
                .unwrap();
            erase_tenant(store, &keys, &backend.store, &tenant("acme"))
                .await
                .unwrap();
        }
    }
}

/// Copies a SQLite database file with its write-ahead log, as a file backup taken while
/// nothing is writing would.
fn copy_sqlite(path: &str, copy: &std::path::Path) {
    std::fs::copy(path, copy).unwrap();
    let wal = format!("{path}-wal");
    if std::path::Path::new(&wal).exists() {
        std::fs::copy(&wal, format!("{}-wal", copy.display())).unwrap();
    }
}
