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
        let claim = async |since: i64, cap: u32| {
            let mut tx = a.begin().await.unwrap();
            let room = tx
                .claim_send_slot("acknowledgement", "r1", since, cap, 9_000)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            room
        };
        assert!(!claim(0, 2).await, "t1 and t3 count, t2 was skipped");
        assert!(claim(0, 3).await);
        assert!(!claim(3_000, 1).await);
        assert!(claim(3_001, 1).await);
        let b = tenant(&t, "b").await;
        assert!(b.sent_mail("t1").await.unwrap().is_none());
        let mut tx = b.begin().await.unwrap();
        assert!(
            tx.claim_send_slot("acknowledgement", "r1", 0, 1, 9_000)
                .await
                .unwrap(),
            "another tenant's mail does not count"
        );
        tx.commit().await.unwrap();
        assert_eq!(a.purge_sent_mail_before(3_000, 10_000).await.unwrap(), 2);
        assert!(a.sent_mail("t1").await.unwrap().is_none());
        assert!(a.sent_mail("t3").await.unwrap().is_some());
    }
}

/// Two transactions deciding for one recipient at once: the counter row serialises them,
/// so a cap of one lets exactly one through.
#[tokio::test]
async fn concurrent_claims_for_one_recipient_respect_the_cap() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let attempt = async |id: &str| {
            let mut tx = a.begin().await.unwrap();
            let room = tx
                .claim_send_slot("acknowledgement", "r1", 0, 1, 1)
                .await
                .unwrap();
            if room {
                tx.record_sent_mail(&mail(id, "r1", SentStatus::Queued, 1))
                    .await
                    .unwrap();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            tx.commit().await.unwrap();
            room
        };
        let (x, y) = tokio::join!(attempt("c1"), attempt("c2"));
        assert!(
            x ^ y,
            "exactly one of two concurrent claims gets the slot: {x} {y}"
        );
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

#[tokio::test]
async fn test_mail_is_recorded_and_counted_per_site_since_a_time() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        let test = |id: &str, at| SentMail {
            kind: "test".to_owned(),
            issue_key: None,
            ..mail(id, "r1", SentStatus::Queued, at)
        };
        let mut tx = a.begin().await.unwrap();
        for (id, at) in [("x1", 1_000), ("x2", 2_000), ("x3", 3_000)] {
            tx.record_sent_mail(&test(id, at)).await.unwrap();
        }
        tx.finish_sent_mail("x2", SentStatus::Failed, Some("refused"), 2_500)
            .await
            .unwrap();
        tx.record_sent_mail(&mail("ack", "r1", SentStatus::Queued, 2_000))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Every test since the time counts, failed ones too; other kinds and sites do not.
        assert_eq!(a.sent_since("test", 1_500).await.unwrap(), (2, Some(2_000)));
        assert_eq!(a.sent_since("test", 0).await.unwrap(), (3, Some(1_000)));
        assert_eq!(b.sent_since("test", 0).await.unwrap(), (0, None));
    }
}
