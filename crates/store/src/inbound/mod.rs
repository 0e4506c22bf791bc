//! What the inbound worker reads and writes besides the queue: the tenant's profile, the
//! Message-ID ↔ issue map and one result per message.
//!
//! Nothing here sees clear personal data. Message-IDs arrive as keyed hashes, the root
//! Message-ID of an issue and the processing report arrive sealed by the tenant's key, and
//! the sender only as a keyed hash; the caller (the engine) owns the keys.

use std::collections::HashMap;

use sqlx::Row;

use crate::{StoreError, TenantStore, TenantTx};

/// The stored profile document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    /// The document as imported (JSON).
    pub document: String,
    /// 1 for the first import, one more for each later one.
    pub version: i64,
    pub updated_at_ms: i64,
}

/// What became of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultStatus {
    Created,
    Commented,
    Ignored,
    Held,
    Rejected,
    /// Could not be carried out (unreadable mail, Jira refused); the report says why.
    Failed,
}

impl ResultStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Commented => "commented",
            Self::Ignored => "ignored",
            Self::Held => "held",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "created" => Self::Created,
            "commented" => Self::Commented,
            "ignored" => Self::Ignored,
            "held" => Self::Held,
            "rejected" => Self::Rejected,
            "failed" => Self::Failed,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "inbound_results.status {other:?}"
                )));
            }
        })
    }
}

/// One processed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundResult {
    pub intake_id: String,
    pub status: ResultStatus,
    pub issue_key: Option<String>,
    pub comment_id: Option<String>,
    /// Keyed hash of the sender's address.
    pub sender_hash: Option<String>,
    /// The processing report, sealed by the caller.
    pub report: Vec<u8>,
    pub processed_at_ms: i64,
}

impl TenantTx {
    /// Stores `document` as the tenant's profile, saved by `saved_by` (see
    /// [`crate::profile_versions::ProfileVersion::saved_by`]), keeps it as a version, and
    /// returns its new version.
    pub async fn put_profile(
        &mut self,
        document: &str,
        saved_by: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        let row = sqlx::query(
            "INSERT INTO profiles (tenant_id, document, version, updated_at_ms) \
             VALUES ($1, $2, 1, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET document = excluded.document, \
             version = profiles.version + 1, updated_at_ms = excluded.updated_at_ms \
             RETURNING version",
        )
        .bind(tenant)
        .bind(document)
        .bind(now_ms)
        .fetch_one(self.conn())
        .await?;
        let version = row.try_get("version")?;
        self.keep_profile_version(version, document, saved_by, now_ms)
            .await?;
        Ok(version)
    }

    /// Stores `document` as the tenant's profile only while the stored version is still
    /// `base_version` (0: none is stored yet), and returns the new version; `None` when
    /// someone stored another version first. The check and the write are one statement, so
    /// two administrators saving at once cannot both win. A stored version is kept as
    /// [`TenantTx::put_profile`] keeps it.
    pub async fn put_profile_if(
        &mut self,
        document: &str,
        base_version: i64,
        saved_by: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        let row = sqlx::query(
            "INSERT INTO profiles (tenant_id, document, version, updated_at_ms) \
             SELECT $1, $2, 1, $3 WHERE $4 = 0 OR EXISTS (SELECT 1 FROM profiles WHERE tenant_id = $1) \
             ON CONFLICT (tenant_id) DO UPDATE SET document = excluded.document, \
             version = profiles.version + 1, updated_at_ms = excluded.updated_at_ms \
             WHERE profiles.version = $4 \
             RETURNING version",
        )
        .bind(tenant)
        .bind(document)
        .bind(now_ms)
        .bind(base_version)
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let version = row.try_get("version")?;
        self.keep_profile_version(version, document, saved_by, now_ms)
            .await?;
        Ok(Some(version))
    }

