//! Jira webhook deliveries that a notification rule wanted, waiting to be turned into
//! mail, and the delivery ids that make a redelivery a no-op.
//!
//! The payload arrives sealed by the caller and is cleared once processed; the row stays
//! for the dedupe period so that Jira's retries of an answered delivery change nothing.

use sqlx::Row;

use crate::{StoreError, TenantStore, TenantTx};

/// One stored delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub id: String,
    /// `webhookEvent`, e.g. `comment_created`.
    pub event: String,
    /// The body, sealed; `None` once processed.
    pub payload: Option<Vec<u8>>,
    pub received_at_ms: i64,
    pub done_at_ms: Option<i64>,
}

impl TenantTx {
    /// Stores a delivery unless one with the same identifier hash is known; true when it
    /// is new.
    pub async fn record_webhook_event(
        &mut self,
        event: &WebhookEvent,
        identifier_hash: &str,
    ) -> Result<bool, StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        let done = sqlx::query(
            "INSERT INTO webhook_events (tenant_id, id, identifier_hash, event, payload, \
             received_at_ms, done_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, identifier_hash) DO NOTHING",
        )
        .bind(tenant)
        .bind(&event.id)
        .bind(identifier_hash)
        .bind(&event.event)
        .bind(event.payload.as_deref())
        .bind(event.received_at_ms)
        .bind(event.done_at_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a delivery processed and drops its payload.
    pub async fn finish_webhook_event(&mut self, id: &str, now_ms: i64) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "UPDATE webhook_events SET payload = NULL, done_at_ms = $3 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl TenantStore {
    /// The delivery `id`.
    pub async fn webhook_event(&self, id: &str) -> Result<Option<WebhookEvent>, StoreError> {
        let row = sqlx::query(
            "SELECT id, event, payload, received_at_ms, done_at_ms FROM webhook_events \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.id().as_str())
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?;
        row.map(|row| {
            Ok(WebhookEvent {
                id: row.try_get("id")?,
                event: row.try_get("event")?,
                payload: row.try_get("payload")?,
                received_at_ms: row.try_get("received_at_ms")?,
                done_at_ms: row.try_get("done_at_ms")?,
            })
        })
        .transpose()
    }

    /// Drops the payloads of deliveries received before `payload_cutoff_ms` (never
    /// processed: at most 7 days) and the rows received before `row_cutoff_ms`; returns
    /// how many rows were deleted.
    pub async fn purge_webhook_events(
        &self,
        payload_cutoff_ms: i64,
        row_cutoff_ms: i64,
    ) -> Result<u64, StoreError> {
        sqlx::query(
            "UPDATE webhook_events SET payload = NULL \
             WHERE tenant_id = $1 AND received_at_ms < $2 AND payload IS NOT NULL",
        )
        .bind(self.id().as_str())
        .bind(payload_cutoff_ms)
        .execute(self.db().pool())
        .await?;
        let done =
            sqlx::query("DELETE FROM webhook_events WHERE tenant_id = $1 AND received_at_ms < $2")
                .bind(self.id().as_str())
                .bind(row_cutoff_ms)
                .execute(self.db().pool())
                .await?;
        Ok(done.rows_affected())
    }
}
