//! Each agent's recent uses and favourites, kept between searches.
//!
//! Reading them costs a search more than the search itself (an agent has hundreds of recent
//! uses, one row each), yet they change only when that agent posts or marks a template. So
//! they are kept per tenant and agent with the revisions they were read at: the tenant's
//! template revision (a deleted template takes its uses and marks with it) and the agent's
//! own, which each of their uses and marks raises in the database
//! (`Templates::revisions`). A search reads both in one query and reads the agent's rows
//! again only when one moved, whichever instance moved it. They decide ranking only, never
//! what the agent may see.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use postroom_core::canned::{Mine, RecentUse};
use postroom_store::StoreError;
use postroom_store::templates::{Revisions, Templates};

use super::USE_COUNTS_TTL;

/// One agent's recent uses and favourites, as read at some revisions.
#[derive(Debug)]
pub struct KeptMine {
    revisions: Revisions,
    made: Instant,
    /// Recent use per template id (the last 90 days as of `made`).
    pub recent: RecentUse,
    /// Ids of the agent's favourite templates.
    pub favourites: HashSet<String>,
}

impl KeptMine {
    /// What the ranking needs of them.
    pub fn mine(&self) -> Mine<'_> {
        Mine {
            recent: &self.recent,
            favourites: Some(&self.favourites),
        }
    }
}

/// The kept copies of every agent who searched on this instance, per tenant.
#[derive(Debug, Default)]
pub struct MineCopies {
    by_agent: Mutex<HashMap<String, HashMap<String, Arc<KeptMine>>>>,
}

impl MineCopies {
    /// `account_id`'s recent uses and favourites on `tenant` at `revisions`: the kept copy
    /// while both revisions are those it was read at (and it is younger than
    /// [`USE_COUNTS_TTL`], as uses leave the 90-day window), else read again.
    pub async fn current(
        &self,
        tenant: &str,
        account_id: &str,
        templates: &Templates,
        revisions: Revisions,
        now_ms: i64,
    ) -> Result<Arc<KeptMine>, StoreError> {
        let kept = self
            .lock()
            .get(tenant)
            .and_then(|agents| agents.get(account_id))
            .cloned();
        if let Some(kept) =
            kept.filter(|k| k.revisions == revisions && k.made.elapsed() < USE_COUNTS_TTL)
        {
            return Ok(kept);
        }
        // Read after the revisions: a change landing in between leaves a copy tagged with
        // the older revision, read again by the next search.
        let made = Instant::now();
        let recent = templates.recent_use(account_id, now_ms).await?;
        let favourites = templates.favourites(account_id).await?;
        let kept = Arc::new(KeptMine {
            revisions,
            made,
            recent,
            favourites,
        });
        self.lock()
            .entry(tenant.to_owned())
            .or_default()
            .insert(account_id.to_owned(), Arc::clone(&kept));
        Ok(kept)
    }

    /// Drops the copies of `tenant`'s agents.
    pub fn forget(&self, tenant: &str) {
        self.lock().remove(tenant);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<String, Arc<KeptMine>>>> {
        self.by_agent.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
