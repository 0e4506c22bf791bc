//! A person's data, as the store can find it: by the keyed hash of their address (the
//! mails they sent, the mail postroom sent them, their suppression entry and rate
//! counters, the thread-map entries of those mails) or by their Jira account id (an
//! agent's canned-response use, tokens and sessions).
//!
//! The store only finds and deletes rows; opening what is sealed, scanning raw mail for an
//! address (`--deep`), writing the export and deleting blobs is the engine's part.

mod agent;
mod erase;
mod requests;

use sqlx::Row;

use crate::audit::{AuditEntry, SELECT_WITH_REPORT};
use crate::outbound::{COLUMNS, SENT_COLUMNS, SentMail, Suppression};
use crate::{StoreError, TenantStore};

pub use agent::{AgentErased, AgentRows, AgentSession, AgentToken, AgentUse, OwnedTemplate};
pub use erase::{PersonErase, PersonErased, SuppressionChoice};
pub use requests::{PersonAction, PersonRequest, SubjectKind};

/// One message of the audit with its sealed report (`None` before it has a result).
pub type AuditRecord = (AuditEntry, Option<Vec<u8>>);

/// One outbound message and the blob key of its MIME, when kept.
pub type SentRecord = (SentMail, Option<String>);

/// A thread-map entry: a Message-ID (as its keyed hash) mapped to an issue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThreadEntry {
    pub id_hash: String,
    pub issue_key: String,
    pub created_at_ms: i64,
}

/// The rows found by the keyed hash of one address.
#[derive(Debug, Clone, Default)]
pub struct AddressRows {
    /// Messages whose sender hashes to the address.
    pub messages: Vec<AuditRecord>,
    /// Outbound mail to the address.
    pub sent: Vec<SentRecord>,
    pub suppression: Option<Suppression>,
    /// Hourly rate counters of postroom's mail to the address: (kind, last send).
    pub counters: Vec<(String, i64)>,
}

/// The most rows one page of a tenant-wide scan returns.
pub const SCAN_PAGE: i64 = 500;

impl TenantStore {
    /// Every row indexed by `address_hash` (the sender, recipient and suppression hash).
    pub async fn rows_of_address(&self, address_hash: &str) -> Result<AddressRows, StoreError> {
        let pool = self.db().pool();
        let tenant = self.id().as_str();
        let messages = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_WITH_REPORT} WHERE i.tenant_id = $1 AND r.sender_hash = $2 \
             ORDER BY i.received_at_ms, i.id"
        )))
        .bind(tenant)
        .bind(address_hash)
        .fetch_all(pool)
        .await?;
        let sent = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SENT_COLUMNS}, mime_key FROM sent_mail WHERE tenant_id = $1 \
             AND recipient_hash = $2 ORDER BY created_at_ms, id"
        )))
        .bind(tenant)
        .bind(address_hash)
        .fetch_all(pool)
        .await?;
        let suppression = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM suppressions WHERE tenant_id = $1 AND address_hash = $2"
        )))
        .bind(tenant)
        .bind(address_hash)
        .fetch_optional(pool)
        .await?;
        let counters = sqlx::query(
            "SELECT kind, last_at_ms FROM send_counters WHERE tenant_id = $1 \
             AND recipient_hash = $2 ORDER BY kind",
        )
        .bind(tenant)
        .bind(address_hash)
        .fetch_all(pool)
        .await?;
        Ok(AddressRows {
            messages: messages
                .iter()
                .map(audit_record)
                .collect::<Result<_, _>>()?,
            sent: sent.iter().map(sent_record).collect::<Result<_, _>>()?,
            suppression: suppression
                .as_ref()
                .map(crate::outbound::suppression_from_row)
                .transpose()?,
            counters: counters
                .iter()
                .map(|r| Ok((r.try_get("kind")?, r.try_get("last_at_ms")?)))
                .collect::<Result<_, StoreError>>()?,
        })
    }

    /// The messages of the audit with ids after `after_id`, in id order, at most
    /// [`SCAN_PAGE`]: one page of a scan of the whole tenant (`--deep`).
    pub async fn audit_records_after(
        &self,
        after_id: &str,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_WITH_REPORT} WHERE i.tenant_id = $1 AND i.id > $2 ORDER BY i.id LIMIT $3"
        )))
        .bind(self.id().as_str())
        .bind(after_id)
        .bind(SCAN_PAGE)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(audit_record).collect()
    }

    /// The outbound messages with ids after `after_id`, in id order, at most
    /// [`SCAN_PAGE`]: one page of a scan of the whole tenant (`--deep`).
    pub async fn sent_records_after(&self, after_id: &str) -> Result<Vec<SentRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SENT_COLUMNS}, mime_key FROM sent_mail WHERE tenant_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        )))
        .bind(self.id().as_str())
        .bind(after_id)
        .bind(SCAN_PAGE)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(sent_record).collect()
    }

    /// The thread-map entries of the Message-IDs hashed as `id_hashes`.
    pub async fn thread_entries(
        &self,
        id_hashes: &[String],
    ) -> Result<Vec<ThreadEntry>, StoreError> {
        let mut out = Vec::new();
        for hash in id_hashes {
            let row = sqlx::query(
                "SELECT id_hash, issue_key, created_at_ms FROM thread_map \
                 WHERE tenant_id = $1 AND id_hash = $2",
            )
            .bind(self.id().as_str())
            .bind(hash)
            .fetch_optional(self.db().pool())
            .await?;
            if let Some(row) = row {
                out.push(ThreadEntry {
                    id_hash: row.try_get("id_hash")?,
                    issue_key: row.try_get("issue_key")?,
                    created_at_ms: row.try_get("created_at_ms")?,
                });
            }
        }
        Ok(out)
    }
}

fn audit_record(row: &sqlx::any::AnyRow) -> Result<AuditRecord, StoreError> {
    Ok((crate::audit::from_row(row)?, row.try_get("report")?))
}

fn sent_record(row: &sqlx::any::AnyRow) -> Result<SentRecord, StoreError> {
    Ok((
        crate::outbound::sent_from_row(row)?,
        row.try_get("mime_key")?,
    ))
}
