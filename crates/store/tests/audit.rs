#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The audit list on every backend: intake rows joined with their results, every status
//! filter (pending and refused included), the sender and time filters, the limit, and
//! tenant isolation.

use postroom_core::tenant::TenantId;
use postroom_store::audit::{AuditFilter, AuditStatus};
use postroom_store::inbound::{InboundResult, ResultStatus};
use postroom_store::intake::{IntakeRecord, IntakeSource};
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

fn intake(id: &str, status: &str, at: i64, store_raw: bool) -> IntakeRecord {
    IntakeRecord {
        id: id.to_owned(),
        mailbox: "smtp".to_owned(),
        source: IntakeSource::Listener,
        dedupe_hash: format!("hash-{id}"),
        size: 10,
        status: status.to_owned(),
        reason: (status == "refused").then(|| "message is empty".to_owned()),
        received_at_ms: at,
        store_raw,
    }
}

fn ids(entries: &[postroom_store::audit::AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.intake.id.as_str()).collect()
}

#[tokio::test]
async fn the_audit_lists_every_state_newest_first_and_filters() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let mut tx = a.begin().await.unwrap();
        tx.record_intake(&intake("m1", "queued", 1_000, true))
            .await
            .unwrap();
        tx.record_intake(&intake("m2", "queued", 2_000, false))
            .await
            .unwrap();
        tx.record_intake(&intake("m3", "refused", 3_000, true))
            .await
            .unwrap();
        tx.record_intake(&intake("m4", "queued", 4_000, true))
            .await
            .unwrap();
        for (id, status, sender) in [
            ("m1", ResultStatus::Created, "addr:1"),
            ("m2", ResultStatus::Held, "addr:2"),
        ] {
            tx.record_result(&InboundResult {
                intake_id: id.to_owned(),
                status,
                issue_key: Some("SUP-1".to_owned()),
                comment_id: None,
                sender_hash: Some(sender.to_owned()),
                report: vec![1],
                processed_at_ms: 5_000,
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let list = |filter: AuditFilter| {
            let a = a.clone();
            async move { a.audit_list(&filter).await.unwrap() }
        };
        let all = list(AuditFilter {
            limit: 100,
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(ids(&all), ["m4", "m3", "m2", "m1"]);
        let states: Vec<&str> = all.iter().map(|e| e.status().as_str()).collect();
        assert_eq!(states, ["pending", "refused", "held", "created"]);
        assert_eq!(all[1].intake.reason.as_deref(), Some("message is empty"));
        assert!(!all[2].intake.store_raw && all[3].intake.store_raw);
        for (status, want) in [
            (AuditStatus::Pending, vec!["m4"]),
            (AuditStatus::Refused, vec!["m3"]),
            (AuditStatus::Done(ResultStatus::Created), vec!["m1"]),
            (AuditStatus::Done(ResultStatus::Failed), vec![]),
        ] {
            let found = list(AuditFilter {
                status: Some(status),
                limit: 100,
                ..AuditFilter::default()
            })
            .await;
            assert_eq!(ids(&found), want, "{status:?}");
        }
        let from = list(AuditFilter {
            sender_hash: Some("addr:2".to_owned()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(ids(&from), ["m2"]);
        let both = list(AuditFilter {
            sender_hash: Some("addr:2".to_owned()),
            status: Some(AuditStatus::Done(ResultStatus::Created)),
            limit: 100,
            ..AuditFilter::default()
        })
        .await;
        assert!(both.is_empty());
        let since = list(AuditFilter {
            since_ms: Some(2_000),
            limit: 100,
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(ids(&since), ["m4", "m3", "m2"]);
        let two = list(AuditFilter {
            limit: 2,
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(ids(&two), ["m4", "m3"]);
        let one = a.audit_entry("m1").await.unwrap().unwrap();
        assert_eq!(one.result.unwrap().issue_key.as_deref(), Some("SUP-1"));
        assert!(a.audit_entry("nope").await.unwrap().is_none());
        let b = tenant(&t, "b").await;
        assert!(
            b.audit_list(&AuditFilter {
                limit: 100,
                ..AuditFilter::default()
            })
            .await
            .unwrap()
            .is_empty()
        );
        assert!(b.audit_entry("m1").await.unwrap().is_none());
    }
}
