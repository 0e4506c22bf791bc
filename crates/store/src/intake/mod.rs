//! Intake records: what was taken in from which source, and what was refused.
//!
//! A row holds no content: the raw message is an encrypted blob named by the row's id, and
//! the dedupe hash is a SHA-256 of the Message-ID together with a digest of the content (the
//! engine's `intake::dedupe` defines it), so a message delivered twice to one tenant, by
//! whatever path, is recognised without keeping anything personal. Rows are written
//! in the caller's [`TenantTx`] together with the job that will process the message.

use sqlx::Row;

use crate::{StoreError, TenantStore, TenantTx};

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntakeSource {
    /// The SMTP or LMTP listener.
    Listener,
    /// `POST /api/v1/mail`.
    Upload,
    /// `postroom process PATH`.
    File,
    /// An IMAP mailbox.
    Mailbox,
}

impl IntakeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeSource::Listener => "listener",
            IntakeSource::Upload => "upload",
            IntakeSource::File => "file",
            IntakeSource::Mailbox => "mailbox",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "listener" => Ok(IntakeSource::Listener),
            "upload" => Ok(IntakeSource::Upload),
            "file" => Ok(IntakeSource::File),
            "mailbox" => Ok(IntakeSource::Mailbox),
            other => Err(StoreError::Corrupt(format!("intake.source {other:?}"))),
        }
    }
}

/// One intake row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IntakeRecord {
    pub id: String,
    /// The mailbox or listener the message first arrived through (a configuration name).
    pub mailbox: String,
    pub source: IntakeSource,
    pub dedupe_hash: String,
    /// SHA-256 of the Message-ID; `None` without one, for refusals and for rows taken in
    /// before it was kept. Finds other mail reusing the same Message-ID.
    pub message_id_sha256: Option<String>,
    pub size: i64,
    /// `queued` (blob stored, job enqueued) or `refused` (nothing stored but this row).
    pub status: String,
    /// Why a message was refused; never personal data.
    pub reason: Option<String>,
    pub received_at_ms: i64,
    /// False when the mailbox or listener opted out of keeping raw mail: the blob is
    /// deleted as soon as the message's processing is committed.
    pub store_raw: bool,
}

