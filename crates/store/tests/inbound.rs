#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The inbound worker's tables on every backend: profile versions, the thread map keeps a
//! Message-ID's first issue, results replace on replay, flood counts, purge and isolation;
//! the audit list over intake rows and results, with every filter.

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
        assert_eq!(tx.put_profile("{}", "cli", 10).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let mut tx = a.begin().await.unwrap();
        assert_eq!(
            tx.put_profile("{\"rules\":[]}", "cli", 20).await.unwrap(),
            2
        );
        tx.commit().await.unwrap();
        let stored = a.profile().await.unwrap().unwrap();
        assert_eq!(stored.document, "{\"rules\":[]}");
        assert_eq!((stored.version, stored.updated_at_ms), (2, 20));
        assert_eq!(tenant(&t, "b").await.profile().await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_profile_is_stored_over_a_version_only_while_that_version_is_stored() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let put = |document: &'static str, base: i64| {
            let a = a.clone();
            async move {
                let mut tx = a.begin().await.unwrap();
                let version = tx.put_profile_if(document, base, "cli", 10).await.unwrap();
                tx.commit().await.unwrap();
                version
            }
        };
        assert_eq!(
            put("{\"v\":1}", 3).await,
            None,
            "none is stored: only over 0"
        );
        assert_eq!(a.profile_version().await.unwrap(), None);
        assert_eq!(put("{\"v\":1}", 0).await, Some(1));
        assert_eq!(
            put("{\"stale\":true}", 0).await,
            None,
            "version 1 is stored"
        );
        assert_eq!(put("{\"v\":2}", 1).await, Some(2));
        assert_eq!(put("{\"stale\":true}", 1).await, None);
        assert_eq!(a.profile().await.unwrap().unwrap().document, "{\"v\":2}");
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

fn intake(id: &str, status: &str, at: i64, store_raw: bool) -> IntakeRecord {
    IntakeRecord {
        id: id.to_owned(),
        mailbox: "smtp".to_owned(),
        source: IntakeSource::Listener,
        dedupe_hash: format!("hash-{id}"),
        message_id_sha256: None,
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
        // The whole record: the same entry with its sealed report, none before a result.
        let (whole, report) = a.audit_record("m1").await.unwrap().unwrap();
        assert_eq!(whole.result.unwrap().issue_key.as_deref(), Some("SUP-1"));
        assert_eq!(report, Some(vec![1]));
        let (pending, report) = a.audit_record("m4").await.unwrap().unwrap();
        assert!(pending.result.is_none() && report.is_none());
        assert!(a.audit_record("nope").await.unwrap().is_none());
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

#[tokio::test]
async fn a_project_administrator_lists_their_projects_and_the_overview_counts_by_status() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let mut tx = a.begin().await.unwrap();
        for (id, at) in [
            ("s1", 1_000),
            ("s2", 2_000),
            ("o1", 3_000),
            ("u1", 4_000),
            ("n1", 5_000),
            ("r1", 6_000),
        ] {
            let status = if id == "r1" { "refused" } else { "queued" };
            tx.record_intake(&intake(id, status, at, true))
                .await
                .unwrap();
        }
        for (id, status, key) in [
            ("s1", ResultStatus::Created, Some("SUP-1")),
            ("s2", ResultStatus::Commented, Some("SUP-1")),
            ("o1", ResultStatus::Created, Some("OPS-4")),
            // A key like SUP's with `_` where a LIKE would take it for any character.
            ("u1", ResultStatus::Created, Some("S_P-2")),
        ] {
            let mut r = result(id, status, "addr:1", 7_000);
            r.issue_key = key.map(str::to_owned);
            tx.record_result(&r).await.unwrap();
        }
        tx.commit().await.unwrap();
        let listed = |projects: Option<Vec<&str>>| {
            let a = a.clone();
            let projects: Option<Vec<String>> =
                projects.map(|p| p.into_iter().map(str::to_owned).collect());
            async move {
                a.audit_list(&AuditFilter {
                    limit: 100,
                    projects,
                    ..AuditFilter::default()
                })
                .await
                .unwrap()
            }
        };
        assert_eq!(ids(&listed(Some(vec!["SUP"])).await), ["s2", "s1"]);
        assert_eq!(
            ids(&listed(Some(vec!["SUP", "OPS"])).await),
            ["o1", "s2", "s1"]
        );
        assert_eq!(ids(&listed(Some(vec!["S_P"])).await), ["u1"]);
        assert!(listed(Some(vec![])).await.is_empty());
        assert_eq!(listed(None).await.len(), 6);

        let counts: Vec<(&str, i64)> = a
            .audit_counts(2_000)
            .await
            .unwrap()
            .into_iter()
            .map(|(s, n)| (s.as_str(), n))
            .collect();
        assert_eq!(
            counts,
            [
                ("commented", 1),
                ("created", 2),
                ("pending", 1),
                ("refused", 1)
            ]
        );
    }
}
