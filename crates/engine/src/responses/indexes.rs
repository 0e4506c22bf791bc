//! Each tenant's templates prepared for searching, kept between requests.
//!
//! Preparing 10,000 templates takes about 6 ms and reading them from the database more, so
//! a picker that searches on every key stroke cannot afford it per request. The prepared
//! copy is kept per tenant with the template revision it was made at (see
//! `Templates::revision`); each search reads the revision (one indexed row) and prepares
//! again only when it moved. The revision lives in the database, so an instance notices a
//! change made through another: nothing here is state that another instance would need.
//!
//! Uses do not move the revision: at 10,000 templates preparing again costs about 100 ms,
//! which every post would otherwise cost the next search on every instance. The overall use
//! counts a copy ranks by are refreshed by preparing again after [`USE_COUNTS_TTL`]. The
//! caller's own recent uses and favourites are kept per agent the same way (see
//! [`super::mine`]), against the agent's own revision, read in the same query.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::canned::{Scope, SearchIndex, Template};
use postroom_store::StoreError;
use postroom_store::templates::Templates;

use super::mine::MineCopies;
use super::scopes::ScopeClasses;

/// How old the overall use counts of a prepared copy may get before it is prepared again.
pub const USE_COUNTS_TTL: Duration = Duration::from_secs(600);

/// One tenant's templates at one revision, with their search index.
#[derive(Debug)]
pub struct Prepared {
    /// The revision the templates were read at.
    pub revision: i64,
    /// When their reading began.
    pub made: Instant,
    /// Every template of the tenant (visibility is decided per caller at search time).
    pub templates: Vec<Template>,
    /// The index over [`Prepared::templates`], in the same order.
    pub index: SearchIndex,
    /// Every project key a project-scoped template names: the caller's standing is needed
    /// in each to decide visibility.
    pub projects: BTreeSet<String>,
    /// The distinct scopes and owners of [`Prepared::templates`], to decide access once
    /// per scope.
    pub classes: ScopeClasses,
}

impl Prepared {
    /// Prepares `templates`, read at `revision`.
    pub fn new(revision: i64, templates: Vec<Template>) -> Self {
        let index = SearchIndex::new(&templates);
        let projects = templates
            .iter()
            .filter_map(|t| match &t.draft.scope {
                Scope::Projects(keys) => Some(keys.iter().cloned()),
                _ => None,
            })
            .flatten()
            .collect();
        let classes = ScopeClasses::new(&templates);
        Self {
            revision,
            made: Instant::now(),
            templates,
            index,
            projects,
            classes,
        }
    }
}

/// The prepared templates of every tenant searched on this instance.
#[derive(Debug)]
pub struct SearchIndexes {
    by_tenant: Mutex<HashMap<String, Slot>>,
    mine: MineCopies,
    use_counts_ttl: Duration,
}

/// One tenant's kept copy, and the lock its preparation holds: searches that find the copy
/// out of date while another prepares it wait for that one instead of each reading and
/// preparing 10,000 templates (single flight).
#[derive(Debug, Default)]
struct Slot {
    kept: Option<Arc<Prepared>>,
    preparing: Arc<tokio::sync::Mutex<()>>,
}

impl Default for SearchIndexes {
    fn default() -> Self {
        Self::with_use_counts_ttl(USE_COUNTS_TTL)
    }
}

impl SearchIndexes {
    /// Indexes whose use counts are refreshed after `ttl` (zero: on every search, for
    /// tests that rank by use).
    pub fn with_use_counts_ttl(ttl: Duration) -> Self {
        Self {
            by_tenant: Mutex::default(),
            mine: MineCopies::default(),
            use_counts_ttl: ttl,
        }
    }

    /// `tenant`'s templates as they are now: the kept copy when its revision is current
    /// (and its use counts young enough), else a fresh one (which replaces it). The
    /// revision is read before the templates, so a change that lands in between makes the
    /// next search prepare again, never miss it. Concurrent searches that need a fresh copy
    /// share one preparation: a copy whose reading began after a search arrived serves it.
    pub async fn current(
        &self,
        tenant: &str,
        templates: &Templates,
    ) -> Result<Arc<Prepared>, StoreError> {
        let arrived = Instant::now();
        let revision = templates.revision().await?;
        self.at(tenant, templates, revision, arrived).await
    }

    /// `tenant`'s templates for a search that arrived at `arrived` and read `revision`
    /// since: see [`SearchIndexes::current`].
    pub async fn at(
        &self,
        tenant: &str,
        templates: &Templates,
        revision: i64,
        arrived: Instant,
    ) -> Result<Arc<Prepared>, StoreError> {
        let (kept, preparing) = self.slot(tenant);
        if let Some(prepared) = kept.filter(|p| self.serves(p, revision, arrived)) {
            return Ok(prepared);
        }
        let _turn = preparing.lock().await;
        if let Some(prepared) = self
            .slot(tenant)
            .0
            .filter(|p| self.serves(p, revision, arrived))
        {
            return Ok(prepared);
        }
        let reading = Instant::now();
        let revision = templates.revision().await?;
        let all = templates.list().await?;
        // Lower-casing 10,000 bodies takes milliseconds: not on the runtime's workers.
        let prepared = match tokio::task::spawn_blocking(move || Prepared::new(revision, all)).await
        {
            // Dated from the start of the reading: what a waiting search compares with.
            Ok(prepared) => Arc::new(Prepared {
                made: reading,
                ..prepared
            }),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        self.lock().entry(tenant.to_owned()).or_default().kept = Some(Arc::clone(&prepared));
        Ok(prepared)
    }

    /// Whether `prepared` may answer a search that arrived at `arrived` and read
    /// `revision`: it was read at that very revision and its use counts are young enough,
    /// or it was read after the search arrived (another search's preparation, as new as
    /// anything this one could read). Only equality counts as current: a tenant erased and
    /// made again starts its revisions afresh.
    fn serves(&self, prepared: &Prepared, revision: i64, arrived: Instant) -> bool {
        (prepared.revision == revision && prepared.made.elapsed() < self.use_counts_ttl)
            || prepared.made >= arrived
    }

    /// The kept copy of `tenant` (if any) and its preparation lock.
    fn slot(&self, tenant: &str) -> (Option<Arc<Prepared>>, Arc<tokio::sync::Mutex<()>>) {
        let mut all = self.lock();
        let slot = all.entry(tenant.to_owned()).or_default();
        (slot.kept.clone(), Arc::clone(&slot.preparing))
    }

    /// Each agent's recent uses and favourites kept on this instance (see
    /// [`MineCopies::current`]).
    pub fn mine(&self) -> &MineCopies {
        &self.mine
    }

    /// Drops `tenant`'s copies (the tenant was erased or removed).
    pub fn forget(&self, tenant: &str) {
        self.lock().remove(tenant);
        self.mine.forget(tenant);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.by_tenant
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
