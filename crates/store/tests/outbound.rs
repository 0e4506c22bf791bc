#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Sent-mail records and the suppression list on every backend: hard bounces suppress at
//! once, soft ones at the limit, the hourly count sees only queued and sent mail, clearing
//! and purging, and tenants never see each other's entries.

use postroom_core::tenant::TenantId;
use postroom_store::outbound::{BounceRecord, SentMail, SentStatus};
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, TenantStore};

async fn tenant(t: &TestStore, name: &str) -> TenantStore {
    t.store
        .ensure_tenant(
            &TenantId::parse(name).unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap()
}

fn mail(id: &str, recipient: &str, status: SentStatus, at: i64) -> SentMail {
    SentMail {
        id: id.to_owned(),
        kind: "acknowledgement".to_owned(),
        issue_key: Some("SUP-1".to_owned()),
        recipient_hash: recipient.to_owned(),
        message_id_hash: format!("mid-{id}"),
        facts: vec![0, 1, 2, 255],
        status,
        detail: None,
        created_at_ms: at,
        sent_at_ms: None,
    }
}

fn bounce(hash: &str, hard: bool, at: i64) -> BounceRecord {
    BounceRecord {
        address_hash: hash.to_owned(),
        address: vec![7, 7],
        hard,
        status: Some(if hard { "5.1.1" } else { "4.2.2" }.to_owned()),
        diagnostic: Some(vec![1]),
        at_ms: at,
    }
}

#[tokio::test]
async fn sent_mail_is_found_by_token_and_message_id_and_counted_per_hour() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let mut tx = a.begin().await.unwrap();
        tx.record_sent_mail(&mail("t1", "r1", SentStatus::Queued, 1_000))
            .await
            .unwrap();
        tx.record_sent_mail(&mail("t2", "r1", SentStatus::Skipped, 2_000))
            .await
            .unwrap();
        tx.record_sent_mail(&mail("t3", "r1", SentStatus::Queued, 3_000))
            .await
            .unwrap();
        tx.record_sent_mail(&mail("t4", "r2", SentStatus::Queued, 3_000))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = a.begin().await.unwrap();
        tx.finish_sent_mail("t1", SentStatus::Sent, None, 5_000)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let t1 = a.sent_mail("t1").await.unwrap().unwrap();
        assert_eq!((t1.status, t1.sent_at_ms), (SentStatus::Sent, Some(5_000)));
        assert_eq!(t1.facts, vec![0, 1, 2, 255]);
        assert_eq!(
            a.sent_mail_by_message_id("mid-t3")
                .await
                .unwrap()
                .unwrap()
                .id,
            "t3"
        );
        assert!(a.sent_mail("nope").await.unwrap().is_none());
        // Skipped mail does not count towards the cap; the window's start is inclusive.
        assert_eq!(
            a.sent_to_since("acknowledgement", "r1", 0).await.unwrap(),
            2
        );
        assert_eq!(
            a.sent_to_since("acknowledgement", "r1", 3_000)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            a.sent_to_since("acknowledgement", "r1", 3_001)
                .await
                .unwrap(),
            0
        );
        let b = tenant(&t, "b").await;
        assert!(b.sent_mail("t1").await.unwrap().is_none());
        assert_eq!(
            b.sent_to_since("acknowledgement", "r1", 0).await.unwrap(),
            0
        );
        assert_eq!(a.purge_sent_mail_before(3_000).await.unwrap(), 2);
        assert!(a.sent_mail("t1").await.unwrap().is_none());
        assert!(a.sent_mail("t3").await.unwrap().is_some());
    }
}

#[tokio::test]
async fn hard_bounces_suppress_at_once_and_soft_ones_at_the_limit() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let mut tx = a.begin().await.unwrap();
        let hard = tx.record_bounce(&bounce("h", true, 10), 3).await.unwrap();
        assert!(hard.suppressed && hard.hard);
        assert_eq!((hard.failures, hard.status.as_deref()), (1, Some("5.1.1")));
        let s1 = tx.record_bounce(&bounce("s", false, 11), 3).await.unwrap();
        let s2 = tx.record_bounce(&bounce("s", false, 12), 3).await.unwrap();
        assert!(!s1.suppressed && !s2.suppressed);
        let s3 = tx.record_bounce(&bounce("s", false, 13), 3).await.unwrap();
        assert!(s3.suppressed && !s3.hard);
        assert_eq!((s3.failures, s3.first_at_ms, s3.last_at_ms), (3, 11, 13));
        // A soft bounce after a hard one does not lift the suppression.
        let again = tx.record_bounce(&bounce("h", false, 14), 3).await.unwrap();
        assert!(again.suppressed && again.hard);
        tx.note_withheld("h").await.unwrap();
        tx.note_withheld("unknown").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(a.suppression("h").await.unwrap().unwrap().withheld, 1);
        assert!(a.suppression("unknown").await.unwrap().is_none());
        let list = a.suppressions().await.unwrap();
        assert_eq!(
            list.iter()
                .map(|s| s.address_hash.as_str())
                .collect::<Vec<_>>(),
            ["h", "s"]
        );
        assert!(
            tenant(&t, "b")
                .await
                .suppressions()
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(a.clear_suppressions(Some("h")).await.unwrap(), 1);
        assert_eq!(a.clear_suppressions(Some("h")).await.unwrap(), 0);
        assert!(a.suppression("h").await.unwrap().is_none());
        assert_eq!(a.clear_suppressions(None).await.unwrap(), 1);
        assert!(a.suppressions().await.unwrap().is_empty());
    }
}
