//! Recurring jobs: declared once per tenant, enqueued once per period across all instances.
//!
//! Each declaration has a `next_run_at_ms`. Whichever instance first moves it forward with a
//! conditional UPDATE (`WHERE next_run_at_ms = <the value it read>`) enqueues that period's
//! job in the same transaction; the others' UPDATE matches no row. The job's idempotency key
//! names the period, so even a replayed period adds no second job.

use sqlx::Row;

use super::tx::{NewJob, TenantTx};
use super::{Queue, QueueError, TenantJobs};
use crate::StoreError;
use postroom_core::tenant::TenantId;

/// The first run time after `now_ms` on the grid `due_ms + k * period_ms`: missed periods
/// are skipped rather than run in a burst.
pub fn next_period_after(due_ms: i64, period_ms: i64, now_ms: i64) -> i64 {
    let period = period_ms.max(1);
    if now_ms < due_ms {
        return due_ms;
    }
    let periods = (now_ms - due_ms) / period + 1;
    due_ms.saturating_add(periods.saturating_mul(period))
}

impl TenantJobs {
    /// Declares (or redefines) the recurring job `name`; it first runs at `first_run_at_ms`
    /// unless already declared, in which case its schedule is kept.
    pub async fn declare_recurring(
        &self,
        name: &str,
        kind: &str,
        payload: &[u8],
        period_ms: i64,
        first_run_at_ms: i64,
    ) -> Result<(), QueueError> {
        sqlx::query(
            "INSERT INTO job_recurring (tenant_id, name, kind, payload, period_ms, next_run_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, name) DO UPDATE SET \
             kind = excluded.kind, payload = excluded.payload, period_ms = excluded.period_ms",
        )
        .bind(self.store.id().as_str())
        .bind(name)
        .bind(kind)
        .bind(payload)
        .bind(period_ms.max(1))
        .bind(first_run_at_ms)
        .execute(self.store.db().pool())
        .await?;
        Ok(())
    }

    /// Removes the declaration of the recurring job `name` (a schedule switched off); jobs
    /// already enqueued stay. True when there was one.
    pub async fn forget_recurring(&self, name: &str) -> Result<bool, QueueError> {
        let done = sqlx::query("DELETE FROM job_recurring WHERE tenant_id = $1 AND name = $2")
            .bind(self.store.id().as_str())
            .bind(name)
            .execute(self.store.db().pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

impl Queue {
    /// Enqueues every recurring job that is due at `now_ms` and not yet claimed by another
    /// instance; returns how many this call enqueued.
    pub async fn enqueue_due_recurring(&self, now_ms: i64) -> Result<usize, QueueError> {
        let due = sqlx::query(
            "SELECT tenant_id, name, kind, payload, period_ms, next_run_at_ms \
             FROM job_recurring WHERE next_run_at_ms <= $1",
        )
        .bind(now_ms)
        .fetch_all(self.db.pool())
        .await?;
        let mut enqueued = 0;
        for row in &due {
            let tenant: String = row.try_get("tenant_id")?;
            let tenant = TenantId::parse(&tenant)
                .map_err(|e| StoreError::Corrupt(format!("job_recurring.tenant_id: {e}")))?;
            let name: String = row.try_get("name")?;
            let due_ms: i64 = row.try_get("next_run_at_ms")?;
            let period_ms: i64 = row.try_get("period_ms")?;
            let mut tx = TenantTx::begin_for(&self.db, tenant.clone()).await?;
            let claimed = sqlx::query(
                "UPDATE job_recurring SET next_run_at_ms = $1 \
                 WHERE tenant_id = $2 AND name = $3 AND next_run_at_ms = $4",
            )
            .bind(next_period_after(due_ms, period_ms, now_ms))
            .bind(tenant.as_str())
            .bind(name.as_str())
            .bind(due_ms)
            .execute(tx.conn())
            .await?;
            if claimed.rows_affected() != 1 {
                tx.rollback().await?;
                continue;
            }
            let job = NewJob {
                kind: row.try_get("kind")?,
                payload: row.try_get("payload")?,
                idempotency_key: format!("recurring:{name}:{due_ms}"),
                run_at_ms: due_ms,
            };
            if tx.enqueue(&job, now_ms).await?.is_some() {
                enqueued += 1;
            }
            tx.commit().await?;
        }
        Ok(enqueued)
    }
}

#[cfg(test)]
mod tests {
    use super::next_period_after;

    #[test]
    fn next_period_skips_missed_ones() {
        assert_eq!(next_period_after(1_000, 100, 1_000), 1_100);
        assert_eq!(next_period_after(1_000, 100, 1_099), 1_100);
        assert_eq!(next_period_after(1_000, 100, 1_100), 1_200);
        assert_eq!(next_period_after(1_000, 100, 1_950), 2_000);
        assert_eq!(next_period_after(1_000, 100, 900), 1_000);
        assert_eq!(next_period_after(1_000, 0, 1_000), 1_001);
    }
}
