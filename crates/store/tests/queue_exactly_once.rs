#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Four concurrent workers drain 10,000 jobs; every effect is committed exactly once, in the
//! same transaction as the job's completion. Runs on every backend.

use std::collections::HashSet;

use postroom_core::tenant::TenantId;
use postroom_store::queue::QueueError;
use postroom_store::testing;
use postroom_store::{JiraConnection, NewJob, Store};
use sqlx::Row;

const JOBS: usize = 10_000;
const KIND: &str = "effect";

async fn effects_table(store: &Store) {
    sqlx::query(
        "CREATE TABLE effects (tenant_id TEXT NOT NULL, job_key TEXT NOT NULL, worker BIGINT NOT NULL)",
    )
    .execute(store.db().pool())
    .await
    .unwrap();
}

async fn worker(store: Store, worker_no: i64) -> usize {
    let queue = store.queue();
    let mut done = 0;
    let mut idle = 0;
    loop {
        let jobs = queue.take(&[KIND], 25, 1_000, 60_000).await.unwrap();
        if jobs.is_empty() {
            idle += 1;
            if idle > 20 {
                return done;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            continue;
        }
        idle = 0;
        for job in jobs {
            let mut tx = queue.begin(&job).await.unwrap();
            sqlx::query("INSERT INTO effects (tenant_id, job_key, worker) VALUES ($1, $2, $3)")
                .bind(job.tenant.as_str())
                .bind(job.idempotency_key.as_str())
                .bind(worker_no)
                .execute(tx.conn())
                .await
                .unwrap();
            queue.complete_in(tx, &job, 1_000).await.unwrap();
            done += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_run_ten_thousand_jobs_exactly_once() {
    for t in testing::all_backends().await.unwrap() {
        effects_table(&t.store).await;
        let mut tenants = Vec::new();
        for name in ["a", "b"] {
            let id = TenantId::parse(name).unwrap();
            tenants.push(
                t.store
                    .ensure_tenant(&id, &JiraConnection::default(), 0)
                    .await
                    .unwrap(),
            );
        }
        for (n, tenant) in tenants.iter().enumerate() {
            let jobs: Vec<NewJob> = (0..JOBS / 2)
                .map(|i| NewJob {
                    kind: KIND.to_owned(),
                    payload: vec![u8::try_from(i % 251).unwrap(); 16],
                    idempotency_key: format!("k{n}-{i}"),
                    run_at_ms: 0,
                })
                .collect();
            let mut tx = tenant.begin().await.unwrap();
            assert_eq!(tx.enqueue_many(&jobs, 0).await.unwrap(), JOBS / 2);
            tx.commit().await.unwrap();
        }

        let handles: Vec<_> = (0..4)
            .map(|w| tokio::spawn(worker(t.store.clone(), w)))
            .collect();
        let mut per_worker = Vec::new();
        for h in handles {
            per_worker.push(h.await.unwrap());
        }
        assert_eq!(per_worker.iter().sum::<usize>(), JOBS, "{:?}", t.backend());
        assert!(
            per_worker.iter().filter(|&&n| n > 0).count() >= 2,
            "work was not shared: {per_worker:?}"
        );

        let rows = sqlx::query("SELECT tenant_id, job_key FROM effects")
            .fetch_all(t.store.db().pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), JOBS);
        let distinct: HashSet<(String, String)> = rows
            .iter()
            .map(|r| (r.get("tenant_id"), r.get("job_key")))
            .collect();
        assert_eq!(distinct.len(), JOBS, "an effect was committed twice");
        let left = sqlx::query("SELECT COUNT(*) AS n FROM jobs")
            .fetch_one(t.store.db().pool())
            .await
            .unwrap();
        assert_eq!(left.get::<i64, _>("n"), 0, "done jobs must be deleted");
    }
}

#[tokio::test]
async fn a_worker_whose_lease_was_taken_over_commits_nothing() {
    for t in testing::all_backends().await.unwrap() {
        effects_table(&t.store).await;
        let tenant = t
            .store
            .ensure_tenant(
                &TenantId::parse("a").unwrap(),
                &JiraConnection::default(),
                0,
            )
            .await
            .unwrap();
        let mut tx = tenant.begin().await.unwrap();
        tx.enqueue(&job("slow"), 0).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        let queue = t.store.queue();

        let mut first = queue.take(&[KIND], 1, 100, 1_000).await.unwrap().remove(0);
        assert!(
            queue.take(&[KIND], 1, 500, 1_000).await.unwrap().is_empty(),
            "leased"
        );
        let second = queue
            .take(&[KIND], 1, 1_200, 1_000)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(second.id, first.id);
        assert_eq!(second.attempts, 2);

        let mut late = queue.begin(&first).await.unwrap();
        sqlx::query("INSERT INTO effects (tenant_id, job_key, worker) VALUES ('a', 'slow', 1)")
            .execute(late.conn())
            .await
            .unwrap();
        let err = queue.complete_in(late, &first, 1_300).await.unwrap_err();
        assert!(matches!(err, QueueError::LeaseLost { job_id } if job_id == first.id));
        assert!(matches!(
            queue.extend(&mut first, 9_000).await,
            Err(QueueError::LeaseLost { .. })
        ));

        let mut tx = queue.begin(&second).await.unwrap();
        sqlx::query("INSERT INTO effects (tenant_id, job_key, worker) VALUES ('a', 'slow', 2)")
            .execute(tx.conn())
            .await
            .unwrap();
        queue.complete_in(tx, &second, 1_400).await.unwrap();
        let rows = sqlx::query("SELECT worker FROM effects")
            .fetch_all(t.store.db().pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get::<i64, _>("worker"), 2);
    }
}

#[tokio::test]
async fn an_extended_lease_keeps_the_job_from_others() {
    for t in testing::all_backends().await.unwrap() {
        let tenant = t
            .store
            .ensure_tenant(
                &TenantId::parse("a").unwrap(),
                &JiraConnection::default(),
                0,
            )
            .await
            .unwrap();
        let mut tx = tenant.begin().await.unwrap();
        tx.enqueue(&job("long"), 0).await.unwrap();
        tx.commit().await.unwrap();
        let queue = t.store.queue();
        let mut held = queue.take(&[KIND], 1, 100, 1_000).await.unwrap().remove(0);
        queue.extend(&mut held, 5_000).await.unwrap();
        assert!(
            queue
                .take(&[KIND], 1, 4_999, 1_000)
                .await
                .unwrap()
                .is_empty()
        );
        queue.complete(&held, 4_999).await.unwrap();
        assert!(tenant.jobs().is_done("long").await.unwrap());
    }
}

#[tokio::test]
async fn duplicates_by_key_are_not_enqueued_and_a_rollback_enqueues_nothing() {
    for t in testing::all_backends().await.unwrap() {
        let tenant = t
            .store
            .ensure_tenant(
                &TenantId::parse("a").unwrap(),
                &JiraConnection::default(),
                0,
            )
            .await
            .unwrap();
        let mut tx = tenant.begin().await.unwrap();
        assert!(tx.enqueue(&job("k"), 0).await.unwrap().is_some());
        assert!(
            tx.enqueue(&job("k"), 0).await.unwrap().is_none(),
            "queued twice"
        );
        tx.commit().await.unwrap();

        let mut tx = tenant.begin().await.unwrap();
        tx.enqueue(&job("rolled-back"), 0).await.unwrap();
        tx.rollback().await.unwrap();

        let queue = t.store.queue();
        let taken = queue.take(&[KIND], 10, 0, 1_000).await.unwrap();
        assert_eq!(taken.len(), 1);
        queue.complete(&taken[0], 10).await.unwrap();

        let mut tx = tenant.begin().await.unwrap();
        assert!(
            tx.enqueue(&job("k"), 20).await.unwrap().is_none(),
            "done key re-enqueued"
        );
        tx.commit().await.unwrap();
        assert!(queue.take(&[KIND], 10, 30, 1_000).await.unwrap().is_empty());

        assert_eq!(tenant.jobs().purge_done_before(11).await.unwrap(), 1);
        assert!(!tenant.jobs().is_done("k").await.unwrap());
    }
}

#[tokio::test]
async fn only_registered_kinds_and_due_jobs_are_taken() {
    for t in testing::all_backends().await.unwrap() {
        let tenant = t
            .store
            .ensure_tenant(
                &TenantId::parse("a").unwrap(),
                &JiraConnection::default(),
                0,
            )
            .await
            .unwrap();
        let mut tx = tenant.begin().await.unwrap();
        let mut later = job("later");
        later.run_at_ms = 500;
        tx.enqueue(&later, 0).await.unwrap();
        let mut other = job("other");
        other.kind = "other".to_owned();
        tx.enqueue(&other, 0).await.unwrap();
        tx.commit().await.unwrap();
        let queue = t.store.queue();
        assert!(
            queue
                .take(&[KIND], 10, 499, 1_000)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(queue.take(&[], 10, 499, 1_000).await.unwrap().is_empty());
        assert!(
            queue
                .take(&[KIND, "other"], 0, 499, 1_000)
                .await
                .unwrap()
                .is_empty()
        );
        let taken = queue.take(&[KIND, "other"], 10, 500, 1_000).await.unwrap();
        let keys: HashSet<_> = taken.iter().map(|j| j.idempotency_key.as_str()).collect();
        assert_eq!(keys, HashSet::from(["later", "other"]));
        assert_eq!(taken[0].payload, b"payload".to_vec());
        assert!(
            !format!("{:?}", taken[0]).contains("112, 97"),
            "payload in Debug"
        );
    }
}

fn job(key: &str) -> NewJob {
    NewJob {
        kind: KIND.to_owned(),
        payload: b"payload".to_vec(),
        idempotency_key: key.to_owned(),
        run_at_ms: 0,
    }
}
