//! Each tenant's share of this process's workers.
//!
//! The queue takes tenants in turn, but a turn ends when the job ends: a tenant whose Jira
//! hangs keeps its workers until each call times out, while another tenant's quick jobs
//! hand theirs back at once, and every freed worker then finds the hanging tenant's turn
//! again. Left alone, the hanging tenant ends up holding every worker. So, once the
//! instance has more than one tenant, a tenant holding its fair share (half the workers,
//! rounded up) is taken only when no other tenant has ready jobs, and one holding all but
//! one worker is not taken at all: the last worker is always free for the others. An
//! instance with one tenant gives it every worker.
//!
//! What is counted is workers, not jobs: a worker's batch is one tenant's. The counts are
//! this process's own, and this process's takes run one at a time, so that two workers
//! cannot both see a tenant just under its limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use postroom_core::tenant::TenantId;
use postroom_store::queue::{Busy, LeasedJob, Queue, QueueError};

/// The workers busy with each tenant, and the limits they are held to.
#[derive(Debug)]
pub(super) struct Shares {
    busy_with: Mutex<HashMap<TenantId, usize>>,
    /// Held across a take, from reading the counts to counting the new batch.
    taking: tokio::sync::Mutex<()>,
    several: AtomicBool,
    share: usize,
    limit: usize,
}

impl Shares {
    pub(super) fn new(concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            busy_with: Mutex::new(HashMap::new()),
            taking: tokio::sync::Mutex::new(()),
            several: AtomicBool::new(false),
            share: concurrency.div_ceil(2),
            limit: (concurrency - 1).max(1),
        }
    }

    /// Whether more than one tenant exists (checked at start and on every tick).
    pub(super) fn set_several(&self, several: bool) {
        self.several.store(several, Ordering::Relaxed);
    }

    /// Takes a batch for a worker as [`Queue::take_sharing`] does, passing over the
    /// tenants that hold their share; the worker counts as busy with the batch's tenant
    /// until the returned guard is dropped.
    pub(super) async fn take(
        self: &Arc<Self>,
        queue: &Queue,
        kinds: &[&str],
        batch: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<(Vec<LeasedJob>, Option<Held>), QueueError> {
        let _turn = self.taking.lock().await;
        let jobs = queue
            .take_sharing(kinds, batch, now_ms, lease_ms, &self.busy())
            .await?;
        let held = jobs.first().map(|job| self.hold(&job.tenant));
        Ok((jobs, held))
    }

    /// The tenants the next take passes over.
    fn busy(&self) -> Busy {
        let mut busy = Busy::default();
        if !self.several.load(Ordering::Relaxed) {
            return busy;
        }
        let busy_with = self
            .busy_with
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (tenant, &n) in busy_with.iter() {
            if n >= self.limit {
                busy.at_limit.push(tenant.clone());
            } else if n >= self.share {
                busy.at_share.push(tenant.clone());
            }
        }
        busy
    }

    /// Counts a worker as busy with `tenant` until the returned guard is dropped.
    fn hold(self: &Arc<Self>, tenant: &TenantId) -> Held {
        *self
            .busy_with
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(tenant.clone())
            .or_default() += 1;
        Held {
            shares: Arc::clone(self),
            tenant: tenant.clone(),
        }
    }
}

/// One worker busy with a tenant's batch; dropping it (the batch settled, given back or cut
/// off) frees its place.
#[derive(Debug)]
pub(super) struct Held {
    shares: Arc<Shares>,
    tenant: TenantId,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut busy_with = self
            .shares
            .busy_with
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = busy_with.get_mut(&self.tenant) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                busy_with.remove(&self.tenant);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(name: &str) -> TenantId {
        TenantId::parse(name).unwrap()
    }

    #[test]
    fn one_tenant_gets_every_worker() {
        let shares = Arc::new(Shares::new(4));
        let _held: Vec<Held> = (0..4).map(|_| shares.hold(&tenant("a"))).collect();
        assert_eq!(shares.busy(), Busy::default());
    }

    #[test]
    fn with_several_tenants_a_share_yields_and_a_limit_keeps_one_worker_free() {
        let shares = Arc::new(Shares::new(4));
        shares.set_several(true);
        let mut held: Vec<Held> = (0..2).map(|_| shares.hold(&tenant("a"))).collect();
        held.push(shares.hold(&tenant("b")));
        assert_eq!(
            shares.busy(),
            Busy {
                at_share: vec![tenant("a")],
                at_limit: Vec::new()
            }
        );
        held.push(shares.hold(&tenant("a")));
        assert_eq!(shares.busy().at_limit, vec![tenant("a")]);
        held.clear();
        assert_eq!(
            shares.busy(),
            Busy::default(),
            "settled jobs free their places"
        );
    }
}
