#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The in-process worker loop: failures become retries or dead jobs by their kind.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use postroom_core::tenant::TenantId;
use postroom_engine::worker::{Handler, JobContext, JobError, Registry, WorkerConfig, Workers};
use postroom_store::queue::{JobState, RetryPolicy};
use postroom_store::testing;
use postroom_store::{JiraConnection, NewJob};

/// Fails the way its payload says, counting calls.
struct Scripted {
    calls: Arc<AtomicUsize>,
}

impl Handler for Scripted {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            match ctx.payload() {
                b"transient" => Err(JobError::Transient("upstream 503".to_owned())),
                b"permanent" => Err(JobError::Permanent("malformed".to_owned())),
                _ => {
                    ctx.extend_lease().await?;
                    Ok(())
                }
            }
        }
        .boxed()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_or_parked_by_kind_and_successes_complete() {
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
        for key in ["transient", "permanent", "ok"] {
            let job = NewJob {
                kind: "scripted".to_owned(),
                payload: key.as_bytes().to_vec(),
                idempotency_key: key.to_owned(),
                run_at_ms: 0,
            };
            tx.enqueue(&job, 0).await.unwrap();
        }
        tx.commit().await.unwrap();

        let calls = Arc::new(AtomicUsize::new(0));
        let mut registry = Registry::default();
        registry.register(
            "scripted",
            Scripted {
                calls: Arc::clone(&calls),
            },
        );
        let config = WorkerConfig {
            concurrency: 2,
            batch: 2,
            idle_poll: Duration::from_millis(10),
            tick: Duration::from_millis(50),
            retry: RetryPolicy {
                max_attempts: 3,
                base_ms: 40,
                cap_ms: 1_000,
            },
            ..WorkerConfig::default()
        };
        let (stop, shutdown) = tokio::sync::watch::channel(false);
        let workers = tokio::spawn(Workers::new(&t.store, registry, config).run(shutdown));
        let mut dead = Vec::new();
        for _ in 0..200 {
            dead = tenant.jobs().list(true, 10).await.unwrap();
            if dead.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        workers.await.unwrap();

        let by_key = |k: &str| dead.iter().find(|j| j.idempotency_key == k).unwrap();
        assert_eq!(by_key("permanent").attempts, 1);
        assert_eq!(by_key("permanent").last_error.as_deref(), Some("malformed"));
        assert_eq!(by_key("transient").attempts, 3);
        assert_eq!(by_key("transient").state, JobState::Dead);
        assert!(tenant.jobs().is_done("ok").await.unwrap());
        assert_eq!(calls.load(Ordering::SeqCst), 5, "{:?}", t.backend());
    }
}
