//! The IMAP mailboxes a site's administrator added in the console, beside those of
//! `postroom.toml` and the profile. What is not secret is kept as the caller's JSON; the
//! one credential (a password, or a connected mailbox's refresh token) is sealed with the
//! tenant's data key, can only be replaced or read by the cipher's holder, and is never
//! listed.

use postroom_core::tenant::TenantId;
use sqlx::Row;

use crate::crypto::{Place, TenantCipher};
use crate::tenant_secrets::SecretError;
use crate::{Store, StoreError, TenantStore};

/// One stored mailbox, without its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteMailbox {
    pub name: String,
    /// The settings without the credential, as JSON (the caller's format).
    pub settings: String,
    /// `google` or `microsoft` for a connected mailbox; `None`: a password.
    pub provider: Option<String>,
    /// Whether a credential is stored.
    pub has_secret: bool,
    /// Moves with every edit of the settings or the credential (not with a rotation).
    pub revision: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The account that last changed it.
    pub updated_by: Option<String>,
    pub secret_updated_at_ms: Option<i64>,
}

/// What an add or an edit stores.
#[derive(Debug, Clone, Copy)]
pub struct MailboxWrite<'a> {
    pub name: &'a str,
    pub settings: &'a str,
    pub provider: Option<&'a str>,
    /// `None` keeps the stored credential.
    pub secret: Option<&'a str>,
    pub by: Option<&'a str>,
}

fn place(name: &str) -> Place {
    Place::column("site_mailboxes", "sealed", name.to_owned())
}

fn row_to_mailbox(row: &sqlx::any::AnyRow) -> Result<SiteMailbox, StoreError> {
    let sealed: Option<Vec<u8>> = row.try_get("sealed")?;
    Ok(SiteMailbox {
        name: row.try_get("name")?,
        settings: row.try_get("settings")?,
        provider: row.try_get("provider")?,
        has_secret: sealed.is_some(),
        revision: row.try_get("revision")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        updated_by: row.try_get("updated_by")?,
        secret_updated_at_ms: row.try_get("secret_updated_at_ms")?,
    })
}

const COLUMNS: &str = "name, settings, provider, sealed, revision, created_at_ms, \
                       updated_at_ms, updated_by, secret_updated_at_ms";

