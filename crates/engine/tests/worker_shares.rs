#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A tenant whose jobs hang (its Jira answers nothing until a timeout) does not hold up
//! another tenant's jobs: it never holds every worker once the instance has two tenants,
//! and the other tenant's jobs are carried out while its own still hang. With one tenant,
//! it gets every worker.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use postroom_engine::worker::{Handler, JobContext, JobError, Registry, WorkerConfig, Workers};
use postroom_store::testing::{self, TestStore};
use postroom_store::{NewJob, TenantStore};

/// Tenant `hangs`' jobs never end (until the workers stop); the others' end at once.
/// Counts the jobs running now and the most ever running, per tenant.
#[derive(Default)]
struct Seen {
    running: BTreeMap<String, usize>,
    most: BTreeMap<String, usize>,
    done: BTreeMap<String, usize>,
}

struct Hanging {
    seen: Arc<Mutex<Seen>>,
}

impl Handler for Hanging {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let tenant = ctx.job().tenant.as_str().to_owned();
            {
                let mut seen = self.seen.lock().unwrap();
                let now = *seen
                    .running
                    .entry(tenant.clone())
                    .and_modify(|n| *n += 1)
                    .or_insert(1);
                let most = seen.most.entry(tenant.clone()).or_default();
                *most = (*most).max(now);
            }
            if tenant == "hangs" {
                std::future::pending::<()>().await;
            }
            let mut seen = self.seen.lock().unwrap();
            *seen.running.get_mut(&tenant).unwrap() -= 1;
            *seen.done.entry(tenant).or_default() += 1;
            Ok(())
        }
        .boxed()
    }
}

async fn enqueue(tenant: &TenantStore, count: usize) {
    let mut tx = tenant.begin().await.unwrap();
    for i in 0..count {
        let job = NewJob {
            kind: "probe".to_owned(),
            payload: Vec::new(),
            idempotency_key: format!("probe-{i}"),
            run_at_ms: 0,
        };
        tx.enqueue(&job, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Starts 4 workers (as `serve` runs them: one job per take) on the kind `probe`.
fn start(
    t: &TestStore,
    seen: &Arc<Mutex<Seen>>,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let mut registry = Registry::default();
    registry.register(
        "probe",
        Hanging {
            seen: Arc::clone(seen),
        },
    );
    let config = WorkerConfig {
        concurrency: 4,
        batch: 1,
        idle_poll: Duration::from_millis(10),
        tick: Duration::from_millis(50),
        grace: Duration::from_millis(10),
        ..WorkerConfig::default()
    };
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let workers = tokio::spawn(Workers::new(&t.store, registry, config).run(shutdown));
    (stop, workers)
}

/// Waits (at most 30 s) until `ready` holds of what the handler saw.
async fn until(seen: &Arc<Mutex<Seen>>, what: &str, ready: impl Fn(&Seen) -> bool) {
    for _ in 0..3_000 {
        if ready(&seen.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seen = seen.lock().unwrap();
    panic!(
        "{what}: running {:?}, most {:?}, done {:?}",
        seen.running, seen.most, seen.done
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_tenant_leaves_a_worker_for_another_tenants_new_mail() {
    for t in testing::all_backends().await.unwrap() {
        let hangs = t.tenant("hangs").await.unwrap();
        let quick = t.tenant("quick").await.unwrap();
        enqueue(&hangs, 20).await;
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (stop, workers) = start(&t, &seen);
        until(&seen, "the hanging tenant holds its workers", |s| {
            s.running.get("hangs").is_some_and(|n| *n >= 3)
        })
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        // The other tenant's mail comes in while the first one's Jira hangs.
        enqueue(&quick, 10).await;
        until(&seen, "the other tenant's jobs are done", |s| {
            s.done.get("quick") == Some(&10)
        })
        .await;
        stop.send(true).unwrap();
        workers.await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.most.get("hangs"),
            Some(&3),
            "one worker of 4 is kept for the others ({:?})",
            t.backend()
        );
        assert_eq!(seen.done.get("hangs"), None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_tenant_gets_every_worker() {
    for t in testing::all_backends().await.unwrap() {
        let only = t.tenant("hangs").await.unwrap();
        enqueue(&only, 20).await;
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (stop, workers) = start(&t, &seen);
        until(&seen, "every worker is busy", |s| {
            s.running.get("hangs") == Some(&4)
        })
        .await;
        stop.send(true).unwrap();
        workers.await.unwrap();
    }
}
