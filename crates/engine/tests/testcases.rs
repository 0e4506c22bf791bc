#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Test cases on every database backend: the mail is a sealed blob and the expected plan a
//! sealed column, both read back as stored; another tenant sees neither; accepting replaces
//! the expectation; removing deletes row and blob; an unknown id is `NotFound`.

use postroom_core::tenant::TenantId;
use postroom_core::testcase::Snapshot;
use postroom_engine::testcases::{TestCaseError, TestCases};
use postroom_store::blobs::{self, BlobKind, TenantBlobs};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::testing;
use postroom_store::{JiraConnection, TenantStore};
use serde_json::json;

const MAIL: &[u8] =
    b"Message-ID: <one@example.com>\r\nFrom: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n";

fn snapshot(project: &str) -> Snapshot {
    serde_json::from_value(json!({"action.kind": "create_issue", "action.project": project}))
        .unwrap()
}

async fn tenant(db: &testing::TestStore, name: &str) -> TenantStore {
    db.store
        .ensure_tenant(
            &TenantId::parse(name).unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_case_keeps_its_mail_and_plan_sealed_until_it_is_removed() {
    for db in testing::all_backends().await.unwrap() {
        let keys = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(KeyVault::new(keys.path()), MasterKey::generate(), None);
        let blob = blobs::testing::local().unwrap();
        let cases = TestCases::new(keyring.clone(), blob.store.clone());
        let (acme, other) = (tenant(&db, "acme").await, tenant(&db, "other").await);
        let stored = TenantBlobs::new(blob.store.clone(), keyring.cipher(&acme).await.unwrap());

        let id = cases
            .add(&acme, "billing", MAIL, &snapshot("BIL"), 10)
            .await
            .unwrap();
        let case = cases.get(&acme, &id).await.unwrap();
        assert_eq!((case.name.as_str(), case.created_at_ms), ("billing", 10));
        assert_eq!(case.expected, snapshot("BIL"));
        assert_eq!(cases.raw(&acme, &id).await.unwrap(), MAIL);
        let blob_mail = stored.get(BlobKind::TestCaseMail, &id).await.unwrap();
        assert_eq!(
            blob_mail, MAIL,
            "the mail is the test-case blob named by the id"
        );
        let row = acme.test_case(&id).await.unwrap().unwrap();
        assert!(!String::from_utf8_lossy(&row.expected).contains("BIL"));

        assert!(cases.list(&other).await.unwrap().is_empty());
        assert!(matches!(
            cases.get(&other, &id).await,
            Err(TestCaseError::NotFound(_))
        ));

        cases
            .accept(&acme, &id, &snapshot("FIN"), 20)
            .await
            .unwrap();
        let case = cases.get(&acme, &id).await.unwrap();
        assert_eq!((case.expected, case.updated_at_ms), (snapshot("FIN"), 20));

        cases.remove(&acme, &id).await.unwrap();
        assert!(cases.list(&acme).await.unwrap().is_empty());
        assert_eq!(stored.keys().await.unwrap(), Vec::<String>::new());
        for result in [
            cases.remove(&acme, &id).await,
            cases.accept(&acme, &id, &snapshot("BIL"), 30).await,
        ] {
            assert!(
                matches!(result, Err(TestCaseError::NotFound(_))),
                "{result:?}"
            );
        }
    }
}