impl TenantTx {
    /// Adds an intake row; false when the tenant already has one with the same dedupe hash
    /// (the message was taken in before, through any mailbox), in which case nothing was
    /// written.
    pub async fn record_intake(&mut self, record: &IntakeRecord) -> Result<bool, StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        let done = sqlx::query(
            "INSERT INTO intake (id, tenant_id, mailbox, source, dedupe_hash, size, status, \
             reason, received_at_ms, store_raw, message_id_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (tenant_id, dedupe_hash) DO NOTHING",
        )
        .bind(&record.id)
        .bind(tenant)
        .bind(&record.mailbox)
        .bind(record.source.as_str())
        .bind(&record.dedupe_hash)
        .bind(record.size)
        .bind(&record.status)
        .bind(record.reason.as_deref())
        .bind(record.received_at_ms)
        .bind(i64::from(record.store_raw))
        .bind(record.message_id_sha256.as_deref())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records own addresses the envelope of a delivery of message `intake_id` named
    /// (see [`TenantStore::recipients`]); an address already recorded is kept once.
    pub async fn record_recipients(
        &mut self,
        intake_id: &str,
        addresses: &[String],
    ) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        for address in addresses {
            sqlx::query(
                "INSERT INTO intake_recipients (tenant_id, intake_id, address) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(&tenant)
            .bind(intake_id)
            .bind(address)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}

impl TenantStore {
    /// Adds the own addresses of another delivery of message `intake_id` (a duplicate),
    /// so that routing knows every own address the message reached.
    pub async fn add_recipients(
        &self,
        intake_id: &str,
        addresses: &[String],
    ) -> Result<(), StoreError> {
        if addresses.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        tx.record_recipients(intake_id, addresses).await?;
        tx.commit().await
    }

    /// The own addresses the envelopes of message `intake_id`'s deliveries named, sorted.
    pub async fn recipients(&self, intake_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT address FROM intake_recipients WHERE tenant_id = $1 AND intake_id = $2 \
             ORDER BY address",
        )
        .bind(self.id().as_str())
        .bind(intake_id)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter()
            .map(|r| r.try_get("address").map_err(StoreError::from))
            .collect()
    }

    /// The id of the message this tenant already took in with `dedupe_hash`, if any.
    pub async fn intake_by_hash(&self, dedupe_hash: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT id FROM intake WHERE tenant_id = $1 AND dedupe_hash = $2")
            .bind(self.id().as_str())
            .bind(dedupe_hash)
            .fetch_optional(self.db().pool())
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// Whether a message taken in before `record` carries the same Message-ID with other
    /// content (another dedupe hash): a reused Message-ID, which its report warns about.
    pub async fn reuses_message_id(&self, record: &IntakeRecord) -> Result<bool, StoreError> {
        let Some(id_hash) = &record.message_id_sha256 else {
            return Ok(false);
        };
        let row = sqlx::query(
            "SELECT id FROM intake WHERE tenant_id = $1 AND message_id_sha256 = $2 \
             AND dedupe_hash <> $3 AND id <> $4 \
             AND (received_at_ms < $5 OR (received_at_ms = $5 AND id < $4)) LIMIT 1",
        )
        .bind(self.id().as_str())
        .bind(id_hash)
        .bind(&record.dedupe_hash)
        .bind(&record.id)
        .bind(record.received_at_ms)
        .fetch_optional(self.db().pool())
        .await?;
        Ok(row.is_some())
    }

    /// One intake row by id.
    pub async fn intake(&self, id: &str) -> Result<Option<IntakeRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 AND id = $2"
        )))
        .bind(self.id().as_str())
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The most recent intake rows, newest first.
    pub async fn recent_intake(&self, limit: i64) -> Result<Vec<IntakeRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 ORDER BY received_at_ms DESC, id LIMIT $2"
        )))
        .bind(self.id().as_str())
        .bind(limit)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Deletes rows received before `cutoff_ms`; returns how many, and the ids of those
    /// that had a blob, so the caller deletes the blobs too.
    pub async fn purge_intake_before(
        &self,
        cutoff_ms: i64,
    ) -> Result<(u64, Vec<String>), StoreError> {
        let rows = sqlx::query(
            "DELETE FROM intake WHERE tenant_id = $1 AND received_at_ms < $2 RETURNING id, status",
        )
        .bind(self.id().as_str())
        .bind(cutoff_ms)
        .fetch_all(self.db().pool())
        .await?;
        sqlx::query(
            "DELETE FROM intake_recipients WHERE tenant_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM intake WHERE intake.tenant_id = intake_recipients.tenant_id \
             AND intake.id = intake_recipients.intake_id)",
        )
        .bind(self.id().as_str())
        .execute(self.db().pool())
        .await?;
        let mut with_blob = Vec::new();
        for row in &rows {
            let status: String = row.try_get("status")?;
            if status == "queued" {
                with_blob.push(row.try_get("id")?);
            }
        }
        Ok((rows.len() as u64, with_blob))
    }
}

const SELECT: &str = "SELECT id, mailbox, source, dedupe_hash, message_id_sha256, size, \
                      status, reason, received_at_ms, store_raw FROM intake";

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<IntakeRecord, StoreError> {
    let source: String = row.try_get("source")?;
    Ok(IntakeRecord {
        id: row.try_get("id")?,
        mailbox: row.try_get("mailbox")?,
        source: IntakeSource::parse(&source)?,
        dedupe_hash: row.try_get("dedupe_hash")?,
        message_id_sha256: row.try_get("message_id_sha256")?,
        size: row.try_get("size")?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        received_at_ms: row.try_get("received_at_ms")?,
        store_raw: row.try_get::<i64, _>("store_raw")? != 0,
    })
}
