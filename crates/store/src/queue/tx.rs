//! A tenant-scoped transaction: the caller's own writes plus the jobs they cause.

use postroom_core::tenant::TenantId;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::QueueError;
use crate::{StoreError, TenantStore};

/// A job to enqueue. The payload is opaque to the queue (callers may encrypt it).
#[derive(Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    pub payload: Vec<u8>,
    /// Names the effect: a second job with a key that is queued or already done is not added.
    pub idempotency_key: String,
    /// Not taken before this time (milliseconds since the epoch).
    pub run_at_ms: i64,
}

impl std::fmt::Debug for NewJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewJob")
            .field("kind", &self.kind)
            .field("payload_len", &self.payload.len())
            .field("run_at_ms", &self.run_at_ms)
            .finish_non_exhaustive()
    }
}

/// An open transaction on one tenant's rows. Writes made through [`TenantTx::conn`] and jobs
/// added with [`TenantTx::enqueue`] are committed together or not at all.
#[derive(Debug)]
pub struct TenantTx {
    tx: Transaction<'static, Any>,
    tenant: TenantId,
}

impl TenantStore {
    /// Opens a transaction on this tenant's rows. No clock is read and no lock is held until
    /// the first statement, so begin right before writing, never across network I/O.
    pub async fn begin(&self) -> Result<TenantTx, StoreError> {
        Ok(TenantTx {
            tx: self.db().pool().begin().await?,
            tenant: self.id().clone(),
        })
    }
}

impl TenantTx {
    pub(crate) async fn begin_for(db: &crate::Db, tenant: TenantId) -> Result<Self, StoreError> {
        Ok(Self {
            tx: db.pool().begin().await?,
            tenant,
        })
    }

    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The connection of the transaction, for the caller's own tenant-scoped statements.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Adds a job, unless a job with the same idempotency key is queued (or dead) or its
    /// effect is already recorded as done. Returns the new job's id, or `None` when skipped.
    pub async fn enqueue(&mut self, job: &NewJob, now_ms: i64) -> Result<Option<i64>, QueueError> {
        let row = sqlx::query(
            "INSERT INTO jobs (tenant_id, kind, payload, idempotency_key, run_at_ms, created_at_ms) \
             SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS \
             (SELECT 1 FROM job_done WHERE tenant_id = $1 AND idempotency_key = $4) \
             ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(self.tenant.as_str())
        .bind(job.kind.as_str())
        .bind(job.payload.as_slice())
        .bind(job.idempotency_key.as_str())
        .bind(job.run_at_ms)
        .bind(now_ms)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(|r| r.try_get::<i64, _>("id")).transpose()?)
    }

    /// Adds many jobs in this transaction (one statement each, one commit for all).
    pub async fn enqueue_many(
        &mut self,
        jobs: &[NewJob],
        now_ms: i64,
    ) -> Result<usize, QueueError> {
        let mut added = 0;
        for job in jobs {
            if self.enqueue(job, now_ms).await?.is_some() {
                added += 1;
            }
        }
        Ok(added)
    }

    /// Records `key` as done for this tenant; part of [`super::Queue::complete_in`].
    pub(crate) async fn mark_done(&mut self, key: &str, now_ms: i64) -> Result<(), QueueError> {
        sqlx::query(
            "INSERT INTO job_done (tenant_id, idempotency_key, done_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
        )
        .bind(self.tenant.as_str())
        .bind(key)
        .bind(now_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
