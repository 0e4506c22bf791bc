//! Jira Cloud sites that installed postroom's Forge app: one tenant per installation.
//!
//! The installation's identity (its id, the site's cloud id and API base URL) comes from
//! verified invocation tokens only; this module keeps what they said. Lifecycle events are
//! taken once by their own id, so Forge's retries and a late copy of an old event change
//! nothing.

use postroom_core::tenant::TenantId;
use sqlx::Row;

use crate::{Store, StoreError, TenantStore};

/// The auth kind recorded in `tenants.jira_auth` for a Forge tenant.
pub const FORGE_AUTH: &str = "forge";

/// Where a site installed the app, as verified invocation tokens named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeSite {
    /// `ari:cloud:ecosystem::installation/UUID`.
    pub installation_id: String,
    pub cloud_id: String,
    /// Jira's REST API for this site through Atlassian's gateway.
    pub api_base_url: String,
}

/// An installation as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeInstallation {
    pub site: ForgeSite,
    pub tenant: TenantId,
    pub installed_at_ms: i64,
    /// `Some` from the uninstall event until a new install.
    pub uninstalled_at_ms: Option<i64>,
    /// What the latest token said of the licence; `None`: it carried none.
    pub licence_active: Option<bool>,
    /// When the held app system token expires; `None`: none held.
    pub token_expires_at_ms: Option<i64>,
}

/// What an install event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// A new tenant was made for the site.
    New(TenantId),
    /// The site had uninstalled the app and is back, with everything it had.
    Reinstalled(TenantId),
    /// Nothing changed: the app was installed already, or this event was taken before.
    Unchanged(TenantId),
}

impl Installed {
    pub fn tenant(&self) -> &TenantId {
        match self {
            Self::New(t) | Self::Reinstalled(t) | Self::Unchanged(t) => t,
        }
    }
}

/// The tenant id of an installation: `forge-` and the installation's UUID, so that ids
/// stay stable across reinstalls and say where the tenant came from.
pub fn tenant_id_of(installation_id: &str) -> Result<TenantId, StoreError> {
    let uuid = installation_id
        .rsplit('/')
        .next()
        .unwrap_or(installation_id)
        .to_ascii_lowercase();
    TenantId::parse(&format!("forge-{uuid}")).map_err(|e| {
        StoreError::Invalid(format!(
            "the installation id {installation_id:?} cannot name a tenant: {e}"
        ))
    })
}

const COLUMNS: &str = "installation_id, tenant_id, cloud_id, api_base_url, installed_at_ms, \
                       uninstalled_at_ms, licence_active, token_expires_at_ms";

