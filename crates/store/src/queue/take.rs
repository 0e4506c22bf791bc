//! Taking jobs with a lease, and settling them: complete, fail, extend.

use postroom_core::tenant::TenantId;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::retry::{Failure, RetryPolicy, Verdict, verdict};
use super::rows::{LEASED_COLUMNS, leased_job};
use super::{LeasedJob, Queue, QueueError, TenantTx};
use crate::{Backend, StoreError};

/// The ready-job condition shared by the tenant pick and the take.
const READY: &str = "state = 'ready' AND run_at_ms <= $1 AND locked_until_ms <= $1";

/// The tenants a take passes over because this process already holds many of their jobs
/// (see [`Queue::take_sharing`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Busy {
    /// Tenants holding their fair share of the workers: taken only when no other tenant
    /// has ready jobs.
    pub at_share: Vec<TenantId>,
    /// Tenants holding every worker but those kept for the others: not taken at all.
    pub at_limit: Vec<TenantId>,
}

impl Queue {
    /// Leases up to `limit` ready jobs of the given kinds until `now_ms + lease_ms`.
    ///
    /// Fairness: the jobs all come from one tenant, the one with ready jobs that was served
    /// least recently, so tenants take turns batch by batch and one tenant's backlog cannot
    /// starve another's. The lease is committed when this returns (one statement, no open
    /// transaction): on PostgreSQL the candidate rows are locked `FOR UPDATE SKIP LOCKED`, so
    /// concurrent takers get different jobs; on SQLite the statement runs under the single
    /// writer lock, so it is atomic.
    pub async fn take(
        &self,
        kinds: &[&str],
        limit: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Vec<LeasedJob>, QueueError> {
        self.take_sharing(kinds, limit, now_ms, lease_ms, &Busy::default())
            .await
    }

    /// Like [`Queue::take`], for a taker that counts the jobs it holds per tenant.
    ///
    /// The hand-out order, in full: first the tenant — not one in `busy.at_limit`; one not
    /// in `busy.at_share` before one that is; then the one served least recently — then
    /// that tenant's jobs, live before bulk, then by run time and id. So a tenant whose Jira
    /// hangs cannot hold every worker while another tenant's mail waits, and a tenant's
    /// import never holds back its live mail; the priority orders only within a tenant, never
    /// across tenants.
    pub async fn take_sharing(
        &self,
        kinds: &[&str],
        limit: u32,
        now_ms: i64,
        lease_ms: i64,
        busy: &Busy,
    ) -> Result<Vec<LeasedJob>, QueueError> {
        if kinds.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut next = 4;
        let mut params = |n: usize| {
            let list: Vec<String> = (next..next + n).map(|i| format!("${i}")).collect();
            next += n;
            list.join(", ")
        };
        let kind_list = params(kinds.len());
        let skipped = match busy.at_limit.len() {
            0 => String::new(),
            n => format!(" AND tn.id NOT IN ({})", params(n)),
        };
        let shared = match busy.at_share.len() {
            0 => String::new(),
            n => format!("CASE WHEN tn.id IN ({}) THEN 1 ELSE 0 END, ", params(n)),
        };
        let skip_locked = match self.db.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET locked_until_ms = $2, lease_seq = lease_seq + 1, \
             attempts = attempts + 1 WHERE id IN (SELECT id FROM jobs WHERE {READY} \
             AND kind IN ({kind_list}) AND tenant_id = (SELECT tn.id FROM tenants tn \
             LEFT JOIN job_turns t ON t.tenant_id = tn.id WHERE EXISTS (SELECT 1 FROM jobs j \
             WHERE j.tenant_id = tn.id AND j.{READY2} AND j.kind IN ({kind_list})){skipped} \
             ORDER BY {shared}COALESCE(t.served_seq, 0), tn.id LIMIT 1) \
             ORDER BY priority, run_at_ms, id LIMIT $3{skip_locked}) RETURNING {LEASED_COLUMNS}",
            READY2 = "state = 'ready' AND j.run_at_ms <= $1 AND j.locked_until_ms <= $1",
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now_ms)
            .bind(now_ms.saturating_add(lease_ms))
            .bind(i64::from(limit));
        for kind in kinds {
            query = query.bind(*kind);
        }
        for tenant in busy.at_limit.iter().chain(&busy.at_share) {
            query = query.bind(tenant.as_str());
        }
        let rows: Vec<AnyRow> = query.fetch_all(self.db.pool()).await?;
        let mut jobs = rows
            .iter()
            .map(leased_job)
            .collect::<Result<Vec<_>, StoreError>>()?;
        jobs.sort_by_key(|j| (j.bulk, j.run_at_ms, j.id));
        if let Some(first) = jobs.first() {
            self.served(first.tenant.as_str()).await?;
        }
        Ok(jobs)
    }

