//! An agent's data, by their Jira account id: canned-response use (per use, weekly counts,
//! favourites), the templates they own, their API tokens, console sessions and links, and
//! their lines of the access log, and who saved a profile version.

use sqlx::Row;

use crate::{StoreError, TenantStore};

/// One use of a canned response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentUse {
    pub template_id: String,
    pub used_at_ms: i64,
}

/// A template the agent owns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OwnedTemplate {
    pub id: String,
    pub name: String,
    /// `personal`, `projects`, `groups` or `global`.
    pub scope: String,
    pub body: String,
    pub created_at_ms: i64,
}

/// One of the agent's API tokens (never its secret, which postroom does not keep).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentToken {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub created_at_ms: i64,
}

/// One of the agent's console sessions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentSession {
    /// `link` or `oauth`.
    pub via: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
}

/// Everything kept under one Jira account id.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AgentRows {
    pub uses: Vec<AgentUse>,
    /// Weekly counts: (week start, template id, inserted, posted).
    pub weekly: Vec<(i64, String, i64, i64)>,
    pub favourites: Vec<String>,
    pub templates: Vec<OwnedTemplate>,
    pub tokens: Vec<AgentToken>,
    pub sessions: Vec<AgentSession>,
    pub links: u64,
    pub access_log: u64,
    /// The profile versions they saved (the documents are the site's, not theirs).
    pub profile_versions: Vec<crate::profile_versions::ProfileVersion>,
}

impl AgentRows {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// How many rows went, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AgentErased {
    pub uses: u64,
    pub weekly: u64,
    pub favourites: u64,
    /// Personal templates deleted.
    pub personal_templates: u64,
    /// Shared templates kept, their owner's account id removed.
    pub shared_templates_disowned: u64,
    pub tokens: u64,
    pub sessions: u64,
    pub links: u64,
    /// Access-log lines kept without their account id.
    pub access_log: u64,
    /// Profile versions kept without who saved them.
    pub profile_versions: u64,
}

