//! The `tenant_keys` table: each tenant's data key as KMS wrapped it, with the ARN of the
//! tenant's KMS key. Every instance of a fleet reads it here and asks KMS to unwrap it, so
//! nothing about a tenant's key lives on one machine's disk.

use postroom_core::tenant::TenantId;
use sqlx::Row;

use crate::{Db, StoreError};

/// One row: whose KMS key wraps the data key, and the wrapped bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KmsWrapped {
    pub kms_key: String,
    pub wrapped: Vec<u8>,
}

pub(crate) async fn read(db: &Db, tenant: &TenantId) -> Result<Option<KmsWrapped>, StoreError> {
    let row = sqlx::query("SELECT kms_key, wrapped FROM tenant_keys WHERE tenant_id = $1")
        .bind(tenant.as_str())
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| {
        Ok(KmsWrapped {
            kms_key: row.try_get("kms_key")?,
            wrapped: row.try_get("wrapped")?,
        })
    })
    .transpose()
}

/// Keeps a new tenant's key unless another instance kept one first; true when this one
/// was kept.
pub(crate) async fn insert(
    db: &Db,
    tenant: &TenantId,
    key: &KmsWrapped,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO tenant_keys (tenant_id, kms_key, wrapped, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (tenant_id) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(&key.kms_key)
    .bind(&key.wrapped)
    .bind(now_ms)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the wrapped bytes of a tenant's key (a re-wrap under the same KMS key).
pub(crate) async fn replace(
    db: &Db,
    tenant: &TenantId,
    wrapped: &[u8],
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tenant_keys SET wrapped = $2, updated_at_ms = $3 WHERE tenant_id = $1")
        .bind(tenant.as_str())
        .bind(wrapped)
        .bind(now_ms)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Every tenant with a key here.
pub(crate) async fn tenants(db: &Db) -> Result<Vec<TenantId>, StoreError> {
    let rows = sqlx::query("SELECT tenant_id FROM tenant_keys ORDER BY tenant_id")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("tenant_id")?;
            TenantId::parse(&id).map_err(|e| StoreError::Corrupt(format!("tenant_keys: {e}")))
        })
        .collect()
}
