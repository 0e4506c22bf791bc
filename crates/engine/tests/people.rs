#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A person's data in the engine, on every backend: a mail taken in but not carried out
//! is found only by the deep search; a damaged stored mail is named and skipped, never
//! stops the request, and is deleted by the erase all the same.

use object_store::{ObjectStoreExt, PutPayload};
use object_store::path::Path;
use postroom_engine::intake::{Intake, Origin};
use postroom_engine::people::{People, Subject};
use postroom_store::blobs::{BlobConfig, BlobStore};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::intake::IntakeSource;
use postroom_store::people::SuppressionChoice;
use postroom_store::testing;

fn origin() -> Origin {
    Origin {
        source: IntakeSource::Upload,
        mailbox: "upload".to_owned(),
        store_raw: true,
        recipients: Vec::new(),
    }
}

fn mail(from: &str, cc: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@example.com\r\nCc: {cc}\r\nSubject: s\r\n\
         Message-ID: <{id}>\r\n\r\nHello.\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_damaged_mail_is_named_and_skipped_and_still_erased() {
    for t in testing::all_backends().await.unwrap() {
        let keys = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(&BlobConfig::Memory).unwrap();
        let intake = Intake::new(
            Keyring::new(KeyVault::new(keys.path()), MasterKey::generate(), None),
            blobs.clone(),
            1 << 20,
        );
        let tenant = t.tenant("a").await.unwrap();
        let people = People::new(intake.clone());
        let frank = Subject::parse(Some("Frank@Customer.example"), None).unwrap();
        let cc = intake
            .accept(
                &tenant,
                &origin(),
                &mail("ann@x.example", "frank@customer.example", "1@x"),
                1,
            )
            .await
            .unwrap();
        let damaged = intake
            .accept(
                &tenant,
                &origin(),
                &mail("bob@x.example", "frank@customer.example", "2@x"),
                2,
            )
            .await
            .unwrap();
        let other = intake
            .accept(
                &tenant,
                &origin(),
                &mail("ann@x.example", "joann@customer.example", "3@x"),
                3,
            )
            .await
            .unwrap();
        let key = Path::from(format!("a/inbound/{}", damaged.id));
        blobs
            .raw()
            .put(&key, PutPayload::from_static(b"not a sealed blob"))
            .await
            .unwrap();

        // Nothing carried out yet: no sender hash to find them by, only the deep search.
        let shallow = people.find(&tenant, &frank, false).await.unwrap();
        assert!(shallow.messages.is_empty());
        let deep = people.find(&tenant, &frank, true).await.unwrap();
        let ids: Vec<&str> = deep.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [cc.id.as_str()],
            "joann@ is not frank@; the damaged one is skipped"
        );
        assert_eq!(deep.unreadable.len(), 1, "{:?}", deep.unreadable);
        assert!(
            deep.unreadable[0].contains(&damaged.id),
            "{:?}",
            deep.unreadable
        );

        let archive = people.export(&tenant, &deep, 10).await.unwrap();
        assert!(!archive.is_empty());

        let erased = people
            .erase(&tenant, &deep, SuppressionChoice::KeepMarker)
            .await
            .unwrap();
        assert_eq!((erased.rows.intake, erased.blobs), (1, 1));
        assert!(tenant.audit_entry(&cc.id).await.unwrap().is_none());
        assert!(
            tenant.audit_entry(&other.id).await.unwrap().is_some(),
            "joann's stays"
        );
        let again = people.find(&tenant, &frank, true).await.unwrap();
        assert!(again.messages.is_empty());

        let agent = Subject::parse(None, Some("557058:agent-1")).unwrap();
        let found = people.find(&tenant, &agent, false).await.unwrap();
        assert!(found.canned_responses.unwrap().is_empty());
        assert!(Subject::parse(None, Some("bad id; drop")).is_err());
        assert!(Subject::parse(Some("a@b.example"), Some("x")).is_err());
        assert!(Subject::parse(None, None).is_err());
        assert!(Subject::parse(Some("not an address"), None).is_err());
    }
}
