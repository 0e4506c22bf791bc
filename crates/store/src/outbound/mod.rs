//! What postroom sent and who must not get mail any more: the `sent_mail` record of each
//! outbound message and the tenant's suppression list.
//!
//! Like the inbound tables, nothing here is personal in clear: addresses and Message-IDs
//! arrive as keyed hashes for lookups, and the address itself, what the message said and a
//! server's diagnostic arrive sealed by the tenant's key. The caller (the engine) owns the
//! keys and the clock.

use sqlx::Row;

use crate::{StoreError, TenantStore, TenantTx};

/// Where an outbound message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SentStatus {
    /// Waiting for its send job.
    Queued,
    /// The server took it.
    Sent,
    /// Not sent on purpose (suppressed address, cap); `detail` says why.
    Skipped,
    /// The server refused it for good.
    Failed,
}

impl SentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "queued" => Self::Queued,
            "sent" => Self::Sent,
            "skipped" => Self::Skipped,
            "failed" => Self::Failed,
            other => return Err(StoreError::Corrupt(format!("sent_mail.status {other:?}"))),
        })
    }
}

/// One outbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    /// Random; also the VERP token of the message's return path.
    pub id: String,
    /// `acknowledgement`.
    pub kind: String,
    pub issue_key: Option<String>,
    /// Keyed hash of the recipient's address.
    pub recipient_hash: String,
    /// Keyed hash of the message's Message-ID.
    pub message_id_hash: String,
    /// What the message says and to whom, sealed by the caller.
    pub facts: Vec<u8>,
    pub status: SentStatus,
    /// Why it was skipped or failed; never personal data.
    pub detail: Option<String>,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
}

/// A bounce of postroom's mail to one address, as the engine read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceRecord {
    pub address_hash: String,
    /// The address, sealed.
    pub address: Vec<u8>,
    /// A permanent failure (5.x.x).
    pub hard: bool,
    /// Enhanced status code, e.g. `5.1.1`.
    pub status: Option<String>,
    /// The receiving server's diagnostic, sealed.
    pub diagnostic: Option<Vec<u8>>,
    pub at_ms: i64,
}

/// One entry of the suppression list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub address_hash: String,
    /// The address, sealed.
    pub address: Vec<u8>,
    /// Some bounce was permanent.
    pub hard: bool,
    /// Bounces counted.
    pub failures: i64,
    /// Outbound mail skips the address.
    pub suppressed: bool,
    pub status: Option<String>,
    /// The last diagnostic, sealed.
    pub diagnostic: Option<Vec<u8>>,
    /// Mails not sent because of the suppression.
    pub withheld: i64,
    pub first_at_ms: i64,
    pub last_at_ms: i64,
}

impl TenantTx {
    /// Records a message about to be sent (or skipped, with `detail`).
    pub async fn record_sent_mail(&mut self, mail: &SentMail) -> Result<(), StoreError> {
        self.record_sent_mail_in(mail, None).await
    }

    /// Records one recipient's copy of a message several people get; `batch` names the
    /// message (see [`TenantStore::sent_batch_exists`]).
    pub async fn record_sent_mail_in(
        &mut self,
        mail: &SentMail,
        batch: Option<&str>,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "INSERT INTO sent_mail (tenant_id, id, kind, issue_key, recipient_hash, \
             message_id_hash, facts, status, detail, created_at_ms, sent_at_ms, batch) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(tenant)
        .bind(&mail.id)
        .bind(&mail.kind)
        .bind(mail.issue_key.as_deref())
        .bind(&mail.recipient_hash)
        .bind(&mail.message_id_hash)
        .bind(&mail.facts)
        .bind(mail.status.as_str())
        .bind(mail.detail.as_deref())
        .bind(mail.created_at_ms)
        .bind(mail.sent_at_ms)
        .bind(batch)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Notes where the full MIME of a sent message is kept in the blob store.
    pub async fn set_sent_mime(&mut self, id: &str, mime_key: &str) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query("UPDATE sent_mail SET mime_key = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .bind(mime_key)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Sets the outcome of a queued message.
    pub async fn finish_sent_mail(
        &mut self,
        id: &str,
        status: SentStatus,
        detail: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        let sent_at = (status == SentStatus::Sent).then_some(now_ms);
        sqlx::query(
            "UPDATE sent_mail SET status = $3, detail = $4, sent_at_ms = $5 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .bind(status.as_str())
        .bind(detail)
        .bind(sent_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Counts a bounce against its address; returns the entry as it now stands. A hard
    /// bounce suppresses at once, soft ones from the `soft_limit`-th on.
    pub async fn record_bounce(
        &mut self,
        bounce: &BounceRecord,
        soft_limit: u32,
    ) -> Result<Suppression, StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        let hard = i64::from(bounce.hard);
        let suppressed_now = i64::from(bounce.hard || soft_limit <= 1);
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO suppressions (tenant_id, address_hash, address, hard, failures, \
             suppressed, status, diagnostic, withheld, first_at_ms, last_at_ms) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $7, 0, $8, $8) \
             ON CONFLICT (tenant_id, address_hash) DO UPDATE SET \
             address = excluded.address, \
             hard = CASE WHEN excluded.hard = 1 THEN 1 ELSE suppressions.hard END, \
             failures = suppressions.failures + 1, \
             suppressed = CASE WHEN excluded.hard = 1 OR suppressions.suppressed = 1 \
                 OR suppressions.failures + 1 >= $9 THEN 1 ELSE 0 END, \
             status = excluded.status, diagnostic = excluded.diagnostic, \
             last_at_ms = excluded.last_at_ms \
             RETURNING {COLUMNS}"
        )))
        .bind(tenant)
        .bind(&bounce.address_hash)
        .bind(&bounce.address)
        .bind(hard)
        .bind(suppressed_now)
        .bind(bounce.status.as_deref())
        .bind(bounce.diagnostic.as_deref())
        .bind(bounce.at_ms)
        .bind(i64::from(soft_limit))
        .fetch_one(self.conn())
        .await?;
        suppression_from_row(&row)
    }

