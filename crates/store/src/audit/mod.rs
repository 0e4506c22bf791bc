//! The processing audit: every message taken in, with what became of it, newest first.
//!
//! An entry is an intake row joined with its result, if it has one yet. Nothing here is
//! personal in clear: the sender is a keyed hash (the caller hashes an address it is asked
//! to look for), and the report stays sealed in `inbound_results` for the caller to open.

use sqlx::Row;

use crate::inbound::ResultStatus;
use crate::intake::IntakeRecord;
use crate::{StoreError, TenantStore};

/// Where a message stands in the audit: a result status, or a state before any result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditStatus {
    /// Taken in and queued; no result recorded yet.
    Pending,
    /// Refused at intake (over-size, empty); nothing but the row was stored.
    Refused,
    #[serde(untagged)]
    Done(ResultStatus),
}

impl AuditStatus {
    /// Every status, as `--status` and `?status=` accept them.
    pub const NAMES: &[&str] = &[
        "pending",
        "refused",
        "created",
        "commented",
        "ignored",
        "held",
        "rejected",
        "failed",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Refused => "refused",
            Self::Done(status) => status.as_str(),
        }
    }

    /// The status named `text`, or `None` when it is not one of [`AuditStatus::NAMES`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "refused" => Some(Self::Refused),
            other => ResultStatus::parse(other).ok().map(Self::Done),
        }
    }
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only messages taken in at or after this time.
    pub since_ms: Option<i64>,
    pub status: Option<AuditStatus>,
    /// Only messages whose sender has this keyed hash.
    pub sender_hash: Option<String>,
    /// At most this many (newest first).
    pub limit: i64,
    /// Only messages whose issue is in one of these projects (by key), for a project
    /// administrator; messages with no issue are then left out. `None`: every message.
    pub projects: Option<Vec<String>>,
}

/// What became of one message, without its sealed report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResultSummary {
    pub status: ResultStatus,
    pub issue_key: Option<String>,
    pub comment_id: Option<String>,
    pub sender_hash: Option<String>,
    pub processed_at_ms: i64,
}

/// One message of the audit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub intake: IntakeRecord,
    pub result: Option<ResultSummary>,
}

impl AuditEntry {
    pub fn status(&self) -> AuditStatus {
        match (&self.result, self.intake.status.as_str()) {
            (Some(result), _) => AuditStatus::Done(result.status),
            (None, "refused") => AuditStatus::Refused,
            (None, _) => AuditStatus::Pending,
        }
    }
}

