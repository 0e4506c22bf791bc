//! Canned responses of one tenant: the templates, their usage counts and each agent's
//! recent use.
//!
//! The repository stores and returns every template of the tenant; who may see which is
//! decided in core (`postroom_core::canned::access`) by the engine, which never hands a
//! personal template to anyone but its owner. Per-agent use is one row per use, read back
//! only as counts for ranking, and pruned after 90 days on every use so that no sweeper is
//! needed to honour the retention period.

mod favourites;
mod rows;

use postroom_core::canned::search::RECENT_MS;
use postroom_core::canned::{Draft, RecentUse, Template};
use rand::RngCore;
use sqlx::Row;

use crate::{StoreError, TenantStore};

const COLUMNS: &str = "id, name, body, description, folder, tags, scope_kind, scope_values, \
                       owner_account_id, created_at_ms, updated_at_ms, usage_count, last_used_at_ms";

/// The revisions a search compares its kept copies with (see [`Templates::revisions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revisions {
    /// The tenant's template revision (see [`Templates::revision`]).
    pub templates: i64,
    /// The agent's own: their uses and favourite marks.
    pub mine: i64,
}

/// The canned responses of one tenant.
#[derive(Debug, Clone)]
pub struct Templates {
    tenant: TenantStore,
}

impl Templates {
    pub fn new(tenant: TenantStore) -> Self {
        Self { tenant }
    }

    /// Saves a new template owned by `owner`; the draft is stored as given (validate first).
    pub async fn create(
        &self,
        draft: &Draft,
        owner: &str,
        now_ms: i64,
    ) -> Result<Template, StoreError> {
        let mut created = self
            .create_many(std::slice::from_ref(draft), owner, now_ms)
            .await?;
        created
            .pop()
            .ok_or_else(|| StoreError::Corrupt("insert returned nothing".to_owned()))
    }

