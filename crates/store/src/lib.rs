//! postroom's state on SQLite or PostgreSQL.
//!
//! The crate hands out two kinds of handle. [`Store`] is the instance-wide one: it opens the
//! database, applies migrations and keeps the registry of tenants. [`TenantStore`] is the
//! only way to reach a tenant's rows: it is made from a tenant id that exists, binds that id
//! into every query it runs, and offers no method that takes another tenant's id. Code that
//! holds tenant A's handle has no way to name a row of tenant B.

pub mod access_log;
pub mod audit;
pub mod backup;
pub mod blobs;
mod budgets;
pub mod console;
pub mod conversations;
pub mod crypto;
mod db;
mod error;
pub mod forge;
pub mod inbound;
pub mod intake;
pub mod inventory;
pub mod mailboxes;
pub mod outbound;
pub mod people;
pub mod profile_versions;
pub mod queue;
pub mod sender_accounts;
pub mod site_mailboxes;
pub mod templates;
mod tenant_secrets;
mod tenants;
pub mod testcases;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod usage;
pub mod webhooks;

pub use db::{Backend, Db, backend_of};
pub use error::StoreError;
pub use queue::{LeasedJob, NewJob, Queue, QueueError, TenantTx};
pub use tenant_secrets::{SecretError, SecretInfo, SiteSecret};
pub use tenants::{JiraConnection, OwnRetention, SiteRelay, TenantRecord, TenantStore};

use postroom_core::tenant::TenantId;

/// The instance-wide handle: database, migrations and the tenant registry.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens the database at `url` (`sqlite:PATH` or `postgres://…`) without migrating it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            db: Db::connect(url).await?,
        })
    }

    /// Applies the embedded migrations of the backend in use; migrations already applied are
    /// left alone, and one that was edited after being applied is refused.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.db.migrate().await
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The raw database, for crates that add their own tenant-scoped repositories.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Checks that the database answers, for readiness probes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }

    /// Creates the tenant if it does not exist and records its Jira connection; returns its
    /// scoped handle. Used at start for the self-hosted tenant `default`.
    pub async fn ensure_tenant(
        &self,
        id: &TenantId,
        jira: &JiraConnection,
        now_ms: i64,
    ) -> Result<TenantStore, StoreError> {
        tenants::upsert(&self.db, id, jira, now_ms).await?;
        Ok(TenantStore::new(self.db.clone(), id.clone()))
    }

    /// Creates a new tenant with its Jira connection; [`StoreError::TenantExists`] when the
    /// id is taken, so that adding a site never overwrites another's settings.
    pub async fn add_tenant(
        &self,
        id: &TenantId,
        jira: &JiraConnection,
        now_ms: i64,
    ) -> Result<TenantStore, StoreError> {
        tenants::insert(&self.db, id, jira, now_ms).await?;
        Ok(TenantStore::new(self.db.clone(), id.clone()))
    }

    /// The scoped handle of an existing tenant; [`StoreError::UnknownTenant`] otherwise.
    pub async fn tenant(&self, id: &TenantId) -> Result<TenantStore, StoreError> {
        if tenants::exists(&self.db, id).await? {
            Ok(TenantStore::new(self.db.clone(), id.clone()))
        } else {
            Err(StoreError::UnknownTenant(id.clone()))
        }
    }

    /// Every tenant of this instance, by id.
    pub async fn list_tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        tenants::list(&self.db).await
    }
}
