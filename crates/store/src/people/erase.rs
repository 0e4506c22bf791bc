//! Deleting the rows of one person's data in one transaction: all of it goes, or none.

use crate::{StoreError, TenantStore};

/// What to do with the person's suppression entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionChoice {
    /// Keep only a marker when the address is suppressed: its keyed hash and the counts,
    /// with the sealed address and diagnostic removed, so postroom does not start mailing
    /// a bouncing address again. An entry that does not suppress is deleted.
    KeepMarker,
    /// Delete the entry whatever it says (`--include-suppression`).
    Remove,
}

/// The rows to delete, as the engine found them.
#[derive(Debug, Clone)]
pub struct PersonErase {
    /// Messages taken in (intake, result, recipients, conversation place and claim).
    pub intake_ids: Vec<String>,
    /// Outbound messages.
    pub sent_ids: Vec<String>,
    /// Thread-map entries, by the keyed hash of their Message-ID.
    pub thread_hashes: Vec<String>,
    /// The address's keyed hash, for its suppression entry, rate counters and remembered
    /// Jira account lookups; `None` when the person was named by a Jira account id only.
    pub address_hash: Option<String>,
    pub suppression: SuppressionChoice,
}

/// How many rows went, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PersonErased {
    pub intake: u64,
    pub reports: u64,
    pub sent_mail: u64,
    pub thread_map: u64,
    pub counters: u64,
    /// Remembered Jira account lookups of the address.
    pub accounts: u64,
    /// The suppression entry was deleted.
    pub suppression_removed: bool,
    /// The suppression entry was kept as a marker (keyed hash and counts only).
    pub suppression_marker: bool,
}

/// The tables holding rows of one message taken in, children first.
const MESSAGE_TABLES: [&str; 6] = [
    "intake_recipients",
    "conversation_places",
    "conversation_claims",
    "inbound_attempts",
    "inbound_results",
    "intake",
];

impl TenantStore {
    /// Deletes the rows `erase` names. The caller deletes the blobs first: should this
    /// fail, finding the person again finds the same rows.
    pub async fn erase_person(&self, erase: &PersonErase) -> Result<PersonErased, StoreError> {
        let tenant = self.id().as_str().to_owned();
        let mut tx = self.begin().await?;
        let mut done = PersonErased::default();
        for id in &erase.intake_ids {
            for table in MESSAGE_TABLES {
                let column = if table == "intake" { "id" } else { "intake_id" };
                let n = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE tenant_id = $1 AND {column} = $2"
                )))
                .bind(&tenant)
                .bind(id)
                .execute(tx.conn())
                .await?
                .rows_affected();
                match table {
                    "intake" => done.intake += n,
                    "inbound_results" => done.reports += n,
                    _ => {}
                }
            }
        }
        for id in &erase.sent_ids {
            done.sent_mail += sqlx::query("DELETE FROM sent_mail WHERE tenant_id = $1 AND id = $2")
                .bind(&tenant)
                .bind(id)
                .execute(tx.conn())
                .await?
                .rows_affected();
        }
        for hash in &erase.thread_hashes {
            done.thread_map +=
                sqlx::query("DELETE FROM thread_map WHERE tenant_id = $1 AND id_hash = $2")
                    .bind(&tenant)
                    .bind(hash)
                    .execute(tx.conn())
                    .await?
                    .rows_affected();
        }
        if let Some(hash) = &erase.address_hash {
            done.counters += sqlx::query(
                "DELETE FROM send_counters WHERE tenant_id = $1 AND recipient_hash = $2",
            )
            .bind(&tenant)
            .bind(hash)
            .execute(tx.conn())
            .await?
            .rows_affected();
            done.accounts += sqlx::query(
                "DELETE FROM sender_accounts WHERE tenant_id = $1 AND address_hash = $2",
            )
            .bind(&tenant)
            .bind(hash)
            .execute(tx.conn())
            .await?
            .rows_affected();
            if erase.suppression == SuppressionChoice::KeepMarker {
                // The sealed address goes (an empty value marks it erased); the hash and
                // the counts stay, which is all the outbound check reads.
                done.suppression_marker = sqlx::query(
                    "UPDATE suppressions SET address = $3, diagnostic = NULL, status = NULL \
                     WHERE tenant_id = $1 AND address_hash = $2 AND suppressed = 1",
                )
                .bind(&tenant)
                .bind(hash)
                .bind(Vec::<u8>::new())
                .execute(tx.conn())
                .await?
                .rows_affected()
                    > 0;
            }
            let remove = match erase.suppression {
                SuppressionChoice::Remove => {
                    "DELETE FROM suppressions WHERE tenant_id = $1 AND address_hash = $2"
                }
                SuppressionChoice::KeepMarker => {
                    "DELETE FROM suppressions WHERE tenant_id = $1 AND address_hash = $2 \
                     AND suppressed = 0"
                }
            };
            done.suppression_removed = sqlx::query(remove)
                .bind(&tenant)
                .bind(hash)
                .execute(tx.conn())
                .await?
                .rows_affected()
                > 0;
        }
        tx.commit().await?;
        Ok(done)
    }
}
