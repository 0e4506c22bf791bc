//! An agent's favourite templates: marks the picker lists first. A mark names the agent and
//! the template, nothing else, and goes with the template when it is deleted.

use std::collections::HashSet;

use sqlx::Row;

use super::Templates;
use crate::StoreError;

impl Templates {
    /// Marks (or, with `favourite` false, unmarks) template `id` as a favourite of
    /// `account_id`; doing it twice is the same as once. Raises the agent's revision.
    pub async fn set_favourite(
        &self,
        account_id: &str,
        id: &str,
        favourite: bool,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant.id().as_str();
        let query = if favourite {
            sqlx::query(
                "INSERT INTO template_favourites (tenant_id, account_id, template_id, added_at_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(tenant)
            .bind(account_id)
            .bind(id)
            .bind(now_ms)
        } else {
            sqlx::query(
                "DELETE FROM template_favourites \
                 WHERE tenant_id = $1 AND account_id = $2 AND template_id = $3",
            )
            .bind(tenant)
            .bind(account_id)
            .bind(id)
        };
        let mut tx = self.tenant.db().pool().begin().await?;
        query.execute(&mut *tx).await?;
        super::bump_agent(&mut tx, tenant, account_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ids of `account_id`'s favourite templates.
    pub async fn favourites(&self, account_id: &str) -> Result<HashSet<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT template_id FROM template_favourites WHERE tenant_id = $1 AND account_id = $2",
        )
        .bind(self.tenant.id().as_str())
        .bind(account_id)
        .fetch_all(self.tenant.db().pool())
        .await?;
        rows.iter()
            .map(|row| row.try_get("template_id").map_err(StoreError::from))
            .collect()
    }
}