impl TenantStore {
    /// The messages matching `filter`, newest first.
    pub async fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = String::from(SELECT);
        sql.push_str(" WHERE i.tenant_id = $1 AND i.received_at_ms >= $2");
        let mut next = 3;
        let mut status_text = None;
        match filter.status {
            None => {}
            Some(AuditStatus::Pending) => {
                sql.push_str(" AND i.status = 'queued' AND r.intake_id IS NULL");
            }
            Some(AuditStatus::Refused) => sql.push_str(" AND i.status = 'refused'"),
            Some(AuditStatus::Done(status)) => {
                sql.push_str(&format!(" AND r.status = ${next}"));
                next += 1;
                status_text = Some(status.as_str());
            }
        }
        if filter.sender_hash.is_some() {
            sql.push_str(&format!(" AND r.sender_hash = ${next}"));
            next += 1;
        }
        let key_patterns: Vec<String> = filter
            .projects
            .iter()
            .flatten()
            .map(|key| format!("{}-%", like_escaped(key)))
            .collect();
        match &filter.projects {
            None => {}
            Some(keys) if keys.is_empty() => sql.push_str(" AND 1 = 0"),
            Some(_) => {
                let alternatives: Vec<String> = (0..key_patterns.len())
                    .map(|i| format!("r.issue_key LIKE ${} ESCAPE '\\'", next + i))
                    .collect();
                next += key_patterns.len();
                sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
            }
        }
        sql.push_str(&format!(
            " ORDER BY i.received_at_ms DESC, i.id LIMIT ${next}"
        ));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.id().as_str())
            .bind(filter.since_ms.unwrap_or(i64::MIN));
        if let Some(status) = status_text {
            query = query.bind(status);
        }
        if let Some(hash) = &filter.sender_hash {
            query = query.bind(hash.as_str());
        }
        for pattern in key_patterns {
            query = query.bind(pattern);
        }
        let rows = query
            .bind(filter.limit.max(0))
            .fetch_all(self.db().pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// How many messages taken in since `since_ms` stand in each status, counted by the
    /// database (the console's overview asks this of days with many thousand mails).
    pub async fn audit_counts(&self, since_ms: i64) -> Result<Vec<(AuditStatus, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.status AS intake_status, r.status AS result_status, COUNT(*) AS n \
             FROM intake i LEFT JOIN inbound_results r \
             ON r.tenant_id = i.tenant_id AND r.intake_id = i.id \
             WHERE i.tenant_id = $1 AND i.received_at_ms >= $2 \
             GROUP BY i.status, r.status",
        )
        .bind(self.id().as_str())
        .bind(since_ms)
        .fetch_all(self.db().pool())
        .await?;
        let mut counts: Vec<(AuditStatus, i64)> = Vec::new();
        for row in &rows {
            let result: Option<String> = row.try_get("result_status")?;
            let intake: String = row.try_get("intake_status")?;
            let status = match result {
                Some(result) => AuditStatus::Done(ResultStatus::parse(&result)?),
                None if intake == "refused" => AuditStatus::Refused,
                None => AuditStatus::Pending,
            };
            let n: i64 = row.try_get("n")?;
            match counts.iter_mut().find(|(s, _)| *s == status) {
                Some((_, total)) => *total += n,
                None => counts.push((status, n)),
            }
        }
        counts.sort_by_key(|(status, _)| status.as_str());
        Ok(counts)
    }

    /// One message of the audit, `None` when the tenant has no intake row `id`.
    pub async fn audit_entry(&self, id: &str) -> Result<Option<AuditEntry>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE i.tenant_id = $1 AND i.id = $2"
        )))
        .bind(self.id().as_str())
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// One message of the audit with its sealed report (`None` before it has a result),
    /// read in one query: a result recorded meanwhile (a reprocess finishing) cannot pair
    /// the old record with the new report.
    pub async fn audit_record(
        &self,
        id: &str,
    ) -> Result<Option<(AuditEntry, Option<Vec<u8>>)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_WITH_REPORT} WHERE i.tenant_id = $1 AND i.id = $2"
        )))
        .bind(self.id().as_str())
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?;
        row.map(|row| Ok((from_row(&row)?, row.try_get("report")?)))
            .transpose()
    }
}

/// `text` for a LIKE pattern with `\` as its escape: its own `%`, `_` and `\` match
/// themselves (a project key may hold `_`).
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const SELECT: &str = concat!(
    "SELECT i.id, i.mailbox, i.source, i.dedupe_hash, i.message_id_sha256, \
     i.size, i.status, i.reason, i.received_at_ms, i.store_raw, \
     r.status AS result_status, r.issue_key, r.comment_id, r.sender_hash, \
     r.processed_at_ms ",
    "FROM intake i LEFT JOIN inbound_results r \
     ON r.tenant_id = i.tenant_id AND r.intake_id = i.id"
);

/// [`SELECT`] with the sealed report as well, for one message shown whole.
pub(crate) const SELECT_WITH_REPORT: &str = concat!(
    "SELECT i.id, i.mailbox, i.source, i.dedupe_hash, i.message_id_sha256, \
     i.size, i.status, i.reason, i.received_at_ms, i.store_raw, \
     r.status AS result_status, r.issue_key, r.comment_id, r.sender_hash, \
     r.processed_at_ms, r.report ",
    "FROM intake i LEFT JOIN inbound_results r \
     ON r.tenant_id = i.tenant_id AND r.intake_id = i.id"
);

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    let intake = crate::intake::from_row(row)?;
    let status: Option<String> = row.try_get("result_status")?;
    let result = match status {
        None => None,
        Some(status) => Some(ResultSummary {
            status: ResultStatus::parse(&status)?,
            issue_key: row.try_get("issue_key")?,
            comment_id: row.try_get("comment_id")?,
            sender_hash: row.try_get("sender_hash")?,
            processed_at_ms: row.try_get("processed_at_ms")?,
        }),
    };
    Ok(AuditEntry { intake, result })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_status_parses_back_to_its_name() {
        for name in AuditStatus::NAMES {
            assert_eq!(
                AuditStatus::parse(name).map(AuditStatus::as_str),
                Some(*name)
            );
        }
        assert_eq!(AuditStatus::parse("Created"), None);
        assert_eq!(AuditStatus::parse(""), None);
        assert_eq!(AuditStatus::parse("queued"), None);
    }
}