    /// Saves several templates in one transaction: all or none (an import).
    pub async fn create_many(
        &self,
        drafts: &[Draft],
        owner: &str,
        now_ms: i64,
    ) -> Result<Vec<Template>, StoreError> {
        if owner.trim().is_empty() {
            return Err(StoreError::Invalid("owner account id is empty".to_owned()));
        }
        let mut tx = self.tenant.db().pool().begin().await?;
        let mut out = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let template = Template {
                id: hex::encode(random::<12>()),
                draft: draft.clone(),
                owner: owner.to_owned(),
                created_ms: now_ms,
                updated_ms: now_ms,
                usage_count: 0,
                last_used_ms: None,
            };
            let r = rows::Encoded::of(&template.draft)?;
            sqlx::query(
                "INSERT INTO templates (id, tenant_id, name, body, description, folder, tags, \
                 scope_kind, scope_values, owner_account_id, created_at_ms, updated_at_ms, \
                 usage_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 0)",
            )
            .bind(&template.id)
            .bind(self.tenant.id().as_str())
            .bind(&draft.name)
            .bind(&draft.body)
            .bind(&draft.description)
            .bind(draft.folder.clone())
            .bind(r.tags)
            .bind(draft.scope.kind())
            .bind(r.scope_values)
            .bind(owner)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            out.push(template);
        }
        bump(&mut tx, self.tenant.id().as_str()).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One template of this tenant, `None` when there is none with that id.
    pub async fn get(&self, id: &str) -> Result<Option<Template>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM templates WHERE id = $1 AND tenant_id = $2"
        )))
        .bind(id)
        .bind(self.tenant.id().as_str())
        .fetch_optional(self.tenant.db().pool())
        .await?;
        row.as_ref().map(rows::decode).transpose()
    }

    /// The tenant's template revision: it changes whenever a template is created, changed
    /// or deleted, so a copy prepared at one revision has every template's text while it
    /// stays. A use does not raise it (posting would otherwise make every instance read all
    /// templates again): a copy's overall use counts are as old as the copy.
    pub async fn revision(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT revision FROM template_revisions WHERE tenant_id = $1")
            .bind(self.tenant.id().as_str())
            .fetch_optional(self.tenant.db().pool())
            .await?;
        Ok(match row {
            Some(row) => row.try_get("revision")?,
            None => 0,
        })
    }

    /// The tenant's template revision and `account_id`'s own: what a search must compare
    /// with the copies it keeps, in one read. The agent's revision changes with each of
    /// their uses and favourite marks (see [`Templates::record_use`],
    /// [`Templates::set_favourite`]); 0 for an agent who has done neither.
    pub async fn revisions(&self, account_id: &str) -> Result<Revisions, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT revision FROM template_revisions WHERE tenant_id = $1) AS templates, \
             (SELECT revision FROM template_agent_revisions \
              WHERE tenant_id = $1 AND account_id = $2) AS mine",
        )
        .bind(self.tenant.id().as_str())
        .bind(account_id)
        .fetch_one(self.tenant.db().pool())
        .await?;
        Ok(Revisions {
            templates: row.try_get::<Option<i64>, _>("templates")?.unwrap_or(0),
            mine: row.try_get::<Option<i64>, _>("mine")?.unwrap_or(0),
        })
    }

    /// Every template of this tenant, by name.
    pub async fn list(&self) -> Result<Vec<Template>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM templates WHERE tenant_id = $1 ORDER BY name, id"
        )))
        .bind(self.tenant.id().as_str())
        .fetch_all(self.tenant.db().pool())
        .await?;
        rows.iter().map(rows::decode).collect()
    }

    /// Replaces the author-written part; `None` when there is no such template.
    pub async fn update(
        &self,
        id: &str,
        draft: &Draft,
        now_ms: i64,
    ) -> Result<Option<Template>, StoreError> {
        let r = rows::Encoded::of(draft)?;
        let mut tx = self.tenant.db().pool().begin().await?;
        let done = sqlx::query(
            "UPDATE templates SET name = $1, body = $2, description = $3, folder = $4, \
             tags = $5, scope_kind = $6, scope_values = $7, updated_at_ms = $8 \
             WHERE id = $9 AND tenant_id = $10",
        )
        .bind(&draft.name)
        .bind(&draft.body)
        .bind(&draft.description)
        .bind(draft.folder.clone())
        .bind(r.tags)
        .bind(draft.scope.kind())
        .bind(r.scope_values)
        .bind(now_ms)
        .bind(id)
        .bind(self.tenant.id().as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        bump(&mut tx, self.tenant.id().as_str()).await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Deletes a template, its use rows and the favourite marks on it; false when there is no such template.
    pub async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.tenant.db().pool().begin().await?;
        sqlx::query("DELETE FROM template_uses WHERE template_id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(self.tenant.id().as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM template_favourites WHERE template_id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(self.tenant.id().as_str())
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM templates WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(self.tenant.id().as_str())
            .execute(&mut *tx)
            .await?;
        bump(&mut tx, self.tenant.id().as_str()).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts one use by `account_id`: the template's count and last use, and a use row
    /// for the agent's ranking, and the agent's revision. Prunes this tenant's use rows
    /// older than 90 days. False when there is no such template.
    pub async fn record_use(
        &self,
        id: &str,
        account_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let tenant = self.tenant.id().as_str();
        let mut tx = self.tenant.db().pool().begin().await?;
        let done = sqlx::query(
            "UPDATE templates SET usage_count = usage_count + 1, last_used_at_ms = $1 \
             WHERE id = $2 AND tenant_id = $3",
        )
        .bind(now_ms)
        .bind(id)
        .bind(tenant)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO template_uses (tenant_id, template_id, account_id, used_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant)
        .bind(id)
        .bind(account_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM template_uses WHERE tenant_id = $1 AND used_at_ms < $2")
            .bind(tenant)
            .bind(now_ms - RECENT_MS)
            .execute(&mut *tx)
            .await?;
        bump_agent(&mut tx, tenant, account_id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The agent's uses in the last 90 days: per template id, how many and the last time.
    pub async fn recent_use(&self, account_id: &str, now_ms: i64) -> Result<RecentUse, StoreError> {
        let rows = sqlx::query(
            "SELECT template_id, COUNT(*) AS uses, MAX(used_at_ms) AS last_ms \
             FROM template_uses WHERE tenant_id = $1 AND account_id = $2 AND used_at_ms >= $3 \
             GROUP BY template_id",
        )
        .bind(self.tenant.id().as_str())
        .bind(account_id)
        .bind(now_ms - RECENT_MS)
        .fetch_all(self.tenant.db().pool())
        .await?;
        let mut out = RecentUse::new();
        for row in &rows {
            let uses: i64 = row.try_get("uses")?;
            out.insert(
                row.try_get("template_id")?,
                (
                    u32::try_from(uses).unwrap_or(u32::MAX),
                    row.try_get("last_ms")?,
                ),
            );
        }
        Ok(out)
    }
}

/// Raises the tenant's template revision inside the change's own transaction, so that a
/// reader who sees the change also sees the new revision.
async fn bump(tx: &mut sqlx::Transaction<'_, sqlx::Any>, tenant: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO template_revisions (tenant_id, revision) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET revision = template_revisions.revision + 1",
    )
    .bind(tenant)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Raises `account_id`'s own revision inside the change's transaction (a use or a
/// favourite mark), like [`bump`] for the templates.
async fn bump_agent(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &str,
    account_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO template_agent_revisions (tenant_id, account_id, revision) \
         VALUES ($1, $2, 1) ON CONFLICT (tenant_id, account_id) \
         DO UPDATE SET revision = template_agent_revisions.revision + 1",
    )
    .bind(tenant)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}
