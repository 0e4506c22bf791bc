#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Tenant keys kept by AWS KMS (moto's KMS, with key states enforced by
//! scripts/moto-kms.py, named by `POSTROOM_TEST_KMS`): nothing of a key on the instance's
//! disk, one key for two instances racing to make it, keys moved out of the vault, and an
//! erasure after which a `pg_dump` and a copy of the bucket taken before it cannot be opened.

use std::path::Path;
use std::process::Command;

use futures::TryStreamExt;
use object_store::ObjectStoreExt;
use postroom_core::tenant::TenantId;
use postroom_store::blobs::{self, BlobKind, TenantBlobs};
use postroom_store::crypto::{
    CryptoError, KMS_RECHECK, KeyVault, Keyring, Kms, KmsSettings, MasterKey, Place,
};
use postroom_store::inventory::erase_tenant;
use postroom_store::testing;
use postroom_store::{JiraConnection, SiteSecret, Store};
use sqlx::Row;

fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).unwrap()
}

/// The test KMS, or `None` (skipped) outside CI when it is not running.
fn kms() -> Option<Kms> {
    let Ok(endpoint) = std::env::var("POSTROOM_TEST_KMS") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "POSTROOM_TEST_KMS is not set under CI=true: the KMS tests must run"
        );
        eprintln!("POSTROOM_TEST_KMS is not set: skipping");
        return None;
    };
    Some(
        Kms::new(&KmsSettings {
            region: "us-east-1".to_owned(),
            endpoint: Some(endpoint),
            access_key_id: "test".to_owned(),
            secret_access_key: "test".to_owned(),
        })
        .unwrap(),
    )
}

async fn acme(store: &Store) -> postroom_store::TenantStore {
    store
        .ensure_tenant(&tenant("acme"), &JiraConnection::default(), 1)
        .await
        .unwrap()
}

fn vault_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}

async fn kms_key_of(store: &Store, name: &str) -> (String, Vec<u8>) {
    let row = sqlx::query("SELECT kms_key, wrapped FROM tenant_keys WHERE tenant_id = $1")
        .bind(name)
        .fetch_one(store.db().pool())
        .await
        .unwrap();
    (
        row.try_get("kms_key").unwrap(),
        row.try_get("wrapped").unwrap(),
    )
}

fn refused_as_gone(error: &CryptoError) -> bool {
    matches!(
        error,
        CryptoError::Kms { source, .. }
            if matches!(source.kind(), Some("DisabledException" | "KMSInvalidStateException"))
    )
}