impl TenantStore {
    /// The site's stored mailboxes, by name.
    pub async fn site_mailboxes(&self) -> Result<Vec<SiteMailbox>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM site_mailboxes WHERE tenant_id = $1 ORDER BY name");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.id().as_str())
            .fetch_all(self.db().pool())
            .await?;
        rows.iter().map(row_to_mailbox).collect()
    }

    /// The stored mailbox `name`, if any.
    pub async fn site_mailbox(&self, name: &str) -> Result<Option<SiteMailbox>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM site_mailboxes WHERE tenant_id = $1 AND name = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.id().as_str())
            .bind(name)
            .fetch_optional(self.db().pool())
            .await?;
        row.as_ref().map(row_to_mailbox).transpose()
    }

    /// Adds the mailbox, or replaces the settings of the one of the same name (its
    /// credential too when `write.secret` is given); its revision moves. True when added.
    pub async fn put_site_mailbox(
        &self,
        cipher: &TenantCipher,
        write: MailboxWrite<'_>,
        now_ms: i64,
    ) -> Result<bool, SecretError> {
        self.check_cipher(cipher)?;
        let sealed = write
            .secret
            .map(|s| cipher.seal_str(&place(write.name), s))
            .transpose()?;
        let updated = sqlx::query(
            "UPDATE site_mailboxes SET settings = $3, provider = $4, \
             sealed = COALESCE($5, sealed), revision = revision + 1, updated_at_ms = $6, \
             updated_by = $7, secret_updated_at_ms = CASE WHEN $5 IS NULL \
             THEN secret_updated_at_ms ELSE $6 END WHERE tenant_id = $1 AND name = $2",
        )
        .bind(self.id().as_str())
        .bind(write.name)
        .bind(write.settings)
        .bind(write.provider)
        .bind(sealed.clone())
        .bind(now_ms)
        .bind(write.by)
        .execute(self.db().pool())
        .await
        .map_err(StoreError::from)?;
        if updated.rows_affected() > 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO site_mailboxes (tenant_id, name, settings, provider, sealed, \
             revision, created_at_ms, updated_at_ms, updated_by, secret_updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7, $8)",
        )
        .bind(self.id().as_str())
        .bind(write.name)
        .bind(write.settings)
        .bind(write.provider)
        .bind(sealed.clone())
        .bind(now_ms)
        .bind(write.by)
        .bind(sealed.as_ref().map(|_| now_ms))
        .execute(self.db().pool())
        .await
        .map_err(StoreError::from)?;
        Ok(true)
    }

    /// The credential of the stored mailbox `name`, opened; `None` when it has none.
    pub async fn site_mailbox_secret(
        &self,
        cipher: &TenantCipher,
        name: &str,
    ) -> Result<Option<String>, SecretError> {
        self.check_cipher(cipher)?;
        let row =
            sqlx::query("SELECT sealed FROM site_mailboxes WHERE tenant_id = $1 AND name = $2")
                .bind(self.id().as_str())
                .bind(name)
                .fetch_optional(self.db().pool())
                .await
                .map_err(StoreError::from)?;
        let sealed: Option<Vec<u8>> = match row {
            Some(row) => row.try_get("sealed").map_err(StoreError::from)?,
            None => None,
        };
        sealed
            .map(|s| cipher.open_str(&place(name), &s))
            .transpose()
            .map_err(SecretError::from)
    }

    /// Replaces the credential of the stored mailbox `name` without moving its revision
    /// (a refresh token the provider rotated: the poller already uses the new one). False
    /// when there is no such mailbox.
    pub async fn rotate_site_mailbox_secret(
        &self,
        cipher: &TenantCipher,
        name: &str,
        secret: &str,
        now_ms: i64,
    ) -> Result<bool, SecretError> {
        self.check_cipher(cipher)?;
        let sealed = cipher.seal_str(&place(name), secret)?;
        let done = sqlx::query(
            "UPDATE site_mailboxes SET sealed = $3, secret_updated_at_ms = $4 \
             WHERE tenant_id = $1 AND name = $2",
        )
        .bind(self.id().as_str())
        .bind(name)
        .bind(sealed)
        .bind(now_ms)
        .execute(self.db().pool())
        .await
        .map_err(StoreError::from)?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes the stored mailbox `name` with its credential; false when there was none.
    pub async fn delete_site_mailbox(&self, name: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM site_mailboxes WHERE tenant_id = $1 AND name = $2")
            .bind(self.id().as_str())
            .bind(name)
            .execute(self.db().pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// One stored mailbox as `serve` follows them: which tenant, which name, which revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailboxRevision {
    pub tenant: TenantId,
    pub name: String,
    pub revision: i64,
}

impl Store {
    /// Every tenant's stored mailboxes with their revisions, for the poll supervisor.
    pub async fn site_mailbox_revisions(&self) -> Result<Vec<MailboxRevision>, StoreError> {
        let rows = sqlx::query(
            "SELECT tenant_id, name, revision FROM site_mailboxes ORDER BY tenant_id, name",
        )
        .fetch_all(self.db().pool())
        .await?;
        rows.iter()
            .map(|row| {
                let tenant: String = row.try_get("tenant_id")?;
                Ok(MailboxRevision {
                    tenant: TenantId::parse(&tenant).map_err(|e| {
                        StoreError::Corrupt(format!("site_mailboxes.tenant_id {tenant:?}: {e}"))
                    })?,
                    name: row.try_get("name")?,
                    revision: row.try_get("revision")?,
                })
            })
            .collect()
    }
}
