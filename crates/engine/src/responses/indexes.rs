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
//! counts a copy ranks by are refreshed by preparing again after [`USE_COUNTS_TTL`] (the
//! caller's own recent use is read fresh on every search).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::canned::{Scope, SearchIndex, Template};
use postroom_store::StoreError;
use postroom_store::templates::Templates;

/// How old the overall use counts of a prepared copy may get before it is prepared again.
pub const USE_COUNTS_TTL: Duration = Duration::from_secs(600);

/// One tenant's templates at one revision, with their search index.
#[derive(Debug)]
pub struct Prepared {
    /// The revision the templates were read at.
    pub revision: i64,
    /// When they were read.
    pub made: Instant,
    /// Every template of the tenant (visibility is decided per caller at search time).
    pub templates: Vec<Template>,
    /// The index over [`Prepared::templates`], in the same order.
    pub index: SearchIndex,
    /// Every project key a project-scoped template names: the caller's standing is needed
    /// in each to decide visibility.
    pub projects: BTreeSet<String>,
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
        Self {
            revision,
            made: Instant::now(),
            templates,
            index,
            projects,
        }
    }
}

/// The prepared templates of every tenant searched on this instance.
#[derive(Debug)]
pub struct SearchIndexes {
    by_tenant: Mutex<HashMap<String, Arc<Prepared>>>,
    use_counts_ttl: Duration,
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
            use_counts_ttl: ttl,
        }
    }

    /// `tenant`'s templates as they are now: the kept copy when its revision is current
    /// (and its use counts young enough), else a fresh one (which replaces it). The revision is read before the templates, so
    /// a change that lands in between makes the next search prepare again, never miss it.
    pub async fn current(
        &self,
        tenant: &str,
        templates: &Templates,
    ) -> Result<Arc<Prepared>, StoreError> {
        let revision = templates.revision().await?;
        let kept = self.lock().get(tenant).cloned();
        let current =
            |p: &Arc<Prepared>| p.revision == revision && p.made.elapsed() < self.use_counts_ttl;
        if let Some(prepared) = kept.filter(current) {
            return Ok(prepared);
        }
        let prepared = Arc::new(Prepared::new(revision, templates.list().await?));
        self.lock().insert(tenant.to_owned(), Arc::clone(&prepared));
        Ok(prepared)
    }

    /// Drops `tenant`'s copy (the tenant was erased or removed).
    pub fn forget(&self, tenant: &str) {
        self.lock().remove(tenant);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Prepared>>> {
        self.by_tenant
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
