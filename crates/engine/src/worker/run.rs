//! The loops: N job workers and one ticker (recurring jobs, depth metrics).

use std::sync::Arc;
use std::time::Instant;

use postroom_core::ports::tracker::Priority;
use postroom_core::tenant::SiteLabels;
use postroom_store::Store;
use postroom_store::queue::{Failure, LeasedJob, Queue, Verdict};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::context::JobContext;
use super::shares::Shares;
use super::{JobError, Registry, WorkerConfig, millis, now_ms, telemetry};

/// The workers of one process.
#[derive(Debug)]
pub struct Workers {
    queue: Queue,
    registry: Arc<Registry>,
    config: WorkerConfig,
    wakeup: Arc<Notify>,
}

impl Workers {
    pub fn new(store: &Store, registry: Registry, config: WorkerConfig) -> Self {
        Self {
            queue: store.queue(),
            registry: Arc::new(registry),
            config,
            wakeup: Arc::new(Notify::new()),
        }
    }

    /// Idle workers also wake when `wakeup` is notified (a job enqueued by this process),
    /// not only every `idle_poll`; jobs from other processes are still found by polling.
    pub fn wake_on(mut self, wakeup: Arc<Notify>) -> Self {
        self.wakeup = wakeup;
        self
    }

    /// Runs until `shutdown` turns true. A job in hand when it does may finish within the
    /// grace period ([`WorkerConfig::grace`]); then it is cut off. Its lease, and those of
    /// jobs leased but not started, are given back at once, so another instance (or this
    /// one, restarted) takes them without waiting for the leases to expire. A job cut off
    /// after it may have written to Jira says so itself (the inbound worker records the
    /// attempt before its first write), so that whoever takes it next looks before it
    /// writes.
    ///
    /// Once the instance has more than one tenant, no tenant holds every worker: one whose
    /// Jira hangs cannot hold up the others' mail.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let shares = Arc::new(Shares::new(self.config.concurrency));
        note_tenants(&self.queue, &shares).await;
        let mut tasks = JoinSet::new();
        for _ in 0..self.config.concurrency.max(1) {
            let worker = Worker {
                queue: self.queue.clone(),
                registry: Arc::clone(&self.registry),
                config: self.config.clone(),
                wakeup: Arc::clone(&self.wakeup),
                shares: Arc::clone(&shares),
            };
            tasks.spawn(worker.run(shutdown.clone()));
        }
        tasks.spawn(tick(
            self.queue.clone(),
            self.config.tick,
            self.config.site_labels.clone(),
            shares,
            shutdown,
        ));
        while tasks.join_next().await.is_some() {}
    }
}

struct Worker {
    queue: Queue,
    registry: Arc<Registry>,
    config: WorkerConfig,
    wakeup: Arc<Notify>,
    shares: Arc<Shares>,
}