impl Store {
    /// The installation `installation_id`, if the app was ever installed there (and the
    /// tenant not erased since).
    pub async fn forge_installation(
        &self,
        installation_id: &str,
    ) -> Result<Option<ForgeInstallation>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM forge_installations WHERE installation_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(installation_id)
            .fetch_optional(self.db().pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every installation, by tenant.
    pub async fn forge_installations(&self) -> Result<Vec<ForgeInstallation>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM forge_installations ORDER BY tenant_id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.db().pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Takes the install event `event_id` of `site`: makes the site's tenant on the first
    /// install, brings an uninstalled one back, and changes nothing for an event taken
    /// before. All in one transaction, so two copies of the event racing make one tenant.
    pub async fn forge_install(
        &self,
        site: &ForgeSite,
        event_id: &str,
        now_ms: i64,
    ) -> Result<Installed, StoreError> {
        let tenant = tenant_id_of(&site.installation_id)?;
        let mut tx = self.db().pool().begin().await?;
        let existing = sqlx::query(
            "SELECT uninstalled_at_ms FROM forge_installations WHERE installation_id = $1",
        )
        .bind(&site.installation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match existing {
            None => {
                sqlx::query(
                    "INSERT INTO tenants (id, jira_url, jira_auth, jira_account, created_at_ms, \
                     updated_at_ms) VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT (id) DO NOTHING",
                )
                .bind(tenant.as_str())
                .bind(&site.api_base_url)
                .bind(FORGE_AUTH)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO forge_installations (installation_id, tenant_id, cloud_id, \
                     api_base_url, installed_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $5)",
                )
                .bind(&site.installation_id)
                .bind(tenant.as_str())
                .bind(&site.cloud_id)
                .bind(&site.api_base_url)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                Installed::New(tenant.clone())
            }
            Some(row) => {
                let uninstalled: Option<i64> = row.try_get("uninstalled_at_ms")?;
                if seen(&mut tx, &tenant, event_id).await? || uninstalled.is_none() {
                    Installed::Unchanged(tenant.clone())
                } else {
                    sqlx::query(
                        "UPDATE forge_installations SET uninstalled_at_ms = NULL, \
                         installed_at_ms = $1, cloud_id = $2, api_base_url = $3, \
                         updated_at_ms = $1 WHERE installation_id = $4",
                    )
                    .bind(now_ms)
                    .bind(&site.cloud_id)
                    .bind(&site.api_base_url)
                    .bind(&site.installation_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE tenants SET jira_url = $1, updated_at_ms = $2 WHERE id = $3",
                    )
                    .bind(&site.api_base_url)
                    .bind(now_ms)
                    .bind(tenant.as_str())
                    .execute(&mut *tx)
                    .await?;
                    Installed::Reinstalled(tenant.clone())
                }
            }
        };
        remember(&mut tx, &tenant, event_id, now_ms).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Takes the uninstall event `event_id`: the tenant stops taking mail from now and is
    /// erased `erase_after_days` later unless the site installs the app again. `false` when
    /// nothing changed (unknown installation, already uninstalled, or the event seen).
    pub async fn forge_uninstall(
        &self,
        installation_id: &str,
        event_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let Some(found) = self.forge_installation(installation_id).await? else {
            return Ok(false);
        };
        let mut tx = self.db().pool().begin().await?;
        if seen(&mut tx, &found.tenant, event_id).await? {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE forge_installations SET uninstalled_at_ms = $1, updated_at_ms = $1 \
             WHERE installation_id = $2 AND uninstalled_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(installation_id)
        .execute(&mut *tx)
        .await?;
        remember(&mut tx, &found.tenant, event_id, now_ms).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

impl TenantStore {
    /// Records what the latest verified token said of the licence (`None`: nothing).
    /// Returns whether it changed.
    pub async fn set_forge_licence(
        &self,
        active: Option<bool>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE forge_installations SET licence_active = $1, updated_at_ms = $2 \
             WHERE tenant_id = $3 AND licence_active IS DISTINCT FROM $1",
        )
        .bind(active.map(i64::from))
        .bind(now_ms)
        .bind(self.id().as_str())
        .execute(self.db().pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the expiry of the app system token just sealed for this tenant.
    pub async fn set_forge_token_expiry(
        &self,
        expires_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE forge_installations SET token_expires_at_ms = $1, updated_at_ms = $2 \
             WHERE tenant_id = $3",
        )
        .bind(expires_at_ms)
        .bind(now_ms)
        .bind(self.id().as_str())
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    /// This tenant's installation, when it is a Forge tenant.
    pub async fn forge_installation(&self) -> Result<Option<ForgeInstallation>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM forge_installations WHERE tenant_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.id().as_str())
            .fetch_optional(self.db().pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}

async fn seen(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &TenantId,
    event_id: &str,
) -> Result<bool, StoreError> {
    let row =
        sqlx::query("SELECT 1 FROM forge_lifecycle_events WHERE tenant_id = $1 AND event_id = $2")
            .bind(tenant.as_str())
            .bind(event_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.is_some())
}

async fn remember(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &TenantId,
    event_id: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO forge_lifecycle_events (tenant_id, event_id, received_at_ms) \
         VALUES ($1, $2, $3) ON CONFLICT (tenant_id, event_id) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(event_id)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<ForgeInstallation, StoreError> {
    let tenant: String = row.try_get("tenant_id")?;
    let tenant = TenantId::parse(&tenant)
        .map_err(|e| StoreError::Corrupt(format!("forge_installations.tenant_id: {e}")))?;
    Ok(ForgeInstallation {
        site: ForgeSite {
            installation_id: row.try_get("installation_id")?,
            cloud_id: row.try_get("cloud_id")?,
            api_base_url: row.try_get("api_base_url")?,
        },
        tenant,
        installed_at_ms: row.try_get("installed_at_ms")?,
        uninstalled_at_ms: row.try_get("uninstalled_at_ms")?,
        licence_active: row
            .try_get::<Option<i64>, _>("licence_active")?
            .map(|v| v != 0),
        token_expires_at_ms: row.try_get("token_expires_at_ms")?,
    })
}
