//! A site's secrets in the store: its Jira credential and its webhook secret, sealed with
//! the tenant's own data key so that they never sit in a file or in clear in a backup, and
//! are shredded with the tenant.

use postroom_core::tenant::TenantId;
use sqlx::Row;

use crate::crypto::{CryptoError, Place, TenantCipher};
use crate::{StoreError, TenantStore};

/// Which secret of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteSecret {
    /// The API token, personal access token or OAuth access token postroom reaches the
    /// site's Jira with.
    JiraCredential,
    /// The secret Jira signs the site's webhook deliveries with.
    WebhookSecret,
    /// The latest app system token Forge handed over for a site that installed the app.
    ForgeSystemToken,
    /// The password of the site's own SMTP relay.
    SmtpPassword,
}

/// When a secret was last set and by whom, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    pub updated_at_ms: i64,
    /// `sandbox` for one `serve --sandbox` made; `None`: set for the site (console or CLI).
    pub made_by: Option<String>,
}

impl SiteSecret {
    fn name(self) -> &'static str {
        match self {
            Self::JiraCredential => "jira_credential",
            Self::WebhookSecret => "webhook_secret",
            Self::ForgeSystemToken => "forge_system_token",
            Self::SmtpPassword => "smtp_password",
        }
    }

    fn place(self) -> Place {
        Place::column("tenant_secrets", "sealed", self.name())
    }
}

/// Why a site's secret could not be kept or read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The cipher handed in is another tenant's.
    #[error("the cipher of tenant {cipher} cannot seal a secret of tenant {tenant}")]
    WrongCipher { cipher: TenantId, tenant: TenantId },
}

impl TenantStore {
    /// Seals `value` with `cipher` and keeps it as this tenant's `which`, replacing any
    /// earlier one.
    pub async fn put_secret(
        &self,
        cipher: &TenantCipher,
        which: SiteSecret,
        value: &str,
        now_ms: i64,
    ) -> Result<(), SecretError> {
        self.put_secret_made_by(cipher, which, value, None, now_ms)
            .await
    }

    /// [`TenantStore::put_secret`], noting who made it (see [`SecretInfo::made_by`]).
    pub async fn put_secret_made_by(
        &self,
        cipher: &TenantCipher,
        which: SiteSecret,
        value: &str,
        made_by: Option<&str>,
        now_ms: i64,
    ) -> Result<(), SecretError> {
        self.check_cipher(cipher)?;
        let sealed = cipher.seal_str(&which.place(), value)?;
        sqlx::query(
            "INSERT INTO tenant_secrets (tenant_id, name, sealed, updated_at_ms, made_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, name) DO UPDATE SET \
             sealed = excluded.sealed, updated_at_ms = excluded.updated_at_ms, \
             made_by = excluded.made_by",
        )
        .bind(self.id().as_str())
        .bind(which.name())
        .bind(sealed)
        .bind(now_ms)
        .bind(made_by)
        .execute(self.db().pool())
        .await
        .map_err(StoreError::from)?;
        Ok(())
    }

    /// This tenant's `which`, opened with `cipher`; `None` when it has none.
    pub async fn secret(
        &self,
        cipher: &TenantCipher,
        which: SiteSecret,
    ) -> Result<Option<String>, SecretError> {
        self.check_cipher(cipher)?;
        let row =
            sqlx::query("SELECT sealed FROM tenant_secrets WHERE tenant_id = $1 AND name = $2")
                .bind(self.id().as_str())
                .bind(which.name())
                .fetch_optional(self.db().pool())
                .await
                .map_err(StoreError::from)?;
        let Some(row) = row else { return Ok(None) };
        let sealed: Vec<u8> = row.try_get("sealed").map_err(StoreError::from)?;
        Ok(Some(cipher.open_str(&which.place(), &sealed)?))
    }

    /// Whether this tenant has a `which`, without opening it.
    pub async fn has_secret(&self, which: SiteSecret) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM tenant_secrets WHERE tenant_id = $1 AND name = $2")
            .bind(self.id().as_str())
            .bind(which.name())
            .fetch_optional(self.db().pool())
            .await?;
        Ok(row.is_some())
    }

    /// When this tenant's `which` was set and by whom; `None` when it has none.
    pub async fn secret_info(&self, which: SiteSecret) -> Result<Option<SecretInfo>, StoreError> {
        let row = sqlx::query(
            "SELECT updated_at_ms, made_by FROM tenant_secrets WHERE tenant_id = $1 AND name = $2",
        )
        .bind(self.id().as_str())
        .bind(which.name())
        .fetch_optional(self.db().pool())
        .await?;
        row.map(|row| {
            Ok(SecretInfo {
                updated_at_ms: row.try_get("updated_at_ms")?,
                made_by: row.try_get("made_by")?,
            })
        })
        .transpose()
    }

    /// Removes this tenant's `which`, if it has one.
    pub async fn delete_secret(&self, which: SiteSecret) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM tenant_secrets WHERE tenant_id = $1 AND name = $2")
            .bind(self.id().as_str())
            .bind(which.name())
            .execute(self.db().pool())
            .await?;
        Ok(())
    }

    pub(crate) fn check_cipher(&self, cipher: &TenantCipher) -> Result<(), SecretError> {
        if cipher.tenant() == self.id() {
            Ok(())
        } else {
            Err(SecretError::WrongCipher {
                cipher: cipher.tenant().clone(),
                tenant: self.id().clone(),
            })
        }
    }
}
