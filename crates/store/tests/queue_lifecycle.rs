#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Retries, dead jobs, fairness between tenants and recurring jobs, on every backend.

use postroom_core::tenant::TenantId;
use postroom_store::queue::{Busy, Failure, JobState, QueueError, RetryPolicy, Verdict};
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, NewJob, TenantStore};

const KIND: &str = "k";
const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    base_ms: 1_000,
    cap_ms: 60_000,
};

async fn tenant(t: &TestStore, name: &str) -> TenantStore {
    t.store
        .ensure_tenant(
            &TenantId::parse(name).unwrap(),
            &JiraConnection::default(),
            0,
        )
        .await
        .unwrap()
}

async fn enqueue(tenant: &TenantStore, keys: &[&str]) {
    let mut tx = tenant.begin().await.unwrap();
    for key in keys {
        let job = NewJob {
            kind: KIND.to_owned(),
            payload: Vec::new(),
            idempotency_key: (*key).to_owned(),
            run_at_ms: 0,
        };
        tx.enqueue(&job, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_transient_failure_is_retried_with_growing_delays_then_dead() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        enqueue(&a, &["flaky"]).await;
        let queue = t.store.queue();
        let mut now = 0;
        let mut delays = Vec::new();
        loop {
            let job = queue.take(&[KIND], 1, now, 100).await.unwrap().remove(0);
            match queue
                .fail(&job, Failure::Transient, "timeout", &POLICY, now, 0.0)
                .await
                .unwrap()
            {
                Verdict::RetryAt { run_at_ms, .. } => {
                    assert!(
                        queue
                            .take(&[KIND], 1, run_at_ms - 1, 100)
                            .await
                            .unwrap()
                            .is_empty()
                    );
                    delays.push(run_at_ms - now);
                    now = run_at_ms;
                }
                Verdict::Dead => break,
            }
        }
        assert_eq!(delays, [500, 1_000, 2_000], "{:?}", t.backend());
        let dead = a.jobs().list(true, 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].state, JobState::Dead);
        assert_eq!(dead[0].attempts, 4);
        assert_eq!(dead[0].last_error.as_deref(), Some("timeout"));
        assert!(
            queue
                .take(&[KIND], 1, now + 1_000_000, 100)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_permanent_failure_is_dead_after_one_attempt_and_can_be_retried() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        enqueue(&a, &["bad"]).await;
        let queue = t.store.queue();
        let job = queue.take(&[KIND], 1, 0, 100).await.unwrap().remove(0);
        let verdict = queue
            .fail(&job, Failure::Permanent, "malformed", &POLICY, 0, 0.5)
            .await
            .unwrap();
        assert_eq!(verdict, Verdict::Dead);
        let shown = a.jobs().show(job.id).await.unwrap();
        assert_eq!((shown.state, shown.attempts), (JobState::Dead, 1));

        assert!(matches!(
            b.jobs().show(job.id).await,
            Err(QueueError::NotFound { .. })
        ));
        assert!(matches!(
            b.jobs().retry(job.id, 5).await,
            Err(QueueError::NotFound { .. })
        ));
        assert!(matches!(
            a.jobs().retry(job.id + 1000, 5).await,
            Err(QueueError::NotFound { .. })
        ));

        a.jobs().retry(job.id, 5).await.unwrap();
        assert!(matches!(
            a.jobs().retry(job.id, 5).await,
            Err(QueueError::NotFound { .. })
        ));
        let again = queue.take(&[KIND], 1, 5, 100).await.unwrap().remove(0);
        assert_eq!((again.id, again.attempts), (job.id, 1));
        assert!(matches!(
            queue
                .fail(&job, Failure::Transient, "late", &POLICY, 6, 0.0)
                .await,
            Err(QueueError::LeaseLost { .. })
        ));
        queue.complete(&again, 6).await.unwrap();
        assert!(a.jobs().list(false, 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_rate_limited_job_waits_and_keeps_its_attempts() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        enqueue(&a, &["limited"]).await;
        let queue = t.store.queue();
        for round in 0..6 {
            let now = round * 10_000;
            let job = queue.take(&[KIND], 1, now, 100).await.unwrap().remove(0);
            assert_eq!(job.attempts, 1);
            let limited = Failure::RateLimited {
                retry_after_ms: 7_000,
            };
            let verdict = queue
                .fail(&job, limited, "429", &POLICY, now, 0.0)
                .await
                .unwrap();
            assert_eq!(
                verdict,
                Verdict::RetryAt {
                    run_at_ms: now + 7_000,
                    counts: false
                }
            );
            assert!(
                queue
                    .take(&[KIND], 1, now + 6_999, 100)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
    }
}

#[tokio::test]
async fn tenants_take_turns_so_a_backlog_does_not_starve_others() {
    for t in testing::all_backends().await.unwrap() {
        let big = tenant(&t, "big").await;
        let small = tenant(&t, "small").await;
        let backlog: Vec<String> = (0..200).map(|i| format!("b{i}")).collect();
        enqueue(
            &big,
            &backlog.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .await;
        enqueue(&small, &["s1", "s2"]).await;
        let queue = t.store.queue();
        let mut order = Vec::new();
        for _ in 0..4 {
            let batch = queue.take(&[KIND], 5, 0, 60_000).await.unwrap();
            assert!(
                batch.iter().all(|j| j.tenant == batch[0].tenant),
                "mixed batch"
            );
            order.push((batch[0].tenant.as_str().to_owned(), batch.len()));
        }
        let small_turn = order.iter().position(|(t, _)| t == "small").unwrap();
        assert!(small_turn <= 1, "small tenant waited: {order:?}");
        assert_eq!(order[small_turn].1, 2);
        assert!(
            order
                .iter()
                .filter(|(t, _)| t == "big")
                .all(|(_, n)| *n == 5)
        );
    }
}

#[tokio::test]
async fn a_tenant_at_its_share_yields_and_one_at_its_limit_is_passed_over() {
    for t in testing::all_backends().await.unwrap() {
        let hung = tenant(&t, "hung").await;
        let other = tenant(&t, "other").await;
        enqueue(&hung, &["h1", "h2", "h3"]).await;
        enqueue(&other, &["o1"]).await;
        let queue = t.store.queue();
        let take = async |busy: &Busy| {
            let jobs = queue
                .take_sharing(&[KIND], 1, 0, 60_000, busy)
                .await
                .unwrap();
            jobs.first().map(|j| j.tenant.as_str().to_owned())
        };
        // "hung" was served least recently (never), but holds its share: "other" goes first.
        let at_share = Busy {
            at_share: vec![TenantId::parse("hung").unwrap()],
            at_limit: Vec::new(),
        };
        assert_eq!(take(&at_share).await.as_deref(), Some("other"));
        assert_eq!(
            take(&at_share).await.as_deref(),
            Some("hung"),
            "with nobody else waiting, a tenant at its share is still served"
        );
        let at_limit = Busy {
            at_share: Vec::new(),
            at_limit: vec![TenantId::parse("hung").unwrap()],
        };
        assert_eq!(take(&at_limit).await, None, "{:?}", t.backend());
        assert_eq!(take(&Busy::default()).await.as_deref(), Some("hung"));
    }
}

#[tokio::test]
async fn recurring_jobs_are_enqueued_once_per_period() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        a.jobs()
            .declare_recurring("purge", KIND, b"p", 1_000, 5_000)
            .await
            .unwrap();
        a.jobs()
            .declare_recurring("purge", KIND, b"p", 1_000, 99_999)
            .await
            .unwrap();
        let queue = t.store.queue();
        assert_eq!(queue.enqueue_due_recurring(4_999).await.unwrap(), 0);
        let (x, y) = tokio::join!(
            queue.enqueue_due_recurring(5_000),
            queue.enqueue_due_recurring(5_000)
        );
        assert_eq!(x.unwrap() + y.unwrap(), 1, "one instance wins the period");
        assert_eq!(queue.enqueue_due_recurring(5_999).await.unwrap(), 0);
        assert_eq!(
            queue.enqueue_due_recurring(8_500).await.unwrap(),
            1,
            "missed ones skipped"
        );
        assert_eq!(queue.enqueue_due_recurring(8_999).await.unwrap(), 0);
        let jobs = a.jobs().list(false, 10).await.unwrap();
        let keys: Vec<_> = jobs.iter().map(|j| j.idempotency_key.as_str()).collect();
        assert_eq!(keys, ["recurring:purge:5000", "recurring:purge:6000"]);
        assert_eq!(jobs[0].payload_len, 1);
    }
}

#[tokio::test]
async fn depth_counts_ready_and_dead_jobs_by_tenant_and_kind() {
    for t in testing::all_backends().await.unwrap() {
        let queue = t.store.queue();
        assert!(queue.depth(0).await.unwrap().is_empty());
        let a = tenant(&t, "a").await;
        enqueue(&a, &["1", "2", "3"]).await;
        let job = queue.take(&[KIND], 1, 10, 100).await.unwrap().remove(0);
        queue
            .fail(&job, Failure::Permanent, "x", &POLICY, 10, 0.0)
            .await
            .unwrap();
        let depth = queue.depth(10).await.unwrap();
        assert_eq!(depth.len(), 1);
        assert_eq!((depth[0].ready, depth[0].dead), (2, 1));
        assert_eq!(depth[0].oldest_due_ms, Some(0));
    }
}

/// Enqueues held jobs, as an import does, and returns their ids.
async fn enqueue_held(tenant: &TenantStore, keys: &[&str]) -> Vec<i64> {
    let mut tx = tenant.begin().await.unwrap();
    let mut ids = Vec::new();
    for key in keys {
        let job = NewJob {
            kind: KIND.to_owned(),
            payload: Vec::new(),
            idempotency_key: (*key).to_owned(),
            run_at_ms: 1_000_000,
        };
        ids.push(tx.enqueue(&job, 0).await.unwrap().unwrap());
    }
    tx.commit().await.unwrap();
    ids
}

#[tokio::test]
async fn a_bulk_import_goes_after_its_tenants_live_jobs_but_keeps_its_turn() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        let imported = enqueue_held(&a, &["import-1", "import-2"]).await;
        assert_eq!(a.jobs().release_bulk(&imported, 10).await.unwrap(), 2);
        let other = enqueue_held(&b, &["b-import"]).await;
        b.jobs().release_bulk(&other, 10).await.unwrap();
        // Live mail arrives after the import was released, and still goes first.
        let mut tx = a.begin().await.unwrap();
        tx.enqueue(
            &NewJob {
                kind: KIND.to_owned(),
                payload: Vec::new(),
                idempotency_key: "live".to_owned(),
                run_at_ms: 20,
            },
            20,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let queue = t.store.queue();
        let mut order = Vec::new();
        for _ in 0..4 {
            for job in queue.take(&[KIND], 1, 30, 1_000).await.unwrap() {
                order.push((job.idempotency_key.clone(), job.bulk));
            }
        }
        assert_eq!(
            order,
            [
                ("live".to_owned(), false),
                ("b-import".to_owned(), true),
                ("import-1".to_owned(), true),
                ("import-2".to_owned(), true),
            ],
            "live first within a tenant, tenants in turn: {:?}",
            t.backend()
        );
    }
}
