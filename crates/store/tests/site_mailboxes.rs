#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A site's console mailboxes: the credential sealed with the site's own key (never in
//! clear in the database, unreadable with another site's cipher), kept across an edit that
//! gives none, replaced by a rotation without moving the revision, and gone with the
//! mailbox and with the tenant.

use postroom_core::tenant::TenantId;
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::inventory::erase_tenant;
use postroom_store::site_mailboxes::MailboxWrite;
use postroom_store::{JiraConnection, SecretError, testing};
use sqlx::Row;

const PASSWORD: &str = "a-mailbox-password-that-must-not-leak";

#[tokio::test]
async fn mailboxes_keep_their_credential_sealed_and_follow_edits() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let acme = store
            .add_tenant(
                &TenantId::parse("acme").unwrap(),
                &JiraConnection::default(),
                1,
            )
            .await
            .unwrap();
        let other = store
            .add_tenant(
                &TenantId::parse("other").unwrap(),
                &JiraConnection::default(),
                1,
            )
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let keys = Keyring::new(KeyVault::new(dir.path()), MasterKey::generate(), None);
        let cipher = keys.cipher(&acme).await.unwrap();
        let other_cipher = keys.cipher(&other).await.unwrap();
        let write = |settings: &'static str, secret: Option<&'static str>| MailboxWrite {
            name: "support",
            settings,
            provider: None,
            secret,
            by: Some("admin-1"),
        };
        assert!(
            acme.put_site_mailbox(&cipher, write("{\"v\":1}", Some(PASSWORD)), 10)
                .await
                .unwrap()
        );
        let first = acme.site_mailbox("support").await.unwrap().unwrap();
        assert!(first.has_secret);
        assert_eq!((first.revision, first.secret_updated_at_ms), (1, Some(10)));

        // An edit without a credential keeps it and moves the revision.
        assert!(
            !acme
                .put_site_mailbox(&cipher, write("{\"v\":2}", None), 20)
                .await
                .unwrap()
        );
        let edited = acme.site_mailbox("support").await.unwrap().unwrap();
        assert_eq!(
            (edited.revision, edited.settings.as_str()),
            (2, "{\"v\":2}")
        );
        assert_eq!(edited.secret_updated_at_ms, Some(10));
        assert_eq!(
            acme.site_mailbox_secret(&cipher, "support")
                .await
                .unwrap()
                .as_deref(),
            Some(PASSWORD)
        );
        // A rotation replaces the credential and leaves the revision alone.
        assert!(
            acme.rotate_site_mailbox_secret(&cipher, "support", "rt-2", 30)
                .await
                .unwrap()
        );
        let rotated = acme.site_mailbox("support").await.unwrap().unwrap();
        assert_eq!(
            (rotated.revision, rotated.secret_updated_at_ms),
            (2, Some(30))
        );
        assert_eq!(
            acme.site_mailbox_secret(&cipher, "support")
                .await
                .unwrap()
                .as_deref(),
            Some("rt-2")
        );
        assert!(
            !acme
                .rotate_site_mailbox_secret(&cipher, "nope", "x", 30)
                .await
                .unwrap()
        );

        // Another site's cipher opens nothing, and the other site sees no mailbox.
        assert!(matches!(
            acme.site_mailbox_secret(&other_cipher, "support").await,
            Err(SecretError::WrongCipher { .. })
        ));
        assert!(other.site_mailboxes().await.unwrap().is_empty());
        assert_eq!(
            other
                .site_mailbox_secret(&other_cipher, "support")
                .await
                .unwrap(),
            None
        );
        let revisions = store.site_mailbox_revisions().await.unwrap();
        assert_eq!(revisions.len(), 1);
        assert_eq!(
            (revisions[0].tenant.as_str(), revisions[0].revision),
            ("acme", 2)
        );

        // Never in clear in the row.
        let raw = sqlx::query("SELECT settings, sealed FROM site_mailboxes")
            .fetch_all(store.db().pool())
            .await
            .unwrap();
        for row in raw {
            let sealed: Vec<u8> = row.try_get("sealed").unwrap();
            let settings: String = row.try_get("settings").unwrap();
            assert!(!String::from_utf8_lossy(&sealed).contains("rt-2"));
            assert!(!settings.contains("rt-2"));
        }

        assert!(acme.delete_site_mailbox("support").await.unwrap());
        assert!(!acme.delete_site_mailbox("support").await.unwrap());
        assert!(acme.site_mailboxes().await.unwrap().is_empty());

        // Tenant erase takes them along.
        acme.put_site_mailbox(&cipher, write("{}", Some(PASSWORD)), 40)
            .await
            .unwrap();
        let blobs =
            postroom_store::blobs::BlobStore::open(&postroom_store::blobs::BlobConfig::Memory)
                .unwrap();
        erase_tenant(store, &keys, &blobs, acme.id()).await.unwrap();
        assert!(store.site_mailbox_revisions().await.unwrap().is_empty());
    }
}