impl Worker {
    async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let kinds = self.registry.kinds();
        let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
        while !*shutdown.borrow() {
            let taken = self
                .shares
                .take(
                    &self.queue,
                    &kinds,
                    self.config.batch,
                    now_ms(),
                    millis(self.config.lease),
                )
                .await;
            let (jobs, _busy) = match taken {
                Ok(taken) => taken,
                Err(e) => {
                    tracing::warn!(error = %e, "taking jobs failed");
                    (Vec::new(), None)
                }
            };
            if jobs.is_empty() {
                tokio::select! {
                    () = tokio::time::sleep(self.config.idle_poll) => {}
                    () = self.wakeup.notified() => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let mut jobs = jobs.into_iter();
            while let Some(job) = jobs.next() {
                if *shutdown.borrow() {
                    self.give_back(&job).await;
                    for job in jobs.by_ref() {
                        self.give_back(&job).await;
                    }
                    break;
                }
                self.run_one(job, shutdown.clone()).await;
            }
        }
    }

    async fn run_one(&self, job: LeasedJob, shutdown: watch::Receiver<bool>) {
        let Some(handler) = self.registry.handlers.get(&job.kind) else {
            return;
        };
        let kind = job.kind.clone();
        let started = Instant::now();
        let mut ctx = JobContext::new(self.queue.clone(), job, self.config.lease);
        let mut result = ctx.keep_lease().await;
        if result.is_ok() {
            let heartbeat = tokio::spawn(heartbeat(
                self.queue.clone(),
                ctx.job().clone(),
                self.config.lease,
            ));
            let priority = if ctx.job().bulk {
                Priority::Bulk
            } else {
                Priority::Live
            };
            let finished = tokio::select! {
                r = priority.scope(handler.run(&mut ctx)) => Some(r),
                () = cut_off(shutdown, self.config.grace) => None,
            };
            heartbeat.abort();
            let Some(finished) = finished else {
                let job = ctx.into_job();
                tracing::warn!(job = job.id, kind = %kind, "stopping: the job ran past the grace period and was cut off");
                self.give_back(&job).await;
                telemetry::job_ran(&kind, "stopped", started.elapsed());
                return;
            };
            result = finished;
        }
        if result.is_ok() && !ctx.completed() {
            result = self
                .queue
                .complete(ctx.job(), now_ms())
                .await
                .map_err(JobError::from);
        }
        let outcome = match result {
            Ok(()) => "done",
            Err(e) => self.settle(ctx.into_job(), e).await,
        };
        telemetry::job_ran(&kind, outcome, started.elapsed());
    }

    /// Hands a job this worker will not run back to the queue.
    async fn give_back(&self, job: &LeasedJob) {
        if let Err(e) = self.queue.release(job).await {
            tracing::warn!(job = job.id, error = %e, "cannot give a job back; it runs again when its lease expires");
        }
    }

    /// Records a failure and returns the outcome label.
    async fn settle(&self, job: LeasedJob, error: JobError) -> &'static str {
        let waiting = matches!(error, JobError::Waiting { .. });
        let (failure, message) = match error {
            JobError::LeaseLost => return "lease_lost",
            JobError::Transient(m) => (Failure::Transient, m),
            JobError::Permanent(m) => (Failure::Permanent, m),
            // Neither uses up an attempt: the job is not failing, it is told to wait.
            JobError::RateLimited {
                retry_after,
                reason,
            }
            | JobError::Waiting {
                retry_after,
                reason,
            } => (
                Failure::RateLimited {
                    retry_after_ms: millis(retry_after),
                },
                reason,
            ),
        };
        let random = rand::random::<f64>();
        let failed = self
            .queue
            .fail(
                &job,
                failure,
                &message,
                &self.config.retry,
                now_ms(),
                random,
            )
            .await;
        match failed {
            Ok(Verdict::Dead) => {
                tracing::warn!(job = job.id, kind = %job.kind, "job is dead");
                telemetry::died(&job.kind);
                "dead"
            }
            Ok(Verdict::RetryAt { .. }) if waiting => "waiting",
            Ok(Verdict::RetryAt { .. }) => {
                telemetry::retried(&job.kind);
                "retry"
            }
            Err(e) => {
                tracing::warn!(job = job.id, error = %e, "recording a job failure failed");
                "lease_lost"
            }
        }
    }
}

/// Resolves `grace` after `shutdown` turns true; never when the stop cannot come.
async fn cut_off(mut shutdown: watch::Receiver<bool>, grace: std::time::Duration) {
    if shutdown.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(grace).await;
}

/// Keeps a running job's lease from expiring, renewing it every third of the lease, so a
/// handler slower than the lease (Jira retrying, a large upload) is not taken over by a
/// second worker while it still works. Stops when the lease is lost.
async fn heartbeat(queue: Queue, mut job: LeasedJob, lease: std::time::Duration) {
    loop {
        tokio::time::sleep(lease / 3).await;
        if queue
            .extend(&mut job, now_ms().saturating_add(millis(lease)))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Tells `shares` whether the instance has more than one tenant (on an error, that it has:
/// sharing is the safe side).
async fn note_tenants(queue: &Queue, shares: &Shares) {
    let several = queue.several_tenants().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "counting tenants failed");
        true
    });
    shares.set_several(several);
}

/// Enqueues due recurring jobs, publishes queue depth and notes whether tenants must share
/// the workers, every `every`.
async fn tick(
    queue: Queue,
    every: std::time::Duration,
    labels: SiteLabels,
    shares: Arc<Shares>,
    mut shutdown: watch::Receiver<bool>,
) {
    while !*shutdown.borrow() {
        note_tenants(&queue, &shares).await;
        let now = now_ms();
        if let Err(e) = queue.enqueue_due_recurring(now).await {
            tracing::warn!(error = %e, "enqueuing recurring jobs failed");
        }
        match queue.depth(now).await {
            Ok(rows) => telemetry::depth(&rows, &labels, now),
            Err(e) => tracing::warn!(error = %e, "measuring queue depth failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}
