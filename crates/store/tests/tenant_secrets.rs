#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A site's secrets are sealed with its own key: readable only through its own cipher,
//! never in clear in the database, and gone with the tenant.

use postroom_core::tenant::TenantId;
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::inventory::erase_tenant;
use postroom_store::testing;
use postroom_store::{JiraConnection, OwnRetention, SecretError, SiteSecret, StoreError};
use sqlx::Row;

const TOKEN: &str = "a-jira-token-that-must-not-leak";

#[tokio::test]
async fn secrets_are_sealed_per_tenant_and_erased_with_it() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let site = JiraConnection {
            url: Some("https://acme.example".to_owned()),
            auth: Some("pat".to_owned()),
            account: None,
        };
        let acme = store
            .add_tenant(&TenantId::parse("acme").unwrap(), &site, 1)
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
        let again = store
            .add_tenant(acme.id(), &JiraConnection::default(), 2)
            .await;
        assert!(
            matches!(again, Err(StoreError::TenantExists(_))),
            "{again:?}"
        );
        assert_eq!(
            acme.record().await.unwrap().jira,
            site,
            "a second add changes nothing"
        );

        let dir = tempfile::tempdir().unwrap();
        let keys = Keyring::new(KeyVault::new(dir.path()), MasterKey::generate(), None);
        let acme_cipher = keys.cipher(&acme).await.unwrap();
        let other_cipher = keys.cipher(&other).await.unwrap();
        assert!(!acme.has_secret(SiteSecret::JiraCredential).await.unwrap());
        assert_eq!(
            acme.secret(&acme_cipher, SiteSecret::JiraCredential)
                .await
                .unwrap(),
            None
        );
        acme.put_secret(&acme_cipher, SiteSecret::JiraCredential, TOKEN, 3)
            .await
            .unwrap();
        acme.put_secret(&acme_cipher, SiteSecret::WebhookSecret, "first", 3)
            .await
            .unwrap();
        acme.put_secret(&acme_cipher, SiteSecret::WebhookSecret, "rotated", 4)
            .await
            .unwrap();
        assert_eq!(
            acme.secret(&acme_cipher, SiteSecret::JiraCredential)
                .await
                .unwrap()
                .as_deref(),
            Some(TOKEN)
        );
        assert_eq!(
            acme.secret(&acme_cipher, SiteSecret::WebhookSecret)
                .await
                .unwrap()
                .as_deref(),
            Some("rotated")
        );
        assert!(!other.has_secret(SiteSecret::JiraCredential).await.unwrap());
        // Another tenant's cipher is refused outright, not tried.
        let wrong = acme.secret(&other_cipher, SiteSecret::JiraCredential).await;
        assert!(
            matches!(wrong, Err(SecretError::WrongCipher { .. })),
            "{wrong:?}"
        );

        let rows = sqlx::query("SELECT sealed FROM tenant_secrets")
            .fetch_all(store.db().pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        for row in rows {
            let sealed: Vec<u8> = row.try_get("sealed").unwrap();
            assert!(!sealed.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
        }

        let blobs =
            postroom_store::blobs::BlobStore::open(&postroom_store::blobs::BlobConfig::Memory)
                .unwrap();
        erase_tenant(store, &keys, &blobs, acme.id()).await.unwrap();
        let left = sqlx::query("SELECT COUNT(*) AS n FROM tenant_secrets")
            .fetch_one(store.db().pool())
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap();
        assert_eq!(left, 0);
        assert!(
            store.tenant(other.id()).await.is_ok(),
            "the other tenant stays"
        );
    }
}

#[tokio::test]
async fn a_sites_retention_and_identity_are_kept_and_cleared() {
    let db = testing::sqlite().await.unwrap();
    let acme = db
        .store
        .add_tenant(
            &TenantId::parse("acme").unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap();
    assert_eq!(
        acme.record().await.unwrap().retention,
        OwnRetention::default()
    );
    let own = OwnRetention {
        intake: Some(7),
        reports: None,
        sent_mail: Some(90),
    };
    acme.set_retention(&own, 2).await.unwrap();
    let record = acme.record().await.unwrap();
    assert_eq!((record.retention, record.updated_at_ms), (own, 2));
    acme.set_retention(&OwnRetention::default(), 3)
        .await
        .unwrap();
    assert_eq!(
        acme.record().await.unwrap().retention,
        OwnRetention::default()
    );

    acme.set_identity(Some("bounces@acme.example"), Some("acme"), 4)
        .await
        .unwrap();
    let record = acme.record().await.unwrap();
    assert_eq!(
        record.bounce_address.as_deref(),
        Some("bounces@acme.example")
    );
    assert_eq!(record.dkim_key.as_deref(), Some("acme"));
    acme.set_identity(None, None, 5).await.unwrap();
    let record = acme.record().await.unwrap();
    assert_eq!((record.bounce_address, record.dkim_key), (None, None));
}
