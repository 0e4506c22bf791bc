//! Every saved version of a tenant's profile, with who saved it and when: written by the
//! save itself ([`TenantTx::put_profile`], [`TenantTx::put_profile_if`]) in its own
//! transaction, so no save path can store a profile without keeping its version.
//!
//! A version is kept while it is one of the last [`KEEP_LAST`] or younger than
//! [`KEEP_DAYS`] days: whichever keeps more (see [`TenantStore::prune_profile_versions`]).

use sqlx::Row;

use crate::{StoreError, TenantStore, TenantTx};

/// The newest versions kept whatever their age.
pub const KEEP_LAST: i64 = 50;
/// The age under which every version is kept, however many there are.
pub const KEEP_DAYS: i64 = 365;

/// Who saved a version when no console or API caller did.
pub const SAVED_BY_CLI: &str = "cli";

/// One kept version, without its document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProfileVersion {
    pub version: i64,
    /// The Jira account id of the console or API caller who saved it; `cli` for
    /// `postroom profile import`, `config` for `inbound.profile`, `sandbox` for the demo
    /// profile, `(erased)` once the person was erased, `(unknown)` for a version saved
    /// before versions were kept.
    pub saved_by: String,
    pub saved_at_ms: i64,
}

impl TenantTx {
    /// Keeps `document` as the tenant's `version`, saved by `saved_by` at `now_ms`.
    pub(crate) async fn keep_profile_version(
        &mut self,
        version: i64,
        document: &str,
        saved_by: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "INSERT INTO profile_versions (tenant_id, version, document, saved_by, saved_at_ms) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, version) DO UPDATE SET document = excluded.document, \
             saved_by = excluded.saved_by, saved_at_ms = excluded.saved_at_ms",
        )
        .bind(tenant)
        .bind(version)
        .bind(document)
        .bind(saved_by)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl TenantStore {
    /// The kept versions, newest first.
    pub async fn profile_versions(&self) -> Result<Vec<ProfileVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, saved_by, saved_at_ms FROM profile_versions \
             WHERE tenant_id = $1 ORDER BY version DESC",
        )
        .bind(self.id().as_str())
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Version `version` and its document; `None` when it is not kept.
    pub async fn profile_version_document(
        &self,
        version: i64,
    ) -> Result<Option<(ProfileVersion, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT version, saved_by, saved_at_ms, document FROM profile_versions \
             WHERE tenant_id = $1 AND version = $2",
        )
        .bind(self.id().as_str())
        .bind(version)
        .fetch_optional(self.db().pool())
        .await?;
        row.map(|r| Ok((from_row(&r)?, r.try_get("document")?)))
            .transpose()
    }

    /// Deletes the versions that are neither among the last [`KEEP_LAST`] nor younger
    /// than [`KEEP_DAYS`] days at `now_ms`; returns how many went. The version in force
    /// is always the newest, so it is never deleted.
    pub async fn prune_profile_versions(&self, now_ms: i64) -> Result<u64, StoreError> {
        let cutoff = now_ms.saturating_sub(KEEP_DAYS.saturating_mul(24 * 3_600_000));
        let done = sqlx::query(
            "DELETE FROM profile_versions WHERE tenant_id = $1 AND saved_at_ms < $2 \
             AND version <= (SELECT COALESCE(MAX(version), 0) FROM profile_versions \
                             WHERE tenant_id = $1) - $3",
        )
        .bind(self.id().as_str())
        .bind(cutoff)
        .bind(KEEP_LAST)
        .execute(self.db().pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// The versions saved by `account_id`, oldest first (a person's data).
    pub async fn profile_versions_saved_by(
        &self,
        account_id: &str,
    ) -> Result<Vec<ProfileVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, saved_by, saved_at_ms FROM profile_versions \
             WHERE tenant_id = $1 AND saved_by = $2 ORDER BY version",
        )
        .bind(self.id().as_str())
        .bind(account_id)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(from_row).collect()
    }
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<ProfileVersion, StoreError> {
    Ok(ProfileVersion {
        version: r.try_get("version")?,
        saved_by: r.try_get("saved_by")?,
        saved_at_ms: r.try_get("saved_at_ms")?,
    })
}
