//! Looking at jobs and acting on dead ones, per tenant; queue depth for metrics.

use postroom_core::tenant::TenantId;
use sqlx::Row;

use super::rows::{RECORD_COLUMNS, job_record};
use super::{Queue, QueueError};
use crate::{StoreError, TenantStore};

/// Where a job is in its life. Completed jobs are deleted, so they have no state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its run time, or leased by a worker (see `locked_until_ms`).
    Ready,
    /// Parked after a permanent failure or too many attempts; kept until retried.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Ready => "ready",
            JobState::Dead => "dead",
        }
    }
}

/// A job as an operator sees it: everything but the payload, of which only the size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub idempotency_key: String,
    pub state: JobState,
    pub attempts: i64,
    pub run_at_ms: i64,
    pub locked_until_ms: i64,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub payload_len: usize,
}

/// One tenant's jobs, for operators and for declaring recurring jobs.
#[derive(Debug, Clone)]
pub struct TenantJobs {
    pub(super) store: TenantStore,
}

impl TenantStore {
    /// This tenant's jobs.
    pub fn jobs(&self) -> TenantJobs {
        TenantJobs {
            store: self.clone(),
        }
    }
}

impl TenantJobs {
    /// Jobs in id order, the dead ones only when `dead_only`, at most `limit`.
    pub async fn list(&self, dead_only: bool, limit: u32) -> Result<Vec<JobRecord>, QueueError> {
        let filter = if dead_only { " AND state = 'dead'" } else { "" };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM jobs WHERE tenant_id = $1{filter} ORDER BY id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.store.id().as_str())
            .bind(i64::from(limit))
            .fetch_all(self.store.db().pool())
            .await?;
        Ok(rows.iter().map(job_record).collect::<Result<_, _>>()?)
    }

    /// One job of this tenant.
    pub async fn show(&self, id: i64) -> Result<JobRecord, QueueError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM jobs WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.store.id().as_str())
            .bind(id)
            .fetch_optional(self.store.db().pool())
            .await?;
        match row {
            Some(row) => Ok(job_record(&row)?),
            None => Err(QueueError::NotFound {
                job_id: id,
                expected: "",
            }),
        }
    }

    /// Puts a dead job back in the queue, runnable at `now_ms`, with a fresh attempt count.
    /// Its last error is kept until it fails again.
    pub async fn retry(&self, id: i64, now_ms: i64) -> Result<(), QueueError> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'ready', attempts = 0, run_at_ms = $1, locked_until_ms = 0 \
             WHERE tenant_id = $2 AND id = $3 AND state = 'dead'",
        )
        .bind(now_ms)
        .bind(self.store.id().as_str())
        .bind(id)
        .execute(self.store.db().pool())
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(QueueError::NotFound {
                job_id: id,
                expected: "dead",
            })
        }
    }

    /// Makes the held jobs `ids` runnable at `now_ms` (an import holds its jobs until its
    /// last message is taken in); a job already due, running or gone is left as it is.
    /// Returns how many were released.
    pub async fn release(&self, ids: &[i64], now_ms: i64) -> Result<u64, QueueError> {
        self.release_as(ids, now_ms, false).await
    }

    /// Like [`TenantJobs::release`], for a bulk import: the jobs are handed out after the
    /// tenant's live ones (`postroom process --bulk`).
    pub async fn release_bulk(&self, ids: &[i64], now_ms: i64) -> Result<u64, QueueError> {
        self.release_as(ids, now_ms, true).await
    }

    async fn release_as(&self, ids: &[i64], now_ms: i64, bulk: bool) -> Result<u64, QueueError> {
        let mut released = 0;
        // Bounded statements: a large import releases thousands of jobs.
        for chunk in ids.chunks(500) {
            let params: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "UPDATE jobs SET run_at_ms = $1, priority = $3 WHERE tenant_id = $2 \
                 AND state = 'ready' AND run_at_ms > $1 AND id IN ({})",
                params.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(now_ms)
                .bind(self.store.id().as_str())
                .bind(i64::from(bulk));
            for id in chunk {
                query = query.bind(*id);
            }
            released += query.execute(self.store.db().pool()).await?.rows_affected();
        }
        Ok(released)
    }

    /// Forgets done idempotency keys recorded before `cutoff_ms` (postroom keeps 30 days);
    /// returns how many.
    pub async fn purge_done_before(&self, cutoff_ms: i64) -> Result<u64, QueueError> {
        let done = sqlx::query("DELETE FROM job_done WHERE tenant_id = $1 AND done_at_ms < $2")
            .bind(self.store.id().as_str())
            .bind(cutoff_ms)
            .execute(self.store.db().pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Whether the effect named `key` was recorded as done (and not yet purged).
    pub async fn is_done(&self, key: &str) -> Result<bool, QueueError> {
        let row =
            sqlx::query("SELECT 1 FROM job_done WHERE tenant_id = $1 AND idempotency_key = $2")
                .bind(self.store.id().as_str())
                .bind(key)
                .fetch_optional(self.store.db().pool())
                .await?;
        Ok(row.is_some())
    }
}

/// Queue depth of one (tenant, kind), for metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepthRow {
    pub tenant: TenantId,
    pub kind: String,
    /// Jobs waiting or leased.
    pub ready: i64,
    pub dead: i64,
    /// Run time of the oldest job that is due now and not leased, if any.
    pub oldest_due_ms: Option<i64>,
}

impl Queue {
    /// Depth by tenant and kind. Scans the table, which stays small (done jobs are deleted);
    /// call it every few seconds, not per job.
    pub async fn depth(&self, now_ms: i64) -> Result<Vec<DepthRow>, QueueError> {
        let rows = sqlx::query(
            "SELECT tenant_id, kind, \
             SUM(CASE WHEN state = 'ready' THEN 1 ELSE 0 END) AS ready, \
             SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END) AS dead, \
             MIN(CASE WHEN state = 'ready' AND run_at_ms <= $1 AND locked_until_ms <= $1 \
             THEN run_at_ms END) AS oldest \
             FROM jobs GROUP BY tenant_id, kind ORDER BY tenant_id, kind",
        )
        .bind(now_ms)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let tenant: String = row.try_get("tenant_id")?;
                Ok(DepthRow {
                    tenant: TenantId::parse(&tenant)
                        .map_err(|e| StoreError::Corrupt(format!("jobs.tenant_id: {e}")))?,
                    kind: row.try_get("kind")?,
                    ready: row.try_get("ready")?,
                    dead: row.try_get("dead")?,
                    oldest_due_ms: row.try_get("oldest")?,
                })
            })
            .collect()
    }
}
