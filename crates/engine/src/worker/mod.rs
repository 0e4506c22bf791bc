//! The worker loop: N concurrent workers per process, each taking batches of jobs of the
//! registered kinds, running their handlers and settling them.
//!
//! Why this shape: the lease is committed by [`Queue::take`] before a handler runs, so no
//! database transaction is open during a handler's network I/O; a handler commits its local
//! effects together with the job's completion ([`JobContext::complete_in`]), so an effect is
//! committed at most once even when a worker dies and its job is redone.

mod context;
mod run;
mod shares;
mod telemetry;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use postroom_core::redact::Redactor;
use postroom_core::tenant::SiteLabels;
use postroom_store::queue::{QueueError, RetryPolicy};

pub use context::JobContext;
pub use run::Workers;

/// Why a handler did not finish its job; the kind decides the retry.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// May succeed later (network, timeout, 5xx): retried with growing delays.
    #[error("transient: {0}")]
    Transient(String),
    /// Will never succeed: the job is parked as dead at once.
    #[error("permanent: {0}")]
    Permanent(String),
    /// The remote asked to wait: retried not before `retry_after`.
    #[error("rate limited for {retry_after:?}: {reason}")]
    RateLimited {
        retry_after: Duration,
        reason: String,
    },
    /// The job must not run yet because other work comes first (an earlier mail of its
    /// conversation): taken again after `retry_after`, without using up an attempt.
    #[error("waiting {retry_after:?}: {reason}")]
    Waiting {
        retry_after: Duration,
        reason: String,
    },
    /// Another worker holds the job now (this lease expired): nothing is to be settled.
    #[error("lease lost")]
    LeaseLost,
}

impl From<QueueError> for JobError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::LeaseLost { .. } => JobError::LeaseLost,
            other => JobError::Transient(other.to_string()),
        }
    }
}

/// The code that runs jobs of one kind.
///
/// A handler with local effects opens [`JobContext::begin`], writes through the returned
/// transaction and finishes with [`JobContext::complete_in`]; one without returns `Ok(())`
/// and the worker completes the job. Error messages become the job's last error, so they
/// must not contain e-mail addresses, subjects or bodies.
pub trait Handler: Send + Sync + 'static {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>>;
}

/// How the workers of one process behave.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Concurrent workers in this process.
    pub concurrency: usize,
    /// Jobs leased per take; more means fewer round trips, but longer waits for the batch's
    /// last jobs.
    pub batch: u32,
    /// How long a take's lease lasts; a dead worker's job is redone after this.
    pub lease: Duration,
    /// Sleep between takes when the queue has nothing due.
    pub idle_poll: Duration,
    /// How often recurring jobs are enqueued and queue depth is measured.
    pub tick: Duration,
    pub retry: RetryPolicy,
    /// After a stop is asked for, how long a job in hand may still run; then it is cut off
    /// and its lease given back at once (`shutdown_grace_secs`).
    pub grace: Duration,
    /// How the queue's per-site gauges name their site; the default is opaque under a key
    /// drawn at start (`serve` passes the instance's key so that series survive restarts).
    pub site_labels: SiteLabels,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            batch: 10,
            lease: Duration::from_secs(60),
            idle_poll: Duration::from_millis(500),
            tick: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            grace: Duration::from_secs(10),
            site_labels: SiteLabels::Opaque(Redactor::new(rand::random())),
        }
    }
}

/// The registry of handlers by job kind.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<String, Arc<dyn Handler>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.handlers.keys()).finish()
    }
}

impl Registry {
    /// Registers `handler` for jobs of `kind`, replacing any earlier one.
    pub fn register(&mut self, kind: &str, handler: impl Handler) {
        self.handlers.insert(kind.to_owned(), Arc::new(handler));
    }

    fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.handlers.keys().cloned().collect();
        kinds.sort();
        kinds
    }
}

/// Milliseconds since the epoch by the system clock (the store reads none itself).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