    /// Decides, serialised per recipient, whether one more message of `kind` may go to the
    /// address hashed as `recipient_hash`: true when fewer than `cap` were queued or sent
    /// since `since_ms`. The recipient's counter row is upserted first, which locks it
    /// until this transaction ends, so two workers deciding for the same address count one
    /// after the other instead of both seeing room for one more.
    pub async fn claim_send_slot(
        &mut self,
        kind: &str,
        recipient_hash: &str,
        since_ms: i64,
        cap: u32,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "INSERT INTO send_counters (tenant_id, kind, recipient_hash, last_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, kind, recipient_hash) \
             DO UPDATE SET last_at_ms = excluded.last_at_ms",
        )
        .bind(&tenant)
        .bind(kind)
        .bind(recipient_hash)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        let row = sqlx::query(COUNT_SENT)
            .bind(&tenant)
            .bind(kind)
            .bind(recipient_hash)
            .bind(since_ms)
            .fetch_one(self.conn())
            .await?;
        let n: i64 = row.try_get("n")?;
        Ok(n < i64::from(cap))
    }

    /// Counts one message not sent to a suppressed address.
    pub async fn note_withheld(&mut self, address_hash: &str) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "UPDATE suppressions SET withheld = withheld + 1 \
             WHERE tenant_id = $1 AND address_hash = $2",
        )
        .bind(tenant)
        .bind(address_hash)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl TenantStore {
    /// The message whose VERP token or id is `id`.
    pub async fn sent_mail(&self, id: &str) -> Result<Option<SentMail>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SENT_COLUMNS} FROM sent_mail WHERE tenant_id = $1 AND id = $2"
        )))
        .bind(self.id().as_str())
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(sent_from_row).transpose()
    }

    /// The message whose Message-ID hashes to `message_id_hash`.
    pub async fn sent_mail_by_message_id(
        &self,
        message_id_hash: &str,
    ) -> Result<Option<SentMail>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SENT_COLUMNS} FROM sent_mail WHERE tenant_id = $1 AND message_id_hash = $2"
        )))
        .bind(self.id().as_str())
        .bind(message_id_hash)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(sent_from_row).transpose()
    }

    /// Whether any copy of the message `batch` was recorded: a notification planned once
    /// is not planned again when Jira delivers its event twice.
    pub async fn sent_batch_exists(&self, batch: &str) -> Result<bool, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM sent_mail WHERE tenant_id = $1 AND batch = $2")
                .bind(self.id().as_str())
                .bind(batch)
                .fetch_one(self.db().pool())
                .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Recent messages of `kind` (every kind when `None`), newest first, with the blob key
    /// of their MIME where it is kept.
    pub async fn recent_sent_mail(
        &self,
        kind: Option<&str>,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<(SentMail, Option<String>)>, StoreError> {
        let kind_filter = if kind.is_some() { "AND kind = $4" } else { "" };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SENT_COLUMNS}, mime_key FROM sent_mail WHERE tenant_id = $1 \
             AND created_at_ms >= $2 {kind_filter} ORDER BY created_at_ms DESC, id LIMIT $3"
        )))
        .bind(self.id().as_str())
        .bind(since_ms)
        .bind(limit);
        if let Some(kind) = kind {
            query = query.bind(kind);
        }
        let rows = query.fetch_all(self.db().pool()).await?;
        rows.iter()
            .map(|row| Ok((sent_from_row(row)?, row.try_get("mime_key")?)))
            .collect()
    }

    /// How many messages of `kind` were recorded since `since_ms`, and when the first of
    /// them was: what a per-site rate limit needs to say when there is room again.
    pub async fn sent_since(
        &self,
        kind: &str,
        since_ms: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at_ms) AS first_ms FROM sent_mail \
             WHERE tenant_id = $1 AND kind = $2 AND created_at_ms >= $3",
        )
        .bind(self.id().as_str())
        .bind(kind)
        .bind(since_ms)
        .fetch_one(self.db().pool())
        .await?;
        Ok((row.try_get("n")?, row.try_get("first_ms")?))
    }

    /// The blob key of a sent message's MIME, when it is kept.
    pub async fn sent_mime_key(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT mime_key FROM sent_mail WHERE tenant_id = $1 AND id = $2")
            .bind(self.id().as_str())
            .bind(id)
            .fetch_optional(self.db().pool())
            .await?;
        Ok(row.map(|r| r.try_get("mime_key")).transpose()?.flatten())
    }

    /// The suppression entry of the address hashed as `address_hash`, if it has bounced.
    pub async fn suppression(&self, address_hash: &str) -> Result<Option<Suppression>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM suppressions WHERE tenant_id = $1 AND address_hash = $2"
        )))
        .bind(self.id().as_str())
        .bind(address_hash)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(suppression_from_row).transpose()
    }

    /// Every entry, most recent bounce first.
    pub async fn suppressions(&self) -> Result<Vec<Suppression>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM suppressions WHERE tenant_id = $1 \
             ORDER BY last_at_ms DESC, address_hash"
        )))
        .bind(self.id().as_str())
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(suppression_from_row).collect()
    }

    /// Removes the entry of one address (`Some`) or every entry (`None`); returns how many.
    pub async fn clear_suppressions(&self, address_hash: Option<&str>) -> Result<u64, StoreError> {
        let done = match address_hash {
            Some(hash) => {
                sqlx::query("DELETE FROM suppressions WHERE tenant_id = $1 AND address_hash = $2")
                    .bind(self.id().as_str())
                    .bind(hash)
                    .execute(self.db().pool())
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM suppressions WHERE tenant_id = $1")
                    .bind(self.id().as_str())
                    .execute(self.db().pool())
                    .await?
            }
        };
        Ok(done.rows_affected())
    }

    /// The ids of sent messages created before `cutoff_ms` whose MIME is still kept.
    pub async fn sent_mime_before(&self, cutoff_ms: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM sent_mail WHERE tenant_id = $1 AND created_at_ms < $2 \
             AND mime_key IS NOT NULL",
        )
        .bind(self.id().as_str())
        .bind(cutoff_ms)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Forgets the MIME of the messages `ids` (their blobs were deleted).
    pub async fn forget_sent_mime(&self, ids: &[String]) -> Result<(), StoreError> {
        for id in ids {
            sqlx::query("UPDATE sent_mail SET mime_key = NULL WHERE tenant_id = $1 AND id = $2")
                .bind(self.id().as_str())
                .bind(id)
                .execute(self.db().pool())
                .await?;
        }
        Ok(())
    }

    /// Deletes sent-mail records created before `cutoff_ms` and rate counters untouched
    /// since `counters_cutoff_ms`; returns how many records.
    pub async fn purge_sent_mail_before(
        &self,
        cutoff_ms: i64,
        counters_cutoff_ms: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sent_mail WHERE tenant_id = $1 AND created_at_ms < $2")
            .bind(self.id().as_str())
            .bind(cutoff_ms)
            .execute(self.db().pool())
            .await?;
        sqlx::query("DELETE FROM send_counters WHERE tenant_id = $1 AND last_at_ms < $2")
            .bind(self.id().as_str())
            .bind(counters_cutoff_ms)
            .execute(self.db().pool())
            .await?;
        Ok(done.rows_affected())
    }
}

