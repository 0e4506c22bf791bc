//! A graceful stop is graceful: SIGTERM while four mails wait on a slow Jira ends the
//! process within its grace period, and no job is left leased; an instance started after it
//! with a 600-second lease takes them at once and makes each issue exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use postroom_store::inbound::ResultStatus;
use serde_json::json;
use support::sandbox::Sandbox;
use support::{PATIENCE, Served, postroom};

const MAILS: usize = 4;

fn mail(n: usize) -> String {
    format!(
        "From: Customer {n} <cust{n}@customer.example>\r\nTo: support@example.com\r\n\
         Subject: slow jira {n}\r\nMessage-ID: <slow-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nPlease help ({n}).\r\n"
    )
}

/// The default tenant's jobs: (kind, leased until, attempts).
async fn jobs(db: &str) -> Vec<(String, i64, i64)> {
    let store = Store::open(db).await.unwrap();
    let tenant = store.tenant(&TenantId::default_tenant()).await.unwrap();
    tenant
        .jobs()
        .list(false, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "inbound.mail")
        .map(|j| (j.kind, j.locked_until_ms, j.attempts))
        .collect()
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[tokio::test]
async fn sigterm_hands_back_the_mails_in_flight_and_a_restart_finishes_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    // Every Jira request takes 30 s: the four mails are all in flight when the stop comes.
    sandbox.set_faults(json!({ "latency_ms": 30_000 })).await;
    std::fs::write(
        dir.path().join("postroom.toml"),
        "shutdown_grace_secs = 1\n",
    )
    .unwrap();
    let profile = dir.path().join("profile.json");
    std::fs::write(
        &profile,
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    )
    .unwrap();
    let mut env = sandbox.jira_env();
    env.extend(
        [
            ("POSTROOM_INBOUND__PROFILE", profile.to_str().unwrap()),
            ("POSTROOM_INBOUND__LEASE_SECONDS", "600"),
            ("POSTROOM_INBOUND__WORKERS", "4"),
            ("POSTROOM_JIRA__REQUESTS_PER_SEC", "100"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let db = format!("sqlite:{}", dir.path().join("data/postroom.db").display());

    let mails = dir.path().join("mails");
    std::fs::create_dir(&mails).unwrap();
    for n in 0..MAILS {
        std::fs::write(mails.join(format!("{n}.eml")), mail(n)).unwrap();
    }
    let imported = postroom(dir.path())
        .arg("process")
        .arg(&mails)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");

    let served = Served::start(dir.path(), &env).await;
    let start = Instant::now();
    loop {
        let now = now_ms();
        let leased = jobs(&db)
            .await
            .iter()
            .filter(|(_, until, _)| *until > now)
            .count();
        if leased == MAILS {
            break;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{leased} of {MAILS} mails in flight"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stopping = Instant::now();
    served.stop_gracefully();
    assert!(
        stopping.elapsed() < Duration::from_secs(8),
        "the stop took {:?}, not the grace period",
        stopping.elapsed()
    );
    let left = jobs(&db).await;
    assert_eq!(left.len(), MAILS, "nothing finished against the slow Jira");
    for (_, until, attempts) in &left {
        assert_eq!(*until, 0, "no job holds a lease after the stop: {left:?}");
        assert_eq!(*attempts, 0, "a cut-off run is no failed attempt: {left:?}");
    }

    sandbox.set_faults(json!({})).await;
    let _restarted = Served::start(dir.path(), &env).await;
    let start = Instant::now();
    let results = loop {
        let results = support::results(&db).await;
        if results.len() >= MAILS {
            break results;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{} of {MAILS} mails done after the restart, though their leases run for 600 s",
            results.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        results.iter().all(|r| r.status == ResultStatus::Created),
        "{results:?}"
    );
    // A request cut off on postroom's side may still be carried out by the sandbox after its
    // delay; the restarted worker looks for it before writing, so each issue exists once.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sandbox.effect("issue_created").await, MAILS as u64);
}
