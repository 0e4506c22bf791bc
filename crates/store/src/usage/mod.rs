//! Insights and local usage flags of one tenant: weekly counts, kept a year.
//!
//! Every write adds one to a row per week (see `postroom_core::usage::week_start`) and
//! prunes the tenant's rows older than a year in the same transaction, so no sweeper is
//! needed to honour the retention period. Nothing here holds text: a template id, an
//! account id (Insights only), a flag name, a week and counts.

use postroom_core::usage::{KEPT_MS, UsageFlag, week_start};
use serde::Serialize;
use sqlx::Row;

use crate::{StoreError, TenantStore};

/// One week's counts of one template by one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekOfUse {
    /// Start of the week, Unix ms (Monday 00:00 UTC).
    pub week_ms: i64,
    /// The template.
    pub template_id: String,
    /// The agent's Jira account id.
    pub account_id: String,
    /// Times it was inserted into a reply.
    pub inserted: i64,
    /// Times a reply made from it was posted.
    pub posted: i64,
}

/// The usage counts of one tenant.
#[derive(Debug, Clone)]
pub struct Usage {
    tenant: TenantStore,
}

impl Usage {
    pub fn new(tenant: TenantStore) -> Self {
        Self { tenant }
    }

    /// Counts one insert (`posted` false) or post (`posted` true) of `template_id` by
    /// `account_id` for Insights.
    pub async fn record_template(
        &self,
        template_id: &str,
        account_id: &str,
        posted: bool,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant.id().as_str();
        let (inserted, posts): (i64, i64) = if posted { (0, 1) } else { (1, 0) };
        let mut tx = self.tenant.db().pool().begin().await?;
        sqlx::query(
            "INSERT INTO template_weekly (tenant_id, week_ms, template_id, account_id, inserted, posted) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, week_ms, template_id, account_id) DO UPDATE SET \
             inserted = template_weekly.inserted + $5, posted = template_weekly.posted + $6",
        )
        .bind(tenant)
        .bind(week_start(now_ms))
        .bind(template_id)
        .bind(account_id)
        .bind(inserted)
        .bind(posts)
        .execute(&mut *tx)
        .await?;
        prune_and_commit(tx, "template_weekly", tenant, now_ms).await
    }

    /// Counts one use of `flag`.
    pub async fn count_flag(&self, flag: UsageFlag, now_ms: i64) -> Result<(), StoreError> {
        let tenant = self.tenant.id().as_str();
        let mut tx = self.tenant.db().pool().begin().await?;
        sqlx::query(
            "INSERT INTO usage_flags (tenant_id, week_ms, flag, count) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (tenant_id, week_ms, flag) DO UPDATE SET count = usage_flags.count + 1",
        )
        .bind(tenant)
        .bind(week_start(now_ms))
        .bind(flag.as_str())
        .execute(&mut *tx)
        .await?;
        prune_and_commit(tx, "usage_flags", tenant, now_ms).await
    }

    /// Every flag with its count over the kept year (zero for flags never used), in
    /// [`UsageFlag::ALL`]'s order.
    pub async fn flags(&self, now_ms: i64) -> Result<Vec<(UsageFlag, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT flag, CAST(SUM(count) AS BIGINT) AS total FROM usage_flags \
             WHERE tenant_id = $1 AND week_ms >= $2 GROUP BY flag",
        )
        .bind(self.tenant.id().as_str())
        .bind(now_ms - KEPT_MS)
        .fetch_all(self.tenant.db().pool())
        .await?;
        let mut out: Vec<(UsageFlag, i64)> = UsageFlag::ALL.iter().map(|f| (*f, 0)).collect();
        for row in &rows {
            let name: String = row.try_get("flag")?;
            let total: i64 = row.try_get("total")?;
            if let Some(slot) = out.iter_mut().find(|(f, _)| f.as_str() == name) {
                slot.1 = total;
            }
        }
        Ok(out)
    }

    /// The weekly Insights counts of the kept year, newest week first.
    pub async fn weeks(&self, now_ms: i64) -> Result<Vec<WeekOfUse>, StoreError> {
        let rows = sqlx::query(
            "SELECT week_ms, template_id, account_id, inserted, posted FROM template_weekly \
             WHERE tenant_id = $1 AND week_ms >= $2 \
             ORDER BY week_ms DESC, template_id, account_id",
        )
        .bind(self.tenant.id().as_str())
        .bind(now_ms - KEPT_MS)
        .fetch_all(self.tenant.db().pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WeekOfUse {
                    week_ms: row.try_get("week_ms")?,
                    template_id: row.try_get("template_id")?,
                    account_id: row.try_get("account_id")?,
                    inserted: row.try_get("inserted")?,
                    posted: row.try_get("posted")?,
                })
            })
            .collect()
    }
}

/// Deletes the tenant's rows of `table` older than the kept year, in the transaction that
/// just added to it, and commits.
async fn prune_and_commit(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    table: &'static str,
    tenant: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE tenant_id = $1 AND week_ms < $2"
    )))
    .bind(tenant)
    .bind(now_ms - KEPT_MS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