    /// Whether more than one tenant exists, so that workers must share themselves out.
    pub async fn several_tenants(&self) -> Result<bool, QueueError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT id FROM tenants LIMIT 2) t")
            .fetch_one(self.db.pool())
            .await?;
        let n: i64 = row.try_get("n")?;
        Ok(n > 1)
    }

    /// Moves `tenant` to the back of the round-robin.
    async fn served(&self, tenant: &str) -> Result<(), QueueError> {
        sqlx::query(
            "INSERT INTO job_turns (tenant_id, served_seq) \
             VALUES ($1, (SELECT COALESCE(MAX(served_seq), 0) + 1 FROM job_turns)) \
             ON CONFLICT (tenant_id) DO UPDATE SET served_seq = excluded.served_seq",
        )
        .bind(tenant)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Pushes the lease of a long job to `until_ms`; fails with [`QueueError::LeaseLost`]
    /// when the job was taken again meanwhile.
    pub async fn extend(&self, job: &mut LeasedJob, until_ms: i64) -> Result<(), QueueError> {
        let done = sqlx::query(
            "UPDATE jobs SET locked_until_ms = $1 WHERE id = $2 AND lease_seq = $3 \
             AND state = 'ready'",
        )
        .bind(until_ms)
        .bind(job.id)
        .bind(job.lease_seq)
        .execute(self.db.pool())
        .await?;
        if done.rows_affected() == 1 {
            job.locked_until_ms = until_ms;
            Ok(())
        } else {
            Err(QueueError::LeaseLost { job_id: job.id })
        }
    }

    /// Gives `job` back at once, as if it had not been taken (the attempt does not count):
    /// a worker that stops hands over what it holds instead of making it wait for its lease
    /// to expire. Fails with [`QueueError::LeaseLost`] when the job was taken again or
    /// settled meanwhile.
    pub async fn release(&self, job: &LeasedJob) -> Result<(), QueueError> {
        let done = sqlx::query(
            "UPDATE jobs SET locked_until_ms = 0, attempts = attempts - 1 \
             WHERE id = $1 AND lease_seq = $2 AND state = 'ready'",
        )
        .bind(job.id)
        .bind(job.lease_seq)
        .execute(self.db.pool())
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(QueueError::LeaseLost { job_id: job.id })
        }
    }

    /// A transaction on the job's tenant, for the job's local effects.
    pub async fn begin(&self, job: &LeasedJob) -> Result<TenantTx, QueueError> {
        Ok(TenantTx::begin_for(&self.db, job.tenant.clone()).await?)
    }

    /// Completes `job` in `tx` and commits: the job row is deleted and its idempotency key
    /// recorded as done together with whatever else `tx` wrote. When the lease was lost the
    /// transaction is rolled back, effects included.
    pub async fn complete_in(
        &self,
        tx: TenantTx,
        job: &LeasedJob,
        now_ms: i64,
    ) -> Result<(), QueueError> {
        self.complete_all_in(tx, std::slice::from_ref(job), now_ms)
            .await
    }

    /// Completes a batch of jobs of one tenant in `tx` and commits, all or none: when any
    /// lease was lost, or a job is another tenant's, nothing is committed.
    pub async fn complete_all_in(
        &self,
        mut tx: TenantTx,
        jobs: &[LeasedJob],
        now_ms: i64,
    ) -> Result<(), QueueError> {
        for job in jobs {
            if let Err(e) = settle_done(&mut tx, job, now_ms).await {
                tx.rollback().await?;
                return Err(e);
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Completes a job that has no local effects of its own.
    pub async fn complete(&self, job: &LeasedJob, now_ms: i64) -> Result<(), QueueError> {
        let tx = self.begin(job).await?;
        self.complete_in(tx, job, now_ms).await
    }

    /// Records a failure and decides the job's fate with [`verdict`]; `error` is kept as the
    /// job's last error, so it must not contain personal data. `random` is a draw in
    /// `[0, 1)` for the backoff jitter.
    pub async fn fail(
        &self,
        job: &LeasedJob,
        failure: Failure,
        error: &str,
        policy: &RetryPolicy,
        now_ms: i64,
        random: f64,
    ) -> Result<Verdict, QueueError> {
        let decision = verdict(policy, failure, job.attempts, now_ms, random);
        let query = match decision {
            Verdict::Dead => sqlx::query(
                "UPDATE jobs SET state = 'dead', locked_until_ms = 0, last_error = $1 \
                 WHERE id = $2 AND lease_seq = $3 AND state = 'ready'",
            )
            .bind(error)
            .bind(job.id)
            .bind(job.lease_seq),
            Verdict::RetryAt { run_at_ms, counts } => sqlx::query(
                "UPDATE jobs SET run_at_ms = $1, locked_until_ms = 0, last_error = $2, \
                 attempts = attempts - $3 WHERE id = $4 AND lease_seq = $5 AND state = 'ready'",
            )
            .bind(run_at_ms)
            .bind(error)
            .bind(if counts { 0_i64 } else { 1_i64 })
            .bind(job.id)
            .bind(job.lease_seq),
        };
        let done = query.execute(self.db.pool()).await?;
        if done.rows_affected() == 1 {
            Ok(decision)
        } else {
            Err(QueueError::LeaseLost { job_id: job.id })
        }
    }
}

/// Deletes `job` (while its lease is still this one) and records its key as done, in `tx`.
async fn settle_done(tx: &mut TenantTx, job: &LeasedJob, now_ms: i64) -> Result<(), QueueError> {
    if tx.tenant() != &job.tenant {
        return Err(QueueError::TenantMismatch { job_id: job.id });
    }
    let deleted = sqlx::query(
        "DELETE FROM jobs WHERE id = $1 AND lease_seq = $2 AND state = 'ready' AND tenant_id = $3",
    )
    .bind(job.id)
    .bind(job.lease_seq)
    .bind(job.tenant.as_str())
    .execute(tx.conn())
    .await?;
    if deleted.rows_affected() != 1 {
        return Err(QueueError::LeaseLost { job_id: job.id });
    }
    tx.mark_done(&job.idempotency_key, now_ms).await
}