impl TenantStore {
    /// Every row kept under `account_id`.
    pub async fn rows_of_account(&self, account_id: &str) -> Result<AgentRows, StoreError> {
        let pool = self.db().pool();
        let tenant = self.id().as_str();
        let fetch = |sql: &'static str| {
            sqlx::query(sql)
                .bind(tenant)
                .bind(account_id)
                .fetch_all(pool)
        };
        let uses = fetch(
            "SELECT template_id, used_at_ms FROM template_uses WHERE tenant_id = $1 \
             AND account_id = $2 ORDER BY used_at_ms, id",
        )
        .await?;
        let weekly = fetch(
            "SELECT week_ms, template_id, inserted, posted FROM template_weekly \
             WHERE tenant_id = $1 AND account_id = $2 ORDER BY week_ms, template_id",
        )
        .await?;
        let favourites = fetch(
            "SELECT template_id FROM template_favourites WHERE tenant_id = $1 \
             AND account_id = $2 ORDER BY template_id",
        )
        .await?;
        let templates = fetch(
            "SELECT id, name, scope_kind, body, created_at_ms FROM templates \
             WHERE tenant_id = $1 AND owner_account_id = $2 ORDER BY created_at_ms, id",
        )
        .await?;
        let tokens = fetch(
            "SELECT id, name, scope, created_at_ms FROM api_tokens WHERE tenant_id = $1 \
             AND account_id = $2 ORDER BY created_at_ms, id",
        )
        .await?;
        let sessions = fetch(
            "SELECT via, created_at_ms, last_seen_ms FROM console_sessions \
             WHERE tenant_id = $1 AND account_id = $2 ORDER BY created_at_ms",
        )
        .await?;
        let links = fetch(
            "SELECT COUNT(*) AS n FROM console_links WHERE tenant_id = $1 AND account_id = $2",
        )
        .await?;
        let access_log =
            fetch("SELECT COUNT(*) AS n FROM access_log WHERE tenant_id = $1 AND account_id = $2")
                .await?;
        let count = |rows: &[sqlx::any::AnyRow]| -> Result<u64, StoreError> {
            let n: i64 = match rows.first() {
                Some(row) => row.try_get("n")?,
                None => 0,
            };
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(AgentRows {
            uses: uses
                .iter()
                .map(|r| {
                    Ok(AgentUse {
                        template_id: r.try_get("template_id")?,
                        used_at_ms: r.try_get("used_at_ms")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            weekly: weekly
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get("week_ms")?,
                        r.try_get("template_id")?,
                        r.try_get("inserted")?,
                        r.try_get("posted")?,
                    ))
                })
                .collect::<Result<_, StoreError>>()?,
            favourites: favourites
                .iter()
                .map(|r| Ok(r.try_get("template_id")?))
                .collect::<Result<_, StoreError>>()?,
            templates: templates
                .iter()
                .map(|r| {
                    Ok(OwnedTemplate {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        scope: r.try_get("scope_kind")?,
                        body: r.try_get("body")?,
                        created_at_ms: r.try_get("created_at_ms")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            tokens: tokens
                .iter()
                .map(|r| {
                    Ok(AgentToken {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        scope: r.try_get("scope")?,
                        created_at_ms: r.try_get("created_at_ms")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            sessions: sessions
                .iter()
                .map(|r| {
                    Ok(AgentSession {
                        via: r.try_get("via")?,
                        created_at_ms: r.try_get("created_at_ms")?,
                        last_seen_ms: r.try_get("last_seen_ms")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            links: count(&links)?,
            access_log: count(&access_log)?,
            profile_versions: self.profile_versions_saved_by(account_id).await?,
        })
    }

    /// Deletes or de-identifies every row kept under `account_id`, in one transaction:
    /// uses, weekly counts, favourites, personal templates, tokens, sessions and links go;
    /// shared templates stay (other agents use them) without their owner; access-log lines
    /// stay without the account id.
    pub async fn erase_account(&self, account_id: &str) -> Result<AgentErased, StoreError> {
        let tenant = self.id().as_str().to_owned();
        let mut tx = self.begin().await?;
        let mut run = async |sql: &'static str| -> Result<u64, StoreError> {
            Ok(sqlx::query(sql)
                .bind(&tenant)
                .bind(account_id)
                .execute(tx.conn())
                .await?
                .rows_affected())
        };
        let done = AgentErased {
            uses: run("DELETE FROM template_uses WHERE tenant_id = $1 AND account_id = $2").await?,
            weekly: run("DELETE FROM template_weekly WHERE tenant_id = $1 AND account_id = $2")
                .await?,
            favourites: run(
                "DELETE FROM template_favourites WHERE tenant_id = $1 AND account_id = $2",
            )
            .await?,
            personal_templates: run(
                "DELETE FROM templates WHERE tenant_id = $1 AND owner_account_id = $2 \
                 AND scope_kind = 'personal'",
            )
            .await?,
            // `(erased)`: no Jira account id looks like it, so nobody owns it any more.
            shared_templates_disowned: run(
                "UPDATE templates SET owner_account_id = '(erased)' WHERE tenant_id = $1 \
                 AND owner_account_id = $2",
            )
            .await?,
            tokens: run("DELETE FROM api_tokens WHERE tenant_id = $1 AND account_id = $2").await?,
            sessions: run("DELETE FROM console_sessions WHERE tenant_id = $1 AND account_id = $2")
                .await?,
            links: run("DELETE FROM console_links WHERE tenant_id = $1 AND account_id = $2")
                .await?,
            access_log: run(
                "UPDATE access_log SET account_id = NULL WHERE tenant_id = $1 AND account_id = $2",
            )
            .await?,
            profile_versions: run(
                "UPDATE profile_versions SET saved_by = '(erased)' WHERE tenant_id = $1 \
                 AND saved_by = $2",
            )
            .await?,
        };
        run("DELETE FROM template_agent_revisions WHERE tenant_id = $1 AND account_id = $2")
            .await?;
        run(
            "UPDATE person_requests SET requested_by = '(erased)' WHERE tenant_id = $1 \
             AND requested_by = $2",
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }
}
