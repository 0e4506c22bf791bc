#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Envelope encryption and the blob store, on both blob backends (local directory and an
//! S3-compatible server) and both databases.

use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use postroom_core::tenant::TenantId;
use postroom_store::blobs::{self, BlobError, BlobKind, TenantBlobs};
use postroom_store::crypto::{
    CryptoError, KeyVault, Keyring, MasterKey, MasterKeyFile, MasterKeySource, Place,
};
use postroom_store::testing;
use postroom_store::{JiraConnection, Store, TenantStore};

fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).unwrap()
}

async fn tenants(store: &Store) -> (TenantStore, TenantStore) {
    let a = store
        .ensure_tenant(&tenant("a"), &JiraConnection::default(), 1)
        .await
        .unwrap();
    let b = store
        .ensure_tenant(&tenant("b"), &JiraConnection::default(), 1)
        .await
        .unwrap();
    (a, b)
}

fn keyring(dir: &tempfile::TempDir) -> Keyring {
    Keyring::new(
        KeyVault::new(dir.path().join("keys")),
        MasterKey::generate(),
        None,
    )
}

#[tokio::test]
async fn blobs_round_trip_encrypted_under_the_tenant_prefix() {
    let db = testing::sqlite().await.unwrap();
    let (a, _) = tenants(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    let keys = keyring(&dir);
    for backend in blobs::testing::all_backends().unwrap() {
        let blobs = TenantBlobs::new(backend.store.clone(), keys.cipher(&a).await.unwrap());
        let body = b"From: alice@example.test\r\nSubject: printer on fire\r\n\r\nhelp".to_vec();
        for (name, bytes) in [
            ("m1.eml", body.clone()),
            ("empty", Vec::new()),
            ("big", vec![7u8; 3_000_000]),
        ] {
            let key = blobs
                .put(BlobKind::InboundMail, name, &bytes)
                .await
                .unwrap();
            assert_eq!(key, format!("a/inbound/{name}"));
            assert_eq!(blobs.get(BlobKind::InboundMail, name).await.unwrap(), bytes);
            let raw = backend
                .store
                .raw()
                .get(&Path::from(key))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert_ne!(
                raw.as_ref(),
                bytes.as_slice(),
                "stored in clear on {}",
                backend.store.description()
            );
        }
        let raw = backend
            .store
            .raw()
            .get(&Path::from("a/inbound/m1.eml"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(!raw.windows(5).any(|w| w == b"alice"));
        assert_eq!(
            blobs.keys().await.unwrap(),
            vec!["a/inbound/big", "a/inbound/empty", "a/inbound/m1.eml"]
        );
        blobs.delete(BlobKind::InboundMail, "m1.eml").await.unwrap();
        blobs.delete(BlobKind::InboundMail, "m1.eml").await.unwrap();
        assert!(matches!(
            blobs.get(BlobKind::InboundMail, "m1.eml").await,
            Err(BlobError::NotFound { key }) if key == "a/inbound/m1.eml"
        ));
        assert!(matches!(
            blobs.put(BlobKind::SentMime, "../b/x", b"x").await,
            Err(BlobError::InvalidName { .. })
        ));
    }
}

#[tokio::test]
async fn a_blob_moved_to_another_key_or_tenant_or_altered_is_reported_as_tampered() {
    let db = testing::sqlite().await.unwrap();
    let (a, b) = tenants(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    let keys = keyring(&dir);
    for backend in blobs::testing::all_backends().unwrap() {
        let blobs_a = TenantBlobs::new(backend.store.clone(), keys.cipher(&a).await.unwrap());
        let blobs_b = TenantBlobs::new(backend.store.clone(), keys.cipher(&b).await.unwrap());
        blobs_a
            .put(BlobKind::InboundMail, "one", b"secret of a")
            .await
            .unwrap();
        let raw = backend.store.raw();
        let sealed = raw
            .get(&Path::from("a/inbound/one"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();

        raw.put(
            &Path::from("a/inbound/two"),
            PutPayload::from(sealed.clone()),
        )
        .await
        .unwrap();
        raw.put(
            &Path::from("b/inbound/one"),
            PutPayload::from(sealed.clone()),
        )
        .await
        .unwrap();
        let mut altered = sealed.to_vec();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        raw.put(&Path::from("a/inbound/three"), PutPayload::from(altered))
            .await
            .unwrap();

        for (blobs, name) in [(&blobs_a, "two"), (&blobs_b, "one"), (&blobs_a, "three")] {
            match blobs.get(BlobKind::InboundMail, name).await {
                Err(BlobError::Crypto(CryptoError::Tampered { .. })) => {}
                other => panic!("{name}: expected tampering to be reported, got {other:?}"),
            }
        }
        assert_eq!(
            blobs_a.get(BlobKind::InboundMail, "one").await.unwrap(),
            b"secret of a"
        );
    }
}

#[tokio::test]
async fn a_column_value_opens_only_at_its_own_place_and_tenant() {
    for db in testing::all_backends().await.unwrap() {
        let (a, b) = tenants(&db.store).await;
        let dir = tempfile::tempdir().unwrap();
        let keys = keyring(&dir);
        let (ca, cb) = (
            keys.cipher(&a).await.unwrap(),
            keys.cipher(&b).await.unwrap(),
        );
        let here = Place::column("reports", "sender", "41");
        let sealed = ca.seal_str(&here, "alice@example.test").unwrap();
        assert_eq!(ca.open_str(&here, &sealed).unwrap(), "alice@example.test");
        for (cipher, place) in [
            (&ca, Place::column("reports", "sender", "42")),
            (&ca, Place::column("reports", "subject", "41")),
            (&cb, here.clone()),
        ] {
            assert!(matches!(
                cipher.open(&place, &sealed),
                Err(CryptoError::Tampered { .. })
            ));
        }
        assert!(matches!(
            ca.open(&here, b"short"),
            Err(CryptoError::Malformed { .. })
        ));
    }
}

#[tokio::test]
async fn each_tenant_gets_one_data_key_that_survives_a_restart() {
    let db = testing::sqlite().await.unwrap();
    let (a, b) = tenants(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let vault = KeyVault::new(dir.path().join("keys"));
    let first = Keyring::new(vault.clone(), master.clone(), None);
    let place = Place::blob("a/inbound/x");
    let sealed = first.cipher(&a).await.unwrap().seal(&place, b"x").unwrap();
    first.cipher(&b).await.unwrap();

    let restarted = Keyring::new(vault.clone(), master, None);
    assert_eq!(
        restarted
            .cipher(&a)
            .await
            .unwrap()
            .open(&place, &sealed)
            .unwrap(),
        b"x"
    );
    let other_master = Keyring::new(vault, MasterKey::generate(), None);
    assert!(matches!(
        other_master.cipher(&a).await,
        Err(CryptoError::UnknownMasterKey { .. })
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("keys/a.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn rotation_rewraps_every_key_and_old_ciphertexts_still_open() {
    let db = testing::sqlite().await.unwrap();
    let (a, b) = tenants(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    let old = MasterKey::generate();
    let vault = KeyVault::new(dir.path().join("keys"));
    let before = Keyring::new(vault.clone(), old.clone(), None);
    let place = Place::column("t", "c", "1");
    let sealed_a = before.cipher(&a).await.unwrap().seal(&place, b"a").unwrap();
    let sealed_b = before.cipher(&b).await.unwrap().seal(&place, b"b").unwrap();

    let new = MasterKey::generate();
    assert_eq!(before.rotate(new.clone()).unwrap(), 2);
    assert_eq!(before.current_id(), new.id());
    assert_eq!(
        before
            .cipher(&a)
            .await
            .unwrap()
            .open(&place, &sealed_a)
            .unwrap(),
        b"a"
    );
    assert_eq!(
        before.rotate(new.clone()).unwrap(),
        0,
        "nothing left to re-wrap"
    );

    let after = Keyring::new(vault.clone(), new, None);
    assert_eq!(
        after
            .cipher(&a)
            .await
            .unwrap()
            .open(&place, &sealed_a)
            .unwrap(),
        b"a"
    );
    assert_eq!(
        after
            .cipher(&b)
            .await
            .unwrap()
            .open(&place, &sealed_b)
            .unwrap(),
        b"b"
    );
    let only_old = Keyring::new(vault, old, None);
    assert!(matches!(
        only_old.cipher(&a).await,
        Err(CryptoError::UnknownMasterKey { .. })
    ));
}

/// `keys rotate` beside a running instance: the instance's keyring, made from the key file
/// before the rotation, keeps opening every tenant key (and makes new ones) afterwards,
/// and a rotation interrupted after writing `master.key.new` resumes with that key.
#[tokio::test]
async fn file_rotation_is_followed_by_a_running_keyring_and_resumes_after_a_crash() {
    let db = testing::sqlite().await.unwrap();
    let (a, b) = tenants(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    let vault = KeyVault::new(dir.path().join("keys"));
    let file = MasterKeyFile::new(dir.path().join("master.key"));
    let (running, source) = Keyring::from_file(vault.clone(), file.clone()).unwrap();
    assert_eq!(source, MasterKeySource::Generated(file.path().to_owned()));
    let old_id = running.current_id();
    let place = Place::column("t", "c", "1");
    let sealed_a = running
        .cipher(&a)
        .await
        .unwrap()
        .seal(&place, b"a")
        .unwrap();

    // An interrupted rotation left its new key behind: the next run uses it.
    let interrupted = MasterKey::generate();
    interrupted.write_new(&file.next_path()).unwrap();
    let (operator, _) = Keyring::from_file(vault.clone(), file.clone()).unwrap();
    let rotation = file.rotate(&operator).unwrap();
    assert!(rotation.resumed);
    assert_eq!(rotation.new_id, interrupted.id());
    assert_eq!(rotation.rewrapped, 1);
    assert!(!file.next_path().exists());
    assert!(file.previous_path().exists());

    // The running keyring still holds the old key only; it must follow the files.
    assert_eq!(
        running
            .existing_cipher(a.db(), a.id())
            .await
            .unwrap()
            .open(&place, &sealed_a)
            .unwrap(),
        b"a"
    );
    running.cipher(&b).await.unwrap();
    assert_eq!(
        running.current_id(),
        interrupted.id(),
        "new keys use the new master"
    );
    assert_ne!(old_id, interrupted.id());

    // After the next rotation the first master key is gone, and nothing needs it.
    let (operator, _) = Keyring::from_file(vault.clone(), file.clone()).unwrap();
    let second = file.rotate(&operator).unwrap();
    assert!(!second.resumed);
    assert_eq!(second.rewrapped, 2);
    let (reopened, source) = Keyring::from_file(vault, file.clone()).unwrap();
    assert_eq!(source, MasterKeySource::File(file.path().to_owned()));
    assert_eq!(
        reopened
            .existing_cipher(a.db(), a.id())
            .await
            .unwrap()
            .open(&place, &sealed_a)
            .unwrap(),
        b"a"
    );
}

/// Many first uses at once (ten SMTP sessions delivering to a fresh tenant): every one gets
/// the same data key; none reads a key file that another is still writing.
#[tokio::test]
async fn concurrent_first_uses_share_one_complete_key() {
    let db = testing::sqlite().await.unwrap();
    let (a, _) = tenants(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    let vault = KeyVault::new(dir.path().join("keys"));
    let master = MasterKey::generate();
    let place = Place::column("t", "c", "1");
    for _ in 0..20 {
        let _ = std::fs::remove_dir_all(dir.path().join("keys"));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let keyring = Keyring::new(vault.clone(), master.clone(), None);
                let a = a.clone();
                // Threads, not tasks: the vault's file work is truly concurrent this way.
                std::thread::spawn(move || futures::executor::block_on(keyring.cipher(&a)).unwrap())
            })
            .collect();
        let ciphers: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let sealed = ciphers[0].seal(&place, b"x").unwrap();
        for cipher in &ciphers {
            assert_eq!(cipher.open(&place, &sealed).unwrap(), b"x");
        }
    }
}
