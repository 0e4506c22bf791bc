#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Worker processes against a real database, on every backend: a worker killed with SIGKILL
//! mid-job has its job redone after the lease, with the effect recorded once; two worker
//! processes run a recurring job once per period.

use std::collections::HashSet;
use std::process::Stdio;
use std::time::Duration;

use postroom_core::tenant::TenantId;
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, NewJob, Store, TenantStore};
use sqlx::Row;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const PROBE: &str = env!("CARGO_BIN_EXE_postroom-queue-probe");

async fn setup(t: &TestStore) -> TenantStore {
    sqlx::query(
        "CREATE TABLE effects (tenant_id TEXT NOT NULL, job_key TEXT NOT NULL, attempt BIGINT NOT NULL)",
    )
    .execute(t.store.db().pool())
    .await
    .unwrap();
    t.store
        .ensure_tenant(
            &TenantId::parse("a").unwrap(),
            &JiraConnection::default(),
            0,
        )
        .await
        .unwrap()
}

fn probe(url: &str, hold_ms: u64) -> Child {
    Command::new(PROBE)
        .arg(url)
        .arg(hold_ms.to_string())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn effects(store: &Store) -> Vec<(String, i64)> {
    sqlx::query("SELECT job_key, attempt FROM effects ORDER BY job_key")
        .fetch_all(store.db().pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("job_key"), r.get("attempt")))
        .collect()
}

async fn wait_for_effects(store: &Store, n: usize) -> Vec<(String, i64)> {
    for _ in 0..300 {
        let rows = effects(store).await;
        if rows.len() >= n {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    effects(store).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_of_a_killed_worker_is_redone_once_after_its_lease() {
    for t in testing::all_backends().await.unwrap() {
        let tenant = setup(&t).await;
        let mut tx = tenant.begin().await.unwrap();
        let job = NewJob {
            kind: "effect".to_owned(),
            payload: Vec::new(),
            idempotency_key: "crash".to_owned(),
            run_at_ms: 0,
        };
        tx.enqueue(&job, 0).await.unwrap().unwrap();
        tx.commit().await.unwrap();

        let mut doomed = probe(&t.url, 60_000);
        let mut lines = BufReader::new(doomed.stdout.take().unwrap()).lines();
        let started = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("the first worker never started the job")
            .unwrap();
        assert_eq!(started.as_deref(), Some("start crash 1"));
        doomed.start_kill().unwrap();
        doomed.wait().await.unwrap();
        assert!(
            effects(&t.store).await.is_empty(),
            "killed mid-job, no effect yet"
        );

        let mut survivor = probe(&t.url, 0);
        let rows = wait_for_effects(&t.store, 1).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let rows_after = effects(&t.store).await;
        survivor.start_kill().unwrap();
        survivor.wait().await.unwrap();
        assert_eq!(rows, [("crash".to_owned(), 2)], "{:?}", t.backend());
        assert_eq!(rows_after, rows, "the effect was recorded twice");
        assert!(tenant.jobs().is_done("crash").await.unwrap());
        assert!(tenant.jobs().list(false, 10).await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_worker_processes_run_a_recurring_job_once_per_period() {
    for t in testing::all_backends().await.unwrap() {
        let tenant = setup(&t).await;
        let period_ms = 400;
        let start = postroom_engine::worker::now_ms();
        tenant
            .jobs()
            .declare_recurring("tick", "tick", b"", period_ms, start)
            .await
            .unwrap();
        let mut first = probe(&t.url, 0);
        let mut second = probe(&t.url, 0);
        tokio::time::sleep(Duration::from_millis(3_000)).await;
        first.start_kill().unwrap();
        second.start_kill().unwrap();
        first.wait().await.unwrap();
        second.wait().await.unwrap();
        let end = postroom_engine::worker::now_ms();

        let rows = effects(&t.store).await;
        let periods: HashSet<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(periods.len(), rows.len(), "a period ran twice: {rows:?}");
        let possible = usize::try_from((end - start) / period_ms + 1).unwrap();
        assert!(
            rows.len() >= 3 && rows.len() <= possible,
            "{} runs in {} possible periods ({:?})",
            rows.len(),
            possible,
            t.backend()
        );
    }
}
