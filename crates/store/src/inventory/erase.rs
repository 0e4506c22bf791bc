//! Erasing a tenant: destroy its key first, then its blobs, then its rows.
//!
//! The key goes first because that alone makes every ciphertext of the tenant unreadable,
//! in this database, in the blob store and in every backup of either; deleting blobs and
//! rows afterwards frees the space. Should a later step fail, rerunning finishes the job.

use postroom_core::tenant::TenantId;

use super::TABLES;
use crate::blobs::{self, BlobError, BlobStore};
use crate::crypto::{CryptoError, Keyring};
use crate::{Store, StoreError};

/// What an erasure removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EraseReport {
    pub key_destroyed: bool,
    pub blobs: usize,
    pub rows: u64,
}

/// Why an erasure stopped; rerun it after fixing the cause.
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("destroying the tenant key failed: {0}")]
    Key(#[from] CryptoError),
    #[error("deleting the tenant's blobs failed: {0}")]
    Blobs(#[from] BlobError),
    #[error("deleting the tenant's rows failed: {0}")]
    Rows(#[from] StoreError),
}

/// Erases `tenant`: crypto-shreds its data key, deletes every blob under its prefix and
/// every row of every declared table that belongs to it (in one transaction).
pub async fn erase_tenant(
    store: &Store,
    keyring: &Keyring,
    blob_store: &BlobStore,
    tenant: &TenantId,
) -> Result<EraseReport, EraseError> {
    let key_destroyed = keyring.shred(store.db(), tenant).await?;
    let blobs = blobs::delete_prefix(blob_store, tenant.as_str()).await?;
    let mut tx = store.db().pool().begin().await.map_err(StoreError::from)?;
    let mut rows = 0;
    for table in TABLES {
        let Some(column) = table.tenant_column else {
            continue;
        };
        let sql = format!("DELETE FROM {} WHERE {column} = $1", table.name);
        rows += sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .rows_affected();
    }
    tx.commit().await.map_err(StoreError::from)?;
    tracing::warn!(%tenant, key_destroyed, blobs, rows, "tenant erased");
    Ok(EraseReport {
        key_destroyed,
        blobs,
        rows,
    })
}