    /// Maps the Message-ID hashed as `id_hash` to `issue_key`; an id already mapped keeps
    /// its first issue (a Message-ID belongs to one thread).
    pub async fn map_thread(
        &mut self,
        id_hash: &str,
        issue_key: &str,
        root_message_id: Option<&[u8]>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "INSERT INTO thread_map (tenant_id, id_hash, issue_key, root_message_id, \
             created_at_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, id_hash) DO NOTHING",
        )
        .bind(tenant)
        .bind(id_hash)
        .bind(issue_key)
        .bind(root_message_id.map(<[u8]>::to_vec))
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Records (or replaces, after a replay) the result of processing one message.
    pub async fn record_result(&mut self, result: &InboundResult) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "INSERT INTO inbound_results (tenant_id, intake_id, status, issue_key, comment_id, \
             sender_hash, report, processed_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (tenant_id, intake_id) DO UPDATE SET status = excluded.status, \
             issue_key = excluded.issue_key, comment_id = excluded.comment_id, \
             sender_hash = excluded.sender_hash, report = excluded.report, \
             processed_at_ms = excluded.processed_at_ms",
        )
        .bind(tenant)
        .bind(&result.intake_id)
        .bind(result.status.as_str())
        .bind(result.issue_key.as_deref())
        .bind(result.comment_id.as_deref())
        .bind(result.sender_hash.as_deref())
        .bind(&result.report)
        .bind(result.processed_at_ms)
        .execute(self.conn())
        .await?;
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query("DELETE FROM inbound_attempts WHERE tenant_id = $1 AND intake_id = $2")
            .bind(tenant)
            .bind(&result.intake_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl TenantStore {
    /// The tenant's profile, `None` before the first import.
    pub async fn profile(&self) -> Result<Option<StoredProfile>, StoreError> {
        let row = sqlx::query(
            "SELECT document, version, updated_at_ms FROM profiles WHERE tenant_id = $1",
        )
        .bind(self.id().as_str())
        .fetch_optional(self.db().pool())
        .await?;
        row.map(|r| {
            Ok(StoredProfile {
                document: r.try_get("document")?,
                version: r.try_get("version")?,
                updated_at_ms: r.try_get("updated_at_ms")?,
            })
        })
        .transpose()
    }

    /// The version of the stored profile, without reading the document.
    pub async fn profile_version(&self) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT version FROM profiles WHERE tenant_id = $1")
            .bind(self.id().as_str())
            .fetch_optional(self.db().pool())
            .await?;
        Ok(row.map(|r| r.try_get("version")).transpose()?)
    }

    /// The issues the Message-IDs hashed as `id_hashes` belong to (those that are mapped).
    pub async fn thread_lookup(
        &self,
        id_hashes: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        if id_hashes.is_empty() {
            return Ok(HashMap::new());
        }
        let placeholders: Vec<String> = (0..id_hashes.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "SELECT id_hash, issue_key FROM thread_map WHERE tenant_id = $1 AND id_hash IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.id().as_str());
        for hash in id_hashes {
            query = query.bind(hash);
        }
        let mut found = HashMap::new();
        for row in query.fetch_all(self.db().pool()).await? {
            found.insert(row.try_get("id_hash")?, row.try_get("issue_key")?);
        }
        Ok(found)
    }

    /// The root Message-ID of `issue_key` (sealed) and the hash it is mapped under: the
    /// message that opened the issue, which notifications answer so that they thread.
    pub async fn thread_root(
        &self,
        issue_key: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, root_message_id FROM thread_map WHERE tenant_id = $1 \
             AND issue_key = $2 AND root_message_id IS NOT NULL \
             ORDER BY created_at_ms, id_hash LIMIT 1",
        )
        .bind(self.id().as_str())
        .bind(issue_key)
        .fetch_optional(self.db().pool())
        .await?;
        row.map(|r| Ok((r.try_get("id_hash")?, r.try_get("root_message_id")?)))
            .transpose()
    }

    /// The keyed hash of the sender whose mail became comment `comment_id` on `issue_key`
    /// (or, without a comment, opened the issue): that person wrote it and is not notified
    /// of it.
    pub async fn mail_writer(
        &self,
        issue_key: &str,
        comment_id: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        let query = match comment_id {
            Some(comment) => sqlx::query(
                "SELECT sender_hash FROM inbound_results WHERE tenant_id = $1 \
                 AND issue_key = $2 AND comment_id = $3 LIMIT 1",
            )
            .bind(self.id().as_str())
            .bind(issue_key)
            .bind(comment),
            None => sqlx::query(
                "SELECT sender_hash FROM inbound_results WHERE tenant_id = $1 \
                 AND issue_key = $2 AND comment_id IS NULL AND status = 'created' LIMIT 1",
            )
            .bind(self.id().as_str())
            .bind(issue_key),
        };
        let row = query.fetch_optional(self.db().pool()).await?;
        Ok(row.map(|r| r.try_get("sender_hash")).transpose()?.flatten())
    }

    /// Notes, in its own commit, that a Jira write for the message is about to be sent.
    pub async fn mark_attempt(&self, intake_id: &str, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO inbound_attempts (tenant_id, intake_id, started_at_ms) \
             VALUES ($1, $2, $3) ON CONFLICT (tenant_id, intake_id) DO NOTHING",
        )
        .bind(self.id().as_str())
        .bind(intake_id)
        .bind(now_ms)
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    /// Forgets the note of [`TenantStore::mark_attempt`]: the write it announced was
    /// refused before Jira carried anything out (a 429, or no credential to send it with).
    pub async fn clear_attempt(&self, intake_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM inbound_attempts WHERE tenant_id = $1 AND intake_id = $2")
            .bind(self.id().as_str())
            .bind(intake_id)
            .execute(self.db().pool())
            .await?;
        Ok(())
    }

    /// When an earlier attempt that may have written to Jira for the message began, if
    /// one did.
    pub async fn attempt_started(&self, intake_id: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT started_at_ms FROM inbound_attempts WHERE tenant_id = $1 AND intake_id = $2",
        )
        .bind(self.id().as_str())
        .bind(intake_id)
        .fetch_optional(self.db().pool())
        .await?;
        Ok(row.map(|r| r.try_get("started_at_ms")).transpose()?)
    }

    /// The result recorded for a message, if it was processed.
    pub async fn inbound_result(
        &self,
        intake_id: &str,
    ) -> Result<Option<InboundResult>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 AND intake_id = $2"
        )))
        .bind(self.id().as_str())
        .bind(intake_id)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The most recent results, newest first.
    pub async fn recent_results(&self, limit: i64) -> Result<Vec<InboundResult>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 ORDER BY processed_at_ms DESC, intake_id LIMIT $2"
        )))
        .bind(self.id().as_str())
        .bind(limit)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Messages from the sender hashed as `sender_hash` processed since `since_ms`: the
    /// flood count classification compares with the profile's limit.
    pub async fn sender_count_since(
        &self,
        sender_hash: &str,
        since_ms: i64,
    ) -> Result<u32, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM inbound_results \
             WHERE tenant_id = $1 AND sender_hash = $2 AND processed_at_ms >= $3",
        )
        .bind(self.id().as_str())
        .bind(sender_hash)
        .bind(since_ms)
        .fetch_one(self.db().pool())
        .await?;
        let n: i64 = row.try_get("n")?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Deletes results processed before `cutoff_ms`; returns how many.
    pub async fn purge_results_before(&self, cutoff_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM inbound_results WHERE tenant_id = $1 AND processed_at_ms < $2",
        )
        .bind(self.id().as_str())
        .bind(cutoff_ms)
        .execute(self.db().pool())
        .await?;
        Ok(done.rows_affected())
    }
}

const SELECT: &str = "SELECT intake_id, status, issue_key, comment_id, sender_hash, report, \
                      processed_at_ms FROM inbound_results";

fn from_row(row: &sqlx::any::AnyRow) -> Result<InboundResult, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(InboundResult {
        intake_id: row.try_get("intake_id")?,
        status: ResultStatus::parse(&status)?,
        issue_key: row.try_get("issue_key")?,
        comment_id: row.try_get("comment_id")?,
        sender_hash: row.try_get("sender_hash")?,
        report: row.try_get("report")?,
        processed_at_ms: row.try_get("processed_at_ms")?,
    })
}
