#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The webhook intake on every database backend, with deliveries arriving together (they
//! share commits): each new delivery is stored with its job exactly once, each redelivery
//! is told apart, and a delivery no rule wants stores nothing.

use std::sync::Arc;

use postroom_core::tenant::TenantId;
use postroom_engine::webhooks::{NOTIFY_JOB, Received, Webhooks};
use postroom_store::JiraConnection;
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::testing;

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"] },
  "default": { "project": "SUP", "issue_type": "Task" },
  "notifications": { "rules": [
    { "projects": ["SUP"], "events": ["comment_added"], "to": ["reporter"] }
  ] }
}"#;

fn delivery(project: &str, comment: u32) -> Vec<u8> {
    serde_json::json!({
        "webhookEvent": "comment_created",
        "user": {"accountId": "agent-1", "displayName": "Ada Agent"},
        "issue": {"id": "10001", "key": format!("{project}-7"),
                  "fields": {"project": {"key": project}}},
        "comment": {"id": comment.to_string(), "body": "Try restarting it."},
    })
    .to_string()
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_arriving_together_are_each_stored_once_with_their_job() {
    for db in testing::all_backends().await.unwrap() {
        let tenant_id = TenantId::default_tenant();
        let tenant = db
            .store
            .ensure_tenant(&tenant_id, &JiraConnection::default(), 1)
            .await
            .unwrap();
        let mut tx = tenant.begin().await.unwrap();
        tx.put_profile(PROFILE, "cli", 1).await.unwrap();
        tx.commit().await.unwrap();
        let keys = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(KeyVault::new(keys.path()), MasterKey::generate(), None);
        let webhooks = Webhooks::new(
            db.store.clone(),
            keyring,
            Arc::new(tokio::sync::Notify::new()),
        );

        // 60 deliveries at once: 40 identifiers, 20 of them delivered twice, and 10 for a
        // project no rule names.
        let mut calls = tokio::task::JoinSet::new();
        for n in 0..70u32 {
            let (webhooks, tenant_id) = (webhooks.clone(), tenant_id.clone());
            calls.spawn(async move {
                let (project, id) = match n {
                    0..40 => ("SUP", n),
                    40..60 => ("SUP", n - 40),
                    _ => ("OTH", n),
                };
                let body = delivery(project, id);
                webhooks
                    .receive(&tenant_id, Some(&format!("delivery-{id}")), &body)
                    .await
                    .unwrap()
            });
        }
        let mut stored = Vec::new();
        let (mut duplicates, mut unwanted) = (0, 0);
        while let Some(outcome) = calls.join_next().await {
            match outcome.unwrap() {
                Received::Stored(id) => stored.push(id),
                Received::Duplicate => duplicates += 1,
                Received::Unwanted => unwanted += 1,
            }
        }
        assert_eq!((stored.len(), duplicates, unwanted), (40, 20, 10));
        for id in &stored {
            let row = tenant.webhook_event(id).await.unwrap().unwrap();
            assert!(row.payload.is_some(), "{id} has no sealed payload");
        }
        let jobs = tenant.jobs().list(false, 100).await.unwrap();
        assert_eq!(jobs.len(), 40);
        assert!(jobs.iter().all(|j| j.kind == NOTIFY_JOB));
    }
}