const COUNT_SENT: &str = "SELECT COUNT(*) AS n FROM sent_mail WHERE tenant_id = $1 \
                          AND kind = $2 AND recipient_hash = $3 AND created_at_ms >= $4 \
                          AND status IN ('queued', 'sent')";

/// How long a rate counter row is kept after its last use.
pub const COUNTER_RETENTION_MS: i64 = 24 * 60 * 60 * 1000;

pub(crate) const SENT_COLUMNS: &str = "SELECT id, kind, issue_key, recipient_hash, message_id_hash, facts, \
                            status, detail, created_at_ms, sent_at_ms";

pub(crate) const COLUMNS: &str = "address_hash, address, hard, failures, suppressed, status, diagnostic, \
                       withheld, first_at_ms, last_at_ms";

pub(crate) fn sent_from_row(row: &sqlx::any::AnyRow) -> Result<SentMail, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(SentMail {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        issue_key: row.try_get("issue_key")?,
        recipient_hash: row.try_get("recipient_hash")?,
        message_id_hash: row.try_get("message_id_hash")?,
        facts: row.try_get("facts")?,
        status: SentStatus::parse(&status)?,
        detail: row.try_get("detail")?,
        created_at_ms: row.try_get("created_at_ms")?,
        sent_at_ms: row.try_get("sent_at_ms")?,
    })
}

pub(crate) fn suppression_from_row(row: &sqlx::any::AnyRow) -> Result<Suppression, StoreError> {
    Ok(Suppression {
        address_hash: row.try_get("address_hash")?,
        address: row.try_get("address")?,
        hard: row.try_get::<i64, _>("hard")? != 0,
        failures: row.try_get("failures")?,
        suppressed: row.try_get::<i64, _>("suppressed")? != 0,
        status: row.try_get("status")?,
        diagnostic: row.try_get("diagnostic")?,
        withheld: row.try_get("withheld")?,
        first_at_ms: row.try_get("first_at_ms")?,
        last_at_ms: row.try_get("last_at_ms")?,
    })
}
