//! The durable job queue, kept in the same database as the rest of postroom's state.
//!
//! Why here and not in a broker: a job is enqueued inside the caller's own transaction
//! ([`TenantTx::enqueue`]), so it exists if and only if the data that caused it was committed,
//! and a job's completion is recorded in the same transaction as its local effects
//! ([`Queue::complete_in`]), so an effect is never committed twice.
//!
//! Workers take jobs with a lease (`locked_until_ms`) that is committed before any work
//! starts; every take bumps the job's `lease_seq`, and completing or failing a job only
//! succeeds while that sequence number is still the job's, so a worker whose lease ran out
//! and whose job was taken again cannot commit anything for it ([`QueueError::LeaseLost`]).
//! Completed jobs are deleted, which keeps the table small under load.

mod admin;
mod recurring;
mod retry;
mod rows;
mod take;
mod tx;

use postroom_core::tenant::TenantId;

use crate::{Db, Store, StoreError};

pub use admin::{DepthRow, JobRecord, JobState, TenantJobs};
pub use recurring::next_period_after;
pub use retry::{Failure, RetryPolicy, Verdict, backoff_ms, verdict};
pub use take::Busy;
pub use tx::{NewJob, TenantTx};

/// What can go wrong with a queue operation, in terms a worker can act on.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The job was taken again by another worker (its lease expired) or is gone: drop the
    /// work, nothing of it may be committed.
    #[error("job {job_id} is no longer leased by this worker")]
    LeaseLost { job_id: i64 },
    /// No job with this id in this tenant (or not in the state the operation needs).
    #[error("no {expected} job {job_id} in this tenant")]
    NotFound { job_id: i64, expected: &'static str },
    /// A transaction of one tenant was used to complete a job of another.
    #[error("job {job_id} belongs to another tenant than the transaction")]
    TenantMismatch { job_id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> Self {
        QueueError::Store(StoreError::Database(e))
    }
}

/// A job a worker holds a lease on. The payload is opaque bytes and is never logged; `Debug`
/// shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct LeasedJob {
    pub id: i64,
    pub tenant: TenantId,
    pub kind: String,
    pub payload: Vec<u8>,
    pub idempotency_key: String,
    /// How many times the job has been taken, this take included.
    pub attempts: i64,
    /// The lease's identity; see the module documentation.
    pub lease_seq: i64,
    pub locked_until_ms: i64,
    pub run_at_ms: i64,
    pub created_at_ms: i64,
    /// Part of a bulk import (`postroom process --bulk`): handed out after the tenant's live
    /// jobs, and its Jira requests wait behind live ones.
    pub bulk: bool,
}

impl std::fmt::Debug for LeasedJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeasedJob")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("kind", &self.kind)
            .field("payload_len", &self.payload.len())
            .field("attempts", &self.attempts)
            .field("lease_seq", &self.lease_seq)
            .field("bulk", &self.bulk)
            .field("locked_until_ms", &self.locked_until_ms)
            .finish_non_exhaustive()
    }
}

/// The worker side of the queue: takes jobs of every tenant, fairly, and settles them.
///
/// Instance-wide because a worker serves all tenants; each job it hands out carries its
/// tenant, and the transaction to complete it in is scoped to that tenant ([`Queue::begin`]).
#[derive(Debug, Clone)]
pub struct Queue {
    db: Db,
}

impl Store {
    /// The worker side of the job queue.
    pub fn queue(&self) -> Queue {
        Queue {
            db: self.db().clone(),
        }
    }
}
