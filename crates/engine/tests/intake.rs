#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Intake on every database backend and every blob backend: stored encrypted, recorded and
//! queued together; duplicates and refusals recorded once; nothing left behind on failure.

use std::sync::Arc;

use postroom_core::tenant::TenantId;
use postroom_engine::intake::{Intake, IntakeError, Origin, dedupe_hash};
use postroom_engine::retention::{Policy, Retention};
use postroom_store::blobs::{self, BlobConfig, BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::intake::IntakeSource;
use postroom_store::testing;
use postroom_store::{JiraConnection, OwnRetention, TenantStore};

const MAIL: &[u8] =
    b"Message-ID: <one@example.com>\r\nFrom: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n";

struct Setup {
    intake: Intake,
    tenant: TenantStore,
    blobs: TenantBlobs,
    _keys: tempfile::TempDir,
    _db: Arc<testing::TestStore>,
    _blob: blobs::testing::TestBlobs,
}

async fn setups() -> Vec<Setup> {
    let mut out = Vec::new();
    for db in testing::all_backends().await.unwrap() {
        let db = Arc::new(db);
        // One tenant per blob backend: tenants share the database but nothing else.
        for (n, blob) in blobs::testing::all_backends()
            .unwrap()
            .into_iter()
            .enumerate()
        {
            let keys = tempfile::tempdir().unwrap();
            let keyring = Keyring::new(KeyVault::new(keys.path()), MasterKey::generate(), None);
            let tenant = db
                .store
                .ensure_tenant(
                    &TenantId::parse(&format!("acme{n}")).unwrap(),
                    &JiraConnection::default(),
                    1,
                )
                .await
                .unwrap();
            let cipher = keyring.cipher(&tenant).await.unwrap();
            let setup = Setup {
                intake: Intake::new(keyring, blob.store.clone(), 1024),
                blobs: TenantBlobs::new(blob.store.clone(), cipher),
                tenant,
                _keys: keys,
                _db: db.clone(),
                _blob: blob,
            };
            out.push(setup);
        }
    }
    out
}

fn origin(mailbox: &str) -> Origin {
    Origin {
        source: IntakeSource::Listener,
        mailbox: mailbox.to_owned(),
        store_raw: true,
        recipients: Vec::new(),
    }
}

#[tokio::test]
async fn a_message_is_stored_encrypted_recorded_and_queued_once() {
    for s in setups().await {
        let receipt = s
            .intake
            .accept(&s.tenant, &origin("smtp"), MAIL, 10)
            .await
            .unwrap();
        assert!(!receipt.duplicate);
        assert_eq!(s.intake.raw(&s.tenant, &receipt.id).await.unwrap(), MAIL);
        assert_eq!(
            s.blobs
                .get(BlobKind::InboundMail, &receipt.id)
                .await
                .unwrap(),
            MAIL
        );
        let record = s.tenant.intake(&receipt.id).await.unwrap().unwrap();
        assert_eq!(record.status, "queued");
        assert_eq!(record.dedupe_hash, dedupe_hash(MAIL));
        assert_eq!(record.size, MAIL.len() as i64);
        let jobs = s.tenant.jobs().list(false, 10).await.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].kind, "inbound.mail");

        // Delivered again, with a new trace header: the same intake, nothing new stored.
        let again = [b"Received: from relay\r\n".as_slice(), MAIL].concat();
        let second = s
            .intake
            .accept(&s.tenant, &origin("smtp"), &again, 11)
            .await
            .unwrap();
        assert!(second.duplicate);
        assert_eq!(second.id, receipt.id);
        assert_eq!(s.tenant.jobs().list(false, 10).await.unwrap().len(), 1);
        assert_eq!(s.blobs.keys().await.unwrap().len(), 1);

        // The same message through another mailbox is the same message.
        let other = s
            .intake
            .accept(&s.tenant, &origin("imap-support"), MAIL, 12)
            .await
            .unwrap();
        assert!(other.duplicate);
        assert_eq!(other.id, receipt.id);
        assert_eq!(s.tenant.jobs().list(false, 10).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_reused_message_id_with_other_content_is_taken_in_and_flagged() {
    for s in setups().await {
        let first = s
            .intake
            .accept(&s.tenant, &origin("smtp"), MAIL, 10)
            .await
            .unwrap();
        let other = String::from_utf8_lossy(MAIL).replace("body", "another body");
        let second = s
            .intake
            .accept(&s.tenant, &origin("smtp"), other.as_bytes(), 11)
            .await
            .unwrap();
        assert!(!second.duplicate, "a Message-ID is not proof of identity");
        assert_ne!(second.id, first.id);
        assert_eq!(
            s.intake.raw(&s.tenant, &second.id).await.unwrap(),
            other.as_bytes()
        );
        assert_eq!(s.tenant.jobs().list(false, 10).await.unwrap().len(), 2);
        let first = s.tenant.intake(&first.id).await.unwrap().unwrap();
        let second = s.tenant.intake(&second.id).await.unwrap().unwrap();
        assert!(first.message_id_sha256.is_some());
        assert_eq!(first.message_id_sha256, second.message_id_sha256);
        assert!(!s.tenant.reuses_message_id(&first).await.unwrap());
        assert!(s.tenant.reuses_message_id(&second).await.unwrap());
    }
}

#[tokio::test]
async fn concurrent_deliveries_of_one_message_leave_one_record_one_job_one_blob() {
    for s in setups().await {
        let s = Arc::new(s);
        let mut tasks = Vec::new();
        for i in 0..10 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.intake.accept(&s.tenant, &origin("smtp"), MAIL, i).await
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().unwrap().id);
        }
        ids.dedup();
        assert_eq!(
            ids.len(),
            1,
            "every delivery answered with the same intake id"
        );
        assert_eq!(s.tenant.recent_intake(100).await.unwrap().len(), 1);
        assert_eq!(s.tenant.jobs().list(false, 10).await.unwrap().len(), 1);
        assert_eq!(s.blobs.keys().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn over_size_and_empty_messages_are_refused_recorded_and_not_stored() {
    for s in setups().await {
        let big = vec![b'x'; 2048];
        let error = s
            .intake
            .accept(&s.tenant, &origin("smtp"), &big, 1)
            .await
            .unwrap_err();
        assert!(matches!(
            error,
            IntakeError::TooBig {
                size: 2048,
                limit: 1024
            }
        ));
        assert!(!error.is_transient());
        let empty = s
            .intake
            .accept(&s.tenant, &origin("smtp"), b" \r\n", 2)
            .await
            .unwrap_err();
        assert!(matches!(empty, IntakeError::Empty));
        let records = s.tenant.recent_intake(10).await.unwrap();
        assert_eq!(records.len(), 2, "each refusal is its own record");
        assert!(records.iter().all(|r| r.status == "refused"));
        assert!(
            records
                .iter()
                .any(|r| r.reason.as_deref().is_some_and(|x| x.contains("2048")))
        );
        assert!(s.tenant.jobs().list(false, 10).await.unwrap().is_empty());
        assert!(s.blobs.keys().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_failing_blob_store_is_transient_and_records_nothing() {
    let db = testing::sqlite().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keyring = Keyring::new(
        KeyVault::new(dir.path().join("keys")),
        MasterKey::generate(),
        None,
    );
    let tenant = db
        .store
        .ensure_tenant(
            &TenantId::parse("acme").unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap();
    // The tenant's blob directory is a file: every write under it fails.
    std::fs::create_dir_all(dir.path().join("blobs")).unwrap();
    std::fs::write(dir.path().join("blobs/acme"), b"not a directory").unwrap();
    let store = BlobStore::open(&BlobConfig::Local(dir.path().join("blobs"))).unwrap();
    let intake = Intake::new(keyring, store, 1 << 20);
    let error = intake
        .accept(&tenant, &origin("smtp"), MAIL, 1)
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error}");
    assert!(tenant.recent_intake(10).await.unwrap().is_empty());
    assert!(tenant.jobs().list(false, 10).await.unwrap().is_empty());
}

/// A delivery's own recipients, from its envelope.
fn to(mailbox: &str, recipients: &[&str]) -> Origin {
    Origin {
        recipients: recipients.iter().map(|r| (*r).to_owned()).collect(),
        ..origin(mailbox)
    }
}

#[tokio::test]
async fn every_deliverys_own_recipients_are_kept_with_the_one_record_and_purged_with_it() {
    for s in setups().await {
        let s = Arc::new(s);
        let mut tasks = Vec::new();
        for (i, rcpt) in [
            "support@example.com",
            "billing@example.com",
            "help@example.com",
        ]
        .into_iter()
        .enumerate()
        {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                let origin = to("smtp", &[rcpt, "support@example.com"]);
                s.intake.accept(&s.tenant, &origin, MAIL, i as i64).await
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().unwrap().id);
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "one record");
        assert_eq!(
            s.tenant.recipients(&ids[0]).await.unwrap(),
            [
                "billing@example.com",
                "help@example.com",
                "support@example.com"
            ],
            "every delivery's, each once"
        );
        let imported = s
            .intake
            .accept(&s.tenant, &origin("import"), MAIL, 5)
            .await
            .unwrap();
        assert!(imported.duplicate);
        assert_eq!(s.tenant.recipients(&ids[0]).await.unwrap().len(), 3);

        let day = 24 * 60 * 60 * 1000;
        let retention = Retention::new(s.intake.clone(), Policy::uniform(30));
        retention.purge_tenant(&s.tenant, 31 * day).await.unwrap();
        assert!(s.tenant.recipients(&ids[0]).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn records_and_raw_mail_are_purged_after_thirty_days() {
    for s in setups().await {
        let day = 24 * 60 * 60 * 1000;
        let old = s
            .intake
            .accept(&s.tenant, &origin("smtp"), MAIL, 0)
            .await
            .unwrap();
        let young = s
            .intake
            .accept(
                &s.tenant,
                &origin("smtp"),
                b"Message-ID: <two@x>\r\n\r\nb\r\n",
                20 * day,
            )
            .await
            .unwrap();
        let retention = Retention::new(s.intake.clone(), Policy::uniform(30));
        let purged = retention.purge_tenant(&s.tenant, 31 * day).await.unwrap();
        assert_eq!((purged.intake, purged.raw_mail, purged.reports), (1, 1, 0));
        assert!(s.tenant.intake(&old.id).await.unwrap().is_none());
        assert!(s.intake.raw(&s.tenant, &old.id).await.is_err());
        assert!(s.tenant.intake(&young.id).await.unwrap().is_some());
        assert_eq!(s.blobs.keys().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_site_with_its_own_shorter_period_is_purged_sooner() {
    for s in setups().await {
        let day = 24 * 60 * 60 * 1000;
        let taken = s
            .intake
            .accept(&s.tenant, &origin("smtp"), MAIL, 0)
            .await
            .unwrap();
        let retention = Retention::new(s.intake.clone(), Policy::uniform(30));
        assert_eq!(
            retention
                .purge_tenant(&s.tenant, 8 * day)
                .await
                .unwrap()
                .intake,
            0,
            "within the instance's 30 days"
        );
        s.tenant
            .set_retention(
                &OwnRetention {
                    intake: Some(7),
                    ..OwnRetention::default()
                },
                1,
            )
            .await
            .unwrap();
        assert_eq!(retention.periods_of(&s.tenant).await.unwrap().intake, 7);
        let purged = retention.purge_tenant(&s.tenant, 8 * day).await.unwrap();
        assert_eq!((purged.intake, purged.raw_mail), (1, 1));
        assert!(s.tenant.intake(&taken.id).await.unwrap().is_none());
    }
}
