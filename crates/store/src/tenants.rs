//! The tenant registry and the tenant-scoped handle.

use postroom_core::tenant::TenantId;
use sqlx::Row;

use crate::{Db, StoreError};

/// How postroom reaches a tenant's Jira site. Secrets are not here: they stay in the
/// configuration's secret files (the tenant `default`) or sealed in `tenant_secrets`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JiraConnection {
    pub url: Option<String>,
    /// `api_token`, `pat` or `oauth`.
    pub auth: Option<String>,
    /// The account postroom acts as (the e-mail of an API-token user).
    pub account: Option<String>,
}

/// A tenant as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRecord {
    pub id: TenantId,
    pub jira: JiraConnection,
    /// The site's own periods in days, per kind, where it chose one.
    pub retention: OwnRetention,
    /// The site's own bounce address (the base of its VERP return paths), if it has one.
    pub bounce_address: Option<String>,
    /// The name of the site's DKIM key among the operator's, if it has one.
    pub dkim_key: Option<String>,
    /// False when the site opted out of the raw-mail audit: its raw mail is deleted as
    /// soon as it is processed, whatever its mailboxes and listeners say.
    pub store_raw: bool,
    /// The site's own SMTP relay, when it sends through one instead of the instance's.
    pub relay: Option<SiteRelay>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// A site's own SMTP relay, set by its administrator when the operator's `postroom.toml`
/// names no `[outbound]` transport. Its password is not here: it is sealed in
/// `tenant_secrets` (`SiteSecret::SmtpPassword`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRelay {
    pub host: String,
    /// `None`: the usual port of `security`.
    pub port: Option<u16>,
    /// `tls`, `starttls` or `plain` (checked by the edge, which knows the choices).
    pub security: String,
    pub username: Option<String>,
}

/// A site's own retention periods in days, per kind of audit data; `None`: the
/// instance's. Bounds are the edge's to check (the operator's `[retention]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OwnRetention {
    /// Intake records and raw mail (column `retention_days`).
    pub intake: Option<u32>,
    /// Processing results with their reports.
    pub reports: Option<u32>,
    /// Records of mail postroom sent.
    pub sent_mail: Option<u32>,
}

/// The handle through which all of one tenant's rows are read and written.
///
/// It can only be made by [`crate::Store`] for a tenant that exists; every query binds
/// `self.tenant`, and no method accepts another tenant id.
#[derive(Debug, Clone)]
pub struct TenantStore {
    db: Db,
    tenant: TenantId,
}

impl TenantStore {
    pub(crate) fn new(db: Db, tenant: TenantId) -> Self {
        Self { db, tenant }
    }

    pub fn id(&self) -> &TenantId {
        &self.tenant
    }

