//! The store as the fleet's [`BudgetLedger`]: `jira_budgets`, one row per shared bucket.
//!
//! A draw is one `UPDATE … RETURNING`, so concurrent instances never grant the same tokens
//! twice on either backend: the row is refilled to the caller's clock (never backwards, when
//! clocks disagree), capped, and what is granted is taken off in the same statement.

use postroom_core::ports::budget_ledger::{Bucket, BudgetLedger, Draw, LedgerError, LedgerFuture};
use sqlx::Row;

use crate::{Store, StoreError};

/// Refilled tokens, capped at the capacity ($4), given the rate per ms ($3) and now ($5).
const FULL: &str = "(CASE WHEN tokens + (CASE WHEN $5 > refilled_at_ms THEN $5 - refilled_at_ms \
     ELSE 0 END) * $3 > $4 THEN $4 ELSE tokens + (CASE WHEN $5 > refilled_at_ms \
     THEN $5 - refilled_at_ms ELSE 0 END) * $3 END)";

impl Store {
    async fn ensure_budget(
        &self,
        name: &str,
        tenant: Option<&str>,
        capacity: f64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO jira_budgets (name, tenant_id, tokens, granted, refilled_at_ms, \
             paused_until_ms) VALUES ($1, $2, $3, 0.0, $4, 0) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(tenant)
        .bind(capacity)
        .bind(now_ms)
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    async fn draw_budget(
        &self,
        name: &str,
        tenant: Option<&str>,
        bucket: Bucket,
        want: f64,
        now_ms: i64,
    ) -> Result<Draw, StoreError> {
        self.ensure_budget(name, tenant, bucket.capacity, now_ms)
            .await?;
        let grant = format!(
            "(CASE WHEN paused_until_ms > $5 OR {FULL} <= 0 THEN 0.0 \
             WHEN {FULL} < $2 THEN {FULL} ELSE $2 END)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE jira_budgets SET tokens = {FULL} - {grant}, granted = {grant}, \
             refilled_at_ms = CASE WHEN refilled_at_ms > $5 THEN refilled_at_ms ELSE $5 END \
             WHERE name = $1 RETURNING granted, paused_until_ms"
        )))
        .bind(name)
        .bind(want.max(0.0))
        .bind(bucket.per_sec.max(0.0) / 1_000.0)
        .bind(bucket.capacity.max(0.0))
        .bind(now_ms)
        .fetch_one(self.db().pool())
        .await?;
        let paused: i64 = row.try_get("paused_until_ms")?;
        Ok(Draw {
            granted: row.try_get("granted")?,
            paused_until_ms: (paused > now_ms).then_some(paused),
        })
    }

    async fn budget_paused_until(
        &self,
        name: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT paused_until_ms FROM jira_budgets WHERE name = $1")
            .bind(name)
            .fetch_optional(self.db().pool())
            .await?;
        let until = row
            .map(|r| r.try_get::<i64, _>("paused_until_ms"))
            .transpose()?;
        Ok(until.filter(|u| *u > now_ms))
    }

    async fn pause_budget(
        &self,
        name: &str,
        tenant: Option<&str>,
        until_ms: i64,
    ) -> Result<(), StoreError> {
        // A bucket first made by a pause starts empty when the pause ends: Jira said its
        // quota was spent.
        self.ensure_budget(name, tenant, 0.0, until_ms).await?;
        sqlx::query(
            "UPDATE jira_budgets SET paused_until_ms = CASE WHEN paused_until_ms < $2 \
             THEN $2 ELSE paused_until_ms END WHERE name = $1",
        )
        .bind(name)
        .bind(until_ms)
        .execute(self.db().pool())
        .await?;
        Ok(())
    }
}

impl BudgetLedger for Store {
    fn draw<'a>(
        &'a self,
        name: &'a str,
        tenant: Option<&'a str>,
        bucket: Bucket,
        want: f64,
        now_ms: i64,
    ) -> LedgerFuture<'a, Draw> {
        Box::pin(async move {
            self.draw_budget(name, tenant, bucket, want, now_ms)
                .await
                .map_err(|e| LedgerError(e.to_string()))
        })
    }

    fn paused_until<'a>(&'a self, name: &'a str, now_ms: i64) -> LedgerFuture<'a, Option<i64>> {
        Box::pin(async move {
            self.budget_paused_until(name, now_ms)
                .await
                .map_err(|e| LedgerError(e.to_string()))
        })
    }

    fn pause<'a>(
        &'a self,
        name: &'a str,
        tenant: Option<&'a str>,
        until_ms: i64,
    ) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            self.pause_budget(name, tenant, until_ms)
                .await
                .map_err(|e| LedgerError(e.to_string()))
        })
    }
}