#[tokio::test]
async fn erase_disables_the_kms_key_so_a_pg_dump_and_a_bucket_copy_stay_unreadable() {
    let Some(kms) = kms() else { return };
    let Some(db) = testing::postgres().await.unwrap() else {
        return;
    };
    let Some(bucket) = blobs::testing::s3().unwrap() else {
        return;
    };
    let store = &db.store;
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let keys = Keyring::new(KeyVault::new(dir.path().join("keys")), master.clone(), None)
        .with_kms(kms.clone(), KMS_RECHECK);
    for name in ["acme", "other"] {
        let handle = store
            .ensure_tenant(&tenant(name), &JiraConnection::default(), 1)
            .await
            .unwrap();
        let cipher = keys.cipher(&handle).await.unwrap();
        handle
            .put_secret(
                &cipher,
                SiteSecret::JiraCredential,
                &format!("{name}-token"),
                1,
            )
            .await
            .unwrap();
        TenantBlobs::new(bucket.store.clone(), cipher)
            .put(
                BlobKind::InboundMail,
                "m1",
                format!("{name} mail").as_bytes(),
            )
            .await
            .unwrap();
    }
    assert_eq!(vault_files(&dir.path().join("keys")), 0, "no key on disk");
    let (acme_key, _) = kms_key_of(store, "acme").await;
    let (other_key, _) = kms_key_of(store, "other").await;
    assert_ne!(acme_key, other_key, "one KMS key per tenant");

    // The copies an attacker might hold: a pg_dump and every object of the bucket.
    let dump = dir.path().join("before.dump");
    let dumped = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&db.url)
        .status()
        .unwrap();
    assert!(dumped.success());
    let objects: Vec<_> = bucket.store.raw().list(None).try_collect().await.unwrap();
    let mut bucket_copy = Vec::new();
    for object in objects {
        let bytes = bucket.store.raw().get(&object.location).await.unwrap();
        bucket_copy.push((object.location.to_string(), bytes.bytes().await.unwrap()));
    }
    assert_eq!(bucket_copy.len(), 2);

    let report = erase_tenant(store, &keys, &bucket.store, &tenant("acme"))
        .await
        .unwrap();
    assert!(report.key_destroyed);
    assert_eq!(kms.key_state(&acme_key).await.unwrap(), "PendingDeletion");
    assert_eq!(kms.key_state(&other_key).await.unwrap(), "Enabled");

    // The dump restored into a new database, opened by a new instance (nothing cached).
    let restored_url = testing::postgres_url().await.unwrap().unwrap();
    let restored = Command::new("pg_restore")
        .args(["--no-owner", "--dbname"])
        .arg(&restored_url)
        .arg(&dump)
        .status()
        .unwrap();
    assert!(restored.success());
    let copy = Store::open(&restored_url).await.unwrap();
    let later = Keyring::new(KeyVault::new(dir.path().join("keys")), master, None)
        .with_kms(kms.clone(), KMS_RECHECK);

    let error = later
        .existing_cipher(copy.db(), &tenant("acme"))
        .await
        .unwrap_err();
    assert!(refused_as_gone(&error), "{error}");
    // Not through postroom either: KMS itself refuses the wrapped key in the dump.
    let (dumped_key, wrapped) = kms_key_of(&copy, "acme").await;
    let direct = kms.decrypt(&dumped_key, &tenant("acme"), &wrapped).await;
    assert!(
        direct.as_ref().is_err_and(|e| matches!(
            e.kind(),
            Some("DisabledException" | "KMSInvalidStateException")
        )),
        "{direct:?}"
    );

    // The copies themselves are whole: the other tenant's rows and blobs open from them.
    let other = later
        .existing_cipher(copy.db(), &tenant("other"))
        .await
        .unwrap();
    let other_in_copy = copy.tenant(&tenant("other")).await.unwrap();
    assert_eq!(
        other_in_copy
            .secret(&other, SiteSecret::JiraCredential)
            .await
            .unwrap()
            .as_deref(),
        Some("other-token")
    );
    let (path, bytes) = bucket_copy
        .iter()
        .find(|(path, _)| path.starts_with("other/"))
        .unwrap();
    assert_eq!(
        other.open(&Place::blob(path), bytes).unwrap(),
        b"other mail"
    );
    assert!(
        bucket_copy
            .iter()
            .any(|(path, _)| path.starts_with("acme/"))
    );

    // Running the erasure again finishes quietly.
    let again = erase_tenant(store, &keys, &bucket.store, &tenant("acme"))
        .await
        .unwrap();
    assert!(!again.key_destroyed);
}

#[tokio::test]
async fn two_instances_making_a_new_tenants_key_at_once_end_with_one() {
    let Some(kms) = kms() else { return };
    for db in testing::all_backends().await.unwrap() {
        let (store, handle) = (&db.store, acme(&db.store).await);
        let dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let instance = |n: u8| {
            Keyring::new(
                KeyVault::new(dir.path().join(format!("keys-{n}"))),
                master.clone(),
                None,
            )
            .with_kms(kms.clone(), KMS_RECHECK)
        };
        let (a, b) = (instance(1), instance(2));
        let (left, right) = tokio::join!(a.cipher(&handle), b.cipher(&handle));
        let place = Place::column("probe", "value", "1");
        let sealed = left.unwrap().seal(&place, b"one key").unwrap();
        assert_eq!(right.unwrap().open(&place, &sealed).unwrap(), b"one key");
        let (kept, _) = kms_key_of(store, "acme").await;
        assert_eq!(kms.key_state(&kept).await.unwrap(), "Enabled");
    }
}

