//! What a handler sees of its job: the job, its lease, and the completion transaction.

use postroom_store::queue::{LeasedJob, Queue, TenantTx};

use super::{JobError, millis, now_ms};

/// One leased job, handed to its kind's handler.
#[derive(Debug)]
pub struct JobContext {
    queue: Queue,
    job: LeasedJob,
    lease: std::time::Duration,
    completed: bool,
}

impl JobContext {
    pub(super) fn new(queue: Queue, job: LeasedJob, lease: std::time::Duration) -> Self {
        Self {
            queue,
            job,
            lease,
            completed: false,
        }
    }

    pub fn job(&self) -> &LeasedJob {
        &self.job
    }

    pub fn payload(&self) -> &[u8] {
        &self.job.payload
    }

    /// Renews the lease for another full lease period; long handlers call it between steps.
    pub async fn extend_lease(&mut self) -> Result<(), JobError> {
        let until = now_ms().saturating_add(millis(self.lease));
        Ok(self.queue.extend(&mut self.job, until).await?)
    }

    /// Extends the lease when less than half of it is left.
    pub(super) async fn keep_lease(&mut self) -> Result<(), JobError> {
        let left = self.job.locked_until_ms.saturating_sub(now_ms());
        if left < millis(self.lease) / 2 {
            self.extend_lease().await?;
        }
        Ok(())
    }

    /// A transaction on the job's tenant for its local effects; open it after the network
    /// work, right before writing.
    pub async fn begin(&self) -> Result<TenantTx, JobError> {
        Ok(self.queue.begin(&self.job).await?)
    }

    /// Commits `tx` together with the job's completion and its idempotency key.
    pub async fn complete_in(&mut self, tx: TenantTx) -> Result<(), JobError> {
        self.queue.complete_in(tx, &self.job, now_ms()).await?;
        self.completed = true;
        Ok(())
    }

    pub(super) fn completed(&self) -> bool {
        self.completed
    }

    pub(super) fn into_job(self) -> LeasedJob {
        self.job
    }
}
