//! The access log of the API: who called which route when, and what it answered.
//!
//! Kept 7 days ([`RETENTION_MS`]); it holds no token, no body and only a truncated IP
//! ([`truncate_ip`]), so it says which site and account used the API without being a
//! record of where a person was.

mod ip;

use sqlx::Row;

pub use ip::truncate_ip;

use crate::{Store, StoreError, TenantStore};
use postroom_core::tenant::TenantId;

/// How long entries are kept: 7 days.
pub const RETENTION_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// One API request. `route` is the matched route template (`/api/v1/tokens/{id}`), not the
/// raw path, so ids in paths do not end up in the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessEntry {
    pub at_ms: i64,
    pub method: String,
    pub route: String,
    pub status: u16,
    pub tenant: Option<TenantId>,
    pub account_id: Option<String>,
    /// Already truncated by [`truncate_ip`].
    pub ip: Option<String>,
}

impl Store {
    /// Appends one entry.
    pub async fn log_access(&self, entry: &AccessEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO access_log (at_ms, method, route, status, tenant_id, account_id, ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(entry.at_ms)
        .bind(&entry.method)
        .bind(&entry.route)
        .bind(i64::from(entry.status))
        .bind(entry.tenant.as_ref().map(TenantId::as_str))
        .bind(entry.account_id.as_deref())
        .bind(entry.ip.as_deref())
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    /// Deletes entries older than [`RETENTION_MS`] before `now_ms`; returns how many.
    pub async fn purge_access_log(&self, now_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM access_log WHERE at_ms < $1")
            .bind(now_ms - RETENTION_MS)
            .execute(self.db().pool())
            .await?;
        Ok(done.rows_affected())
    }
}

impl TenantStore {
    /// This tenant's most recent access-log entries, newest first.
    pub async fn access_log(&self, limit: i64) -> Result<Vec<AccessEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_ms, method, route, status, account_id, ip FROM access_log \
             WHERE tenant_id = $1 ORDER BY at_ms DESC, id DESC LIMIT $2",
        )
        .bind(self.id().as_str())
        .bind(limit)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter()
            .map(|row| -> Result<AccessEntry, StoreError> {
                let status: i64 = row.try_get("status")?;
                Ok(AccessEntry {
                    at_ms: row.try_get("at_ms")?,
                    method: row.try_get("method")?,
                    route: row.try_get("route")?,
                    status: u16::try_from(status)
                        .map_err(|_| StoreError::Corrupt(format!("access_log.status {status}")))?,
                    tenant: Some(self.id().clone()),
                    account_id: row.try_get("account_id")?,
                    ip: row.try_get("ip")?,
                })
            })
            .collect()
    }
}