    /// The database, for repositories of other crates that scope their own queries by
    /// [`TenantStore::id`].
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// This tenant's own registry entry.
    pub async fn record(&self) -> Result<TenantRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, jira_url, jira_auth, jira_account, retention_days, reports_days, sent_mail_days, bounce_address, dkim_key, store_raw, smtp_host, smtp_port, smtp_security, smtp_username, created_at_ms, updated_at_ms \
             FROM tenants WHERE id = $1",
        )
        .bind(self.tenant.as_str())
        .fetch_optional(self.db.pool())
        .await?;
        match row {
            Some(row) => record_from_row(&row),
            None => Err(StoreError::UnknownTenant(self.tenant.clone())),
        }
    }

    /// Sets this tenant's own retention periods, every kind at once (`None`s: the
    /// operator's).
    pub async fn set_retention(
        &self,
        periods: &OwnRetention,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tenants SET retention_days = $1, reports_days = $2, sent_mail_days = $3, \
             updated_at_ms = $4 WHERE id = $5",
        )
        .bind(periods.intake.map(i64::from))
        .bind(periods.reports.map(i64::from))
        .bind(periods.sent_mail.map(i64::from))
        .bind(now_ms)
        .bind(self.tenant.as_str())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Opts this tenant in (`true`, the default) or out of the raw-mail audit.
    pub async fn set_store_raw(&self, keep: bool, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE tenants SET store_raw = $1, updated_at_ms = $2 WHERE id = $3")
            .bind(i64::from(keep))
            .bind(now_ms)
            .bind(self.tenant.as_str())
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Whether this tenant keeps raw mail for the audit (see [`TenantRecord::store_raw`]).
    pub async fn keeps_raw_mail(&self) -> Result<bool, StoreError> {
        let keep: Option<i64> = sqlx::query_scalar("SELECT store_raw FROM tenants WHERE id = $1")
            .bind(self.tenant.as_str())
            .fetch_optional(self.db.pool())
            .await?;
        Ok(keep.is_none_or(|k| k != 0))
    }

    /// Sets this tenant's own sending identity (`None`s: the instance's).
    pub async fn set_identity(
        &self,
        bounce_address: Option<&str>,
        dkim_key: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tenants SET bounce_address = $1, dkim_key = $2, updated_at_ms = $3 \
             WHERE id = $4",
        )
        .bind(bounce_address)
        .bind(dkim_key)
        .bind(now_ms)
        .bind(self.tenant.as_str())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Sets (or with `None` removes) this tenant's own SMTP relay.
    pub async fn set_relay(
        &self,
        relay: Option<&SiteRelay>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tenants SET smtp_host = $1, smtp_port = $2, smtp_security = $3, \
             smtp_username = $4, updated_at_ms = $5 WHERE id = $6",
        )
        .bind(relay.map(|r| r.host.as_str()))
        .bind(relay.and_then(|r| r.port).map(i64::from))
        .bind(relay.map(|r| r.security.as_str()))
        .bind(relay.and_then(|r| r.username.as_deref()))
        .bind(now_ms)
        .bind(self.tenant.as_str())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Replaces this tenant's Jira connection.
    pub async fn set_jira(&self, jira: &JiraConnection, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tenants SET jira_url = $1, jira_auth = $2, jira_account = $3, \
             updated_at_ms = $4 WHERE id = $5",
        )
        .bind(jira.url.as_deref())
        .bind(jira.auth.as_deref())
        .bind(jira.account.as_deref())
        .bind(now_ms)
        .bind(self.tenant.as_str())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

pub(crate) async fn upsert(
    db: &Db,
    id: &TenantId,
    jira: &JiraConnection,
    now_ms: i64,
) -> Result<(), StoreError> {
    write(
        db,
        id,
        jira,
        now_ms,
        "DO UPDATE SET jira_url = excluded.jira_url, \
         jira_auth = excluded.jira_auth, jira_account = excluded.jira_account, \
         updated_at_ms = excluded.updated_at_ms \
         WHERE tenants.jira_url IS DISTINCT FROM excluded.jira_url \
         OR tenants.jira_auth IS DISTINCT FROM excluded.jira_auth \
         OR tenants.jira_account IS DISTINCT FROM excluded.jira_account",
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert(
    db: &Db,
    id: &TenantId,
    jira: &JiraConnection,
    now_ms: i64,
) -> Result<(), StoreError> {
    if write(db, id, jira, now_ms, "DO NOTHING").await? == 1 {
        Ok(())
    } else {
        Err(StoreError::TenantExists(id.clone()))
    }
}

/// Inserts the tenant's row, doing `on_conflict` when it exists; the rows written.
async fn write(
    db: &Db,
    id: &TenantId,
    jira: &JiraConnection,
    now_ms: i64,
    on_conflict: &'static str,
) -> Result<u64, StoreError> {
    let sql = format!(
        "INSERT INTO tenants (id, jira_url, jira_auth, jira_account, created_at_ms, \
         updated_at_ms) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) {on_conflict}"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.as_str())
        .bind(jira.url.as_deref())
        .bind(jira.auth.as_deref())
        .bind(jira.account.as_deref())
        .bind(now_ms)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

pub(crate) async fn exists(db: &Db, id: &TenantId) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM tenants WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn list(db: &Db) -> Result<Vec<TenantRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, jira_url, jira_auth, jira_account, retention_days, reports_days, sent_mail_days, bounce_address, dkim_key, store_raw, smtp_host, smtp_port, smtp_security, smtp_username, created_at_ms, updated_at_ms \
         FROM tenants ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record_from_row).collect()
}

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<TenantRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let id = TenantId::parse(&id).map_err(|e| StoreError::Corrupt(format!("tenants.id: {e}")))?;
    Ok(TenantRecord {
        id,
        jira: JiraConnection {
            url: row.try_get("jira_url")?,
            auth: row.try_get("jira_auth")?,
            account: row.try_get("jira_account")?,
        },
        retention: OwnRetention {
            intake: days(row, "retention_days")?,
            reports: days(row, "reports_days")?,
            sent_mail: days(row, "sent_mail_days")?,
        },
        bounce_address: row.try_get("bounce_address")?,
        dkim_key: row.try_get("dkim_key")?,
        store_raw: row.try_get::<i64, _>("store_raw")? != 0,
        relay: relay_from_row(row)?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

fn relay_from_row(row: &sqlx::any::AnyRow) -> Result<Option<SiteRelay>, StoreError> {
    let Some(host) = row.try_get::<Option<String>, _>("smtp_host")? else {
        return Ok(None);
    };
    let port = row
        .try_get::<Option<i64>, _>("smtp_port")?
        .map(|p| {
            u16::try_from(p).map_err(|_| StoreError::Corrupt(format!("tenants.smtp_port: {p}")))
        })
        .transpose()?;
    Ok(Some(SiteRelay {
        host,
        port,
        security: row
            .try_get::<Option<String>, _>("smtp_security")?
            .unwrap_or_else(|| "starttls".to_owned()),
        username: row.try_get("smtp_username")?,
    }))
}

fn days(row: &sqlx::any::AnyRow, column: &str) -> Result<Option<u32>, StoreError> {
    row.try_get::<Option<i64>, _>(column)?
        .map(|d| {
            u32::try_from(d).map_err(|_| StoreError::Corrupt(format!("tenants.{column}: {d}")))
        })
        .transpose()
}