#[tokio::test]
async fn keys_rotate_moves_vault_keys_under_kms_and_deletes_the_vault_copy() {
    let Some(kms) = kms() else { return };
    for db in testing::all_backends().await.unwrap() {
        let (store, handle) = (&db.store, acme(&db.store).await);
        let dir = tempfile::tempdir().unwrap();
        let vault = KeyVault::new(dir.path().join("keys"));
        let master = MasterKey::generate();
        let local = Keyring::new(vault.clone(), master.clone(), None);
        let place = Place::column("probe", "value", "1");
        let sealed = local
            .cipher(&handle)
            .await
            .unwrap()
            .seal(&place, b"kept")
            .unwrap();
        assert_eq!(vault_files(vault.dir()), 1);

        // Before the move, a KMS keyring still opens the vault's key.
        let fleet =
            Keyring::new(vault.clone(), master.clone(), None).with_kms(kms.clone(), KMS_RECHECK);
        let before = fleet.cipher(&handle).await.unwrap();
        assert_eq!(before.open(&place, &sealed).unwrap(), b"kept");

        assert_eq!(fleet.move_to_kms(store.db()).await.unwrap(), (1, 0));
        assert_eq!(vault_files(vault.dir()), 0, "the vault copy is gone");
        let after =
            Keyring::new(vault.clone(), master.clone(), None).with_kms(kms.clone(), KMS_RECHECK);
        let opened = after
            .existing_cipher(store.db(), &tenant("acme"))
            .await
            .unwrap();
        assert_eq!(opened.open(&place, &sealed).unwrap(), b"kept");
        // A second run re-wraps the KMS-kept key under its current material.
        assert_eq!(after.move_to_kms(store.db()).await.unwrap(), (0, 1));
        let reopened = Keyring::new(vault, master, None)
            .with_kms(kms.clone(), KMS_RECHECK)
            .existing_cipher(store.db(), &tenant("acme"))
            .await
            .unwrap();
        assert_eq!(reopened.open(&place, &sealed).unwrap(), b"kept");
    }
}

#[tokio::test]
async fn an_instance_that_remembered_an_erased_tenants_key_never_seals_with_it_again() {
    let Some(kms) = kms() else { return };
    let db = testing::sqlite().await.unwrap();
    let store = &db.store;
    let blobs = blobs::testing::local().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let keyring = |n: u8| {
        Keyring::new(
            KeyVault::new(dir.path().join(format!("keys-{n}"))),
            master.clone(),
            None,
        )
        .with_kms(kms.clone(), std::time::Duration::ZERO)
    };
    let (a, b) = (keyring(1), keyring(2));
    let handle = store
        .ensure_tenant(&tenant("acme"), &JiraConnection::default(), 1)
        .await
        .unwrap();
    let old = b.cipher(&handle).await.unwrap();
    erase_tenant(store, &a, &blobs.store, &tenant("acme"))
        .await
        .unwrap();
    // The site comes back under the same name; instance B still holds the old key.
    let reborn = store
        .ensure_tenant(&tenant("acme"), &JiraConnection::default(), 2)
        .await
        .unwrap();
    let place = Place::column("probe", "value", "1");
    let sealed = b
        .cipher(&reborn)
        .await
        .unwrap()
        .seal(&place, b"new")
        .unwrap();
    assert!(
        old.open(&place, &sealed).is_err(),
        "sealed with the erased key"
    );
    let fresh = a.cipher(&reborn).await.unwrap();
    assert_eq!(fresh.open(&place, &sealed).unwrap(), b"new");
}
