#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The inbound worker's tables on every backend: profile versions, the thread map keeps a
//! Message-ID's first issue, results replace on replay, flood counts, purge and isolation.

use postroom_core::tenant::TenantId;
use postroom_store::inbound::{InboundResult, ResultStatus};
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

fn result(id: &str, status: ResultStatus, sender: &str, at: i64) -> InboundResult {
    InboundResult {
        intake_id: id.to_owned(),
        status,
        issue_key: Some("SUP-1".to_owned()),
        comment_id: None,
        sender_hash: Some(sender.to_owned()),
        report: vec![1, 2, 3, 0, 255],
        processed_at_ms: at,
    }
}

#[tokio::test]
async fn profile_versions_count_imports() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        assert_eq!(a.profile().await.unwrap(), None);
        assert_eq!(a.profile_version().await.unwrap(), None);
        let mut tx = a.begin().await.unwrap();
        assert_eq!(tx.put_profile("{}", 10).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let mut tx = a.begin().await.unwrap();
        assert_eq!(tx.put_profile("{\"rules\":[]}", 20).await.unwrap(), 2);
        tx.commit().await.unwrap();
        let stored = a.profile().await.unwrap().unwrap();
        assert_eq!(stored.document, "{\"rules\":[]}");
        assert_eq!((stored.version, stored.updated_at_ms), (2, 20));
        assert_eq!(tenant(&t, "b").await.profile().await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_message_id_keeps_its_first_issue_and_tenants_do_not_share_the_map() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let mut tx = a.begin().await.unwrap();
        tx.map_thread("h1", "SUP-1", Some(&[9, 9]), 1)
            .await
            .unwrap();
        tx.map_thread("h1", "SUP-2", None, 2).await.unwrap();
        tx.map_thread("h2", "SUP-3", None, 2).await.unwrap();
        tx.commit().await.unwrap();
        let found = a
            .thread_lookup(&["h1".into(), "h2".into(), "missing".into()])
            .await
            .unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found["h1"], "SUP-1");
        assert_eq!(found["h2"], "SUP-3");
        let b = tenant(&t, "b").await;
        assert!(b.thread_lookup(&["h1".into()]).await.unwrap().is_empty());
        assert!(a.thread_lookup(&[]).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn results_replace_on_replay_count_senders_and_purge() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let mut tx = a.begin().await.unwrap();
        tx.record_result(&result("m1", ResultStatus::Failed, "s1", 1_000))
            .await
            .unwrap();
        tx.record_result(&result("m2", ResultStatus::Held, "s1", 5_000))
            .await
            .unwrap();
        tx.record_result(&result("m3", ResultStatus::Ignored, "s2", 5_000))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = a.begin().await.unwrap();
        let mut replayed = result("m1", ResultStatus::Created, "s1", 6_000);
        replayed.comment_id = Some("10001".to_owned());
        tx.record_result(&replayed).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(a.inbound_result("m1").await.unwrap(), Some(replayed));
        assert_eq!(a.inbound_result("nope").await.unwrap(), None);
        assert_eq!(a.sender_count_since("s1", 0).await.unwrap(), 2);
        assert_eq!(a.sender_count_since("s1", 5_500).await.unwrap(), 1);
        assert_eq!(a.sender_count_since("s3", 0).await.unwrap(), 0);
        let recent = a.recent_results(10).await.unwrap();
        assert_eq!(recent.first().map(|r| r.intake_id.as_str()), Some("m1"));
        assert_eq!(recent.len(), 3);
        let b = tenant(&t, "b").await;
        assert!(b.recent_results(10).await.unwrap().is_empty());
        assert_eq!(a.purge_results_before(5_001).await.unwrap(), 2);
        assert_eq!(a.recent_results(10).await.unwrap().len(), 1);
    }
}
