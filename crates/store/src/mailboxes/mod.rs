//! IMAP mailbox state: each mailbox's cursor and polling lease, one row per mailbox.
//!
//! The lease is a holder name and an expiry time, taken and renewed by conditional
//! `UPDATE`s, so two instances racing for it on PostgreSQL (or two pollers on one SQLite
//! file) cannot both win: the database serialises the updates of one row and only one of
//! them matches the condition. The cursor is written under the same condition, so a poller
//! that lost its lease cannot move the cursor of the one that took over.

use postroom_core::ports::mailbox::{Cursor, MailboxState, PollReport};
use sqlx::Row;

use crate::{StoreError, TenantStore};

/// One mailbox as the overview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxActivity {
    pub name: String,
    /// The last poll that moved its cursor or renewed its lease.
    pub last_poll_ms: i64,
    /// What went wrong in its latest poll, when it did.
    pub problem: Option<String>,
    /// Since when that problem is reported.
    pub problem_at_ms: Option<i64>,
    /// Messages after the cursor not taken in yet, as the latest poll counted them.
    pub waiting: Option<u32>,
}

/// The mailbox state of one tenant.
#[derive(Debug, Clone)]
pub struct Mailboxes {
    tenant: TenantStore,
}

impl Mailboxes {
    pub fn new(tenant: TenantStore) -> Self {
        Self { tenant }
    }

    /// Removes a mailbox's row, for when the mailbox is removed from the configuration: the
    /// state is kept only while the mailbox exists. True when there was a row.
    pub async fn forget(&self, mailbox: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM mailbox_state WHERE tenant_id = $1 AND mailbox = $2")
            .bind(self.tenant.id().as_str())
            .bind(mailbox)
            .execute(self.tenant.db().pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Each mailbox with a row, by name, with when its row last changed (a poll that moved
    /// its cursor or took its lease) and how its latest poll went: what the console's
    /// overview shows.
    pub async fn activity(&self) -> Result<Vec<MailboxActivity>, StoreError> {
        let rows = sqlx::query(
            "SELECT mailbox, updated_at_ms, problem, problem_at_ms, waiting FROM mailbox_state \
             WHERE tenant_id = $1 ORDER BY mailbox",
        )
        .bind(self.tenant.id().as_str())
        .fetch_all(self.tenant.db().pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MailboxActivity {
                    name: row.try_get("mailbox")?,
                    last_poll_ms: row.try_get("updated_at_ms")?,
                    problem: row.try_get("problem")?,
                    problem_at_ms: row.try_get("problem_at_ms")?,
                    waiting: uid_column(row, "waiting")?,
                })
            })
            .collect()
    }

    /// Makes sure the mailbox has a row, so the lease can be taken by a conditional update.
    async fn ensure_row(&self, mailbox: &str, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mailbox_state (tenant_id, mailbox, lease_until_ms, updated_at_ms) \
             VALUES ($1, $2, 0, $3) ON CONFLICT (tenant_id, mailbox) DO NOTHING",
        )
        .bind(self.tenant.id().as_str())
        .bind(mailbox)
        .bind(now_ms)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(())
    }
}

fn check_name(mailbox: &str) -> Result<(), StoreError> {
    if mailbox.trim().is_empty() {
        return Err(StoreError::Invalid("mailbox name is empty".to_owned()));
    }
    Ok(())
}

fn check_ttl(ttl_ms: i64) -> Result<(), StoreError> {
    if ttl_ms <= 0 {
        return Err(StoreError::Invalid(format!(
            "lease time must be positive, got {ttl_ms} ms"
        )));
    }
    Ok(())
}

fn uid_column(row: &sqlx::any::AnyRow, column: &str) -> Result<Option<u32>, StoreError> {
    let value: Option<i64> = row.try_get(column)?;
    value
        .map(|v| {
            u32::try_from(v)
                .map_err(|_| StoreError::Corrupt(format!("mailbox_state.{column} = {v}")))
        })
        .transpose()
}

impl MailboxState for Mailboxes {
    type Error = StoreError;

    async fn load(&self, mailbox: &str) -> Result<Option<Cursor>, StoreError> {
        let row = sqlx::query(
            "SELECT uid_validity, last_uid FROM mailbox_state \
             WHERE tenant_id = $1 AND mailbox = $2",
        )
        .bind(self.tenant.id().as_str())
        .bind(mailbox)
        .fetch_optional(self.tenant.db().pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        match (
            uid_column(&row, "uid_validity")?,
            uid_column(&row, "last_uid")?,
        ) {
            (Some(uid_validity), Some(last_uid)) => Ok(Some(Cursor {
                uid_validity,
                last_uid,
            })),
            _ => Ok(None),
        }
    }

    async fn save(
        &self,
        mailbox: &str,
        holder: &str,
        cursor: Cursor,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE mailbox_state SET uid_validity = $1, last_uid = $2, updated_at_ms = $3 \
             WHERE tenant_id = $4 AND mailbox = $5 AND lease_holder = $6 \
             AND lease_until_ms > $3",
        )
        .bind(i64::from(cursor.uid_validity))
        .bind(i64::from(cursor.last_uid))
        .bind(now_ms)
        .bind(self.tenant.id().as_str())
        .bind(mailbox)
        .bind(holder)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn try_lease(
        &self,
        mailbox: &str,
        holder: &str,
        ttl_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        check_name(mailbox)?;
        check_ttl(ttl_ms)?;
        self.ensure_row(mailbox, now_ms).await?;
        let done = sqlx::query(
            "UPDATE mailbox_state SET lease_holder = $1, lease_until_ms = $2, \
             updated_at_ms = $3 WHERE tenant_id = $4 AND mailbox = $5 \
             AND (lease_holder IS NULL OR lease_holder = $1 OR lease_until_ms <= $3)",
        )
        .bind(holder)
        .bind(now_ms.saturating_add(ttl_ms))
        .bind(now_ms)
        .bind(self.tenant.id().as_str())
        .bind(mailbox)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn renew(
        &self,
        mailbox: &str,
        holder: &str,
        ttl_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        check_ttl(ttl_ms)?;
        let done = sqlx::query(
            "UPDATE mailbox_state SET lease_until_ms = $1, updated_at_ms = $2 \
             WHERE tenant_id = $3 AND mailbox = $4 AND lease_holder = $5 \
             AND lease_until_ms > $2",
        )
        .bind(now_ms.saturating_add(ttl_ms))
        .bind(now_ms)
        .bind(self.tenant.id().as_str())
        .bind(mailbox)
        .bind(holder)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A problem keeps the time it was first reported while it lasts; a poll that goes
    /// through clears it; a count that was not made keeps the last one.
    async fn report(
        &self,
        mailbox: &str,
        report: &PollReport,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mailbox_state SET \
             problem_at_ms = CASE WHEN $1 IS NULL THEN NULL \
               WHEN problem IS NOT DISTINCT FROM $1 THEN COALESCE(problem_at_ms, $2) ELSE $2 END, \
             problem = $1, waiting = COALESCE($3, waiting) \
             WHERE tenant_id = $4 AND mailbox = $5",
        )
        .bind(report.problem)
        .bind(now_ms)
        .bind(report.waiting.map(i64::from))
        .bind(self.tenant.id().as_str())
        .bind(mailbox)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(())
    }

    async fn release(&self, mailbox: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mailbox_state SET lease_holder = NULL, lease_until_ms = 0 \
             WHERE tenant_id = $1 AND mailbox = $2 AND lease_holder = $3",
        )
        .bind(self.tenant.id().as_str())
        .bind(mailbox)
        .bind(holder)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(())
    }
}
