//! Lost create answers through the binary, against a standalone sandbox: Jira commits a
//! create but its answer never arrives, and search lags behind. With search 30 s behind
//! and half the answers lost, 30 mails still make exactly 30 issues (postroom keeps
//! looking instead of creating again). When a create is made anew anyway — here forced by
//! limits shorter than the lag — the duplicate is found afterwards and reported in the
//! metrics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use serde_json::json;
use support::sandbox::Sandbox;
use support::{Served, postroom};

/// Lost creates wait for search; generous for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(300);

fn mail(n: usize) -> String {
    format!(
        "From: Customer {n} <cust{n}@customer.example>\r\nTo: support@example.com\r\n\
         Subject: lost answer {n:02}\r\nMessage-ID: <lost-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nProblem number {n}.\r\n"
    )
}

/// A data directory with the demo-like profile and `count` mails imported into its intake;
/// returns the environment a `serve` on it needs, with `extra` settings.
fn prepared(
    dir: &Path,
    sandbox: &Sandbox,
    count: usize,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let profile = dir.join("profile.json");
    std::fs::write(
        &profile,
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    )
    .unwrap();
    let mails = dir.join("mails");
    std::fs::create_dir_all(&mails).unwrap();
    for n in 0..count {
        std::fs::write(mails.join(format!("{n:02}.eml")), mail(n)).unwrap();
    }
    let imported = postroom(dir).arg("process").arg(&mails).output().unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let mut env = sandbox.jira_env();
    env.push((
        "POSTROOM_INBOUND__PROFILE".to_owned(),
        profile.to_str().unwrap().to_owned(),
    ));
    env.push((
        "POSTROOM_JIRA__REQUESTS_PER_SEC".to_owned(),
        "100".to_owned(),
    ));
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

async fn serve(dir: &Path, env: &[(String, String)]) -> Served {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Served::start(dir, &env).await
}

/// Waits until `want` mails have a result.
async fn processed(dir: &Path, want: usize) {
    let db = format!("sqlite:{}", dir.join("data/postroom.db").display());
    let store = Store::open(&db).await.unwrap();
    let tenant = store.tenant(&TenantId::default_tenant()).await.unwrap();
    let start = Instant::now();
    loop {
        let done = tenant.recent_results(1_000).await.unwrap().len();
        if done >= want {
            assert_eq!(done, want, "one result per mail");
            return;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{done} of {want} mails processed"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The value of `postroom_jira_duplicate_issues_total`, 0 when never counted.
async fn duplicates_reported(served: &Served) -> u64 {
    served
        .metrics()
        .await
        .lines()
        .filter(|l| l.starts_with("postroom_jira_duplicate_issues_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

#[tokio::test]
async fn lost_create_answers_with_search_30_seconds_behind_make_no_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    sandbox
        .set_faults(json!({ "drop_after_commit_rate": 0.5, "index_lag_ms": 30_000 }))
        .await;
    let env = prepared(dir.path(), &sandbox, 30, &[]);
    let served = serve(dir.path(), &env).await;
    processed(dir.path(), 30).await;
    assert!(
        sandbox.effect("response_dropped").await > 0,
        "answers were lost"
    );
    assert_eq!(
        sandbox.effect("issue_created").await,
        30,
        "one issue per mail"
    );
    assert_eq!(duplicates_reported(&served).await, 0);
    served.stop_gracefully();
}

#[tokio::test]
async fn a_duplicate_forced_by_limits_shorter_than_the_lag_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    sandbox
        .set_faults(json!({ "drop_after_commit_rate": 1.0, "index_lag_ms": 10_000 }))
        .await;
    let env = prepared(
        dir.path(),
        &sandbox,
        1,
        &[
            ("POSTROOM_JIRA__INDEX_LAG_ALLOWANCE_SECS", "1"),
            ("POSTROOM_JIRA__UNKNOWN_OUTCOME_MAX_SECS", "3"),
        ],
    );
    let served = serve(dir.path(), &env).await;
    // The first create commits and its answer is lost; the next goes through.
    let start = Instant::now();
    while sandbox.effect("issue_created").await == 0 {
        assert!(start.elapsed() < PATIENCE, "nothing was created");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sandbox.set_faults(json!({ "index_lag_ms": 10_000 })).await;
    processed(dir.path(), 1).await;
    assert_eq!(
        sandbox.effect("issue_created").await,
        2,
        "created anew after the unknown-outcome limit"
    );
    let start = Instant::now();
    while duplicates_reported(&served).await == 0 {
        assert!(
            start.elapsed() < PATIENCE,
            "the duplicate was never reported"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(duplicates_reported(&served).await, 1);
    let warned = served
        .stderr()
        .iter()
        .any(|l| l.contains("one mail made several issues"));
    assert!(warned, "the duplicate is in the log");
    served.stop_gracefully();
}
