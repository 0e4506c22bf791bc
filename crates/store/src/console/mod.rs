//! The console's sign-ins: server-side sessions and one-time sign-in links.
//!
//! A session's secret lives only in the browser's cookie; the database keeps its SHA-256,
//! so neither a copy of the database nor a log can be replayed as a session. The secrets
//! are 256 random bits, which makes a plain hash safe to store and to look up directly
//! (as for API tokens). A session is tenant-scoped: it is made through a [`TenantStore`]
//! and names the tenant it belongs to when looked up.
//!
//! A session signed in through Jira's OAuth keeps that sign-in's grant (its access and
//! refresh token, as the caller serialises them) sealed with the tenant's data key, bound
//! to the session's row: the HTTP edge asks the provider every few minutes whether the
//! grant still stands, and ends the session when it does not. Whichever request claims a
//! due check first ([`Console::claim_check`]) makes it, on any instance, so a rotating
//! refresh token is never used twice.

mod secret;

use sqlx::Row;

pub use secret::Secret;

use crate::crypto::{Place, TenantCipher};
use crate::tenant_secrets::SecretError;
use crate::{Store, StoreError, TenantStore};
use postroom_core::tenant::TenantId;

/// A one-time link is good for 10 minutes.
pub const LINK_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// The longest a session may ever last, whatever is configured: 12 hours.
pub const MAX_SESSION_MS: i64 = 12 * 60 * 60 * 1000;

/// How often a session's last use is written: reads within a minute of the last write
/// change nothing, so a page that makes several calls costs one write at most.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// How a session was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInVia {
    /// A one-time link from `postroom console link`.
    Link,
    /// Jira's OAuth 2.0 authorization code flow.
    Oauth,
}

impl SignInVia {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInVia::Link => "link",
            SignInVia::Oauth => "oauth",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "link" => Ok(SignInVia::Link),
            "oauth" => Ok(SignInVia::Oauth),
            other => Err(StoreError::Corrupt(format!(
                "console_sessions.via: {other:?}"
            ))),
        }
    }
}

/// Where a session's grant is sealed: its own row, so it cannot be moved to another.
fn grant_place(id_hash: &str) -> Place {
    Place::column("console_sessions", "grant_sealed", id_hash)
}

/// How long sessions last: idle timeout and absolute lifetime, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub lifetime_ms: i64,
}

impl SessionPolicy {
    /// A policy whose lifetime is capped at [`MAX_SESSION_MS`] and whose idle timeout is
    /// no longer than the lifetime.
    pub fn new(idle_ms: i64, lifetime_ms: i64) -> Self {
        let lifetime_ms = lifetime_ms.clamp(1, MAX_SESSION_MS);
        Self {
            idle_ms: idle_ms.clamp(1, lifetime_ms),
            lifetime_ms,
        }
    }
}

/// A live session, as the HTTP edge sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub tenant: TenantId,
    pub account_id: String,
    pub created_at_ms: i64,
    /// When it ends at the latest (absolute lifetime).
    pub expires_at_ms: i64,
    pub via: SignInVia,
    /// When the provider last confirmed the session's grant (its sign-in, at first).
    pub checked_at_ms: i64,
}

/// A tenant's console sign-ins.
#[derive(Debug, Clone)]
pub struct Console {
    tenant: TenantStore,
}

impl TenantStore {
    pub fn console(&self) -> Console {
        Console {
            tenant: self.clone(),
        }
    }
}

impl Console {
    /// Starts a session for `account_id`; the secret (the cookie's value) is returned once.
    pub async fn start_session(
        &self,
        account_id: &str,
        via: SignInVia,
        policy: SessionPolicy,
        now_ms: i64,
    ) -> Result<(Secret, Session), StoreError> {
        let secret = Secret::new("ps_");
        let session = self
            .insert_session(&secret, account_id, via, None, policy, now_ms)
            .await?;
        Ok((secret, session))
    }

    /// Starts a session of a sign-in through Jira's OAuth, keeping its `grant` sealed
    /// with `cipher` (this tenant's) for [`Console::grant`].
    pub async fn start_oauth_session(
        &self,
        account_id: &str,
        cipher: &TenantCipher,
        grant: &str,
        policy: SessionPolicy,
        now_ms: i64,
    ) -> Result<(Secret, Session), SecretError> {
        self.tenant.check_cipher(cipher)?;
        let secret = Secret::new("ps_");
        let sealed = cipher.seal_str(&grant_place(&secret.hash()), grant)?;
        let session = self
            .insert_session(
                &secret,
                account_id,
                SignInVia::Oauth,
                Some(&sealed),
                policy,
                now_ms,
            )
            .await?;
        Ok((secret, session))
    }

    async fn insert_session(
        &self,
        secret: &Secret,
        account_id: &str,
        via: SignInVia,
        grant_sealed: Option<&[u8]>,
        policy: SessionPolicy,
        now_ms: i64,
    ) -> Result<Session, StoreError> {
        if account_id.trim().is_empty() {
            return Err(StoreError::Invalid("account id is empty".to_owned()));
        }
        let session = Session {
            tenant: self.tenant.id().clone(),
            account_id: account_id.to_owned(),
            created_at_ms: now_ms,
            expires_at_ms: now_ms.saturating_add(policy.lifetime_ms),
            via,
            checked_at_ms: now_ms,
        };
        sqlx::query(
            "INSERT INTO console_sessions (id_hash, tenant_id, account_id, via, created_at_ms, \
             last_seen_ms, expires_at_ms, grant_sealed, checked_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(secret.hash())
        .bind(self.tenant.id().as_str())
        .bind(account_id)
        .bind(via.as_str())
        .bind(now_ms)
        .bind(now_ms)
        .bind(session.expires_at_ms)
        .bind(grant_sealed.map(<[u8]>::to_vec))
        .bind(now_ms)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(session)
    }

    /// The grant of the session whose cookie holds `secret`, opened with `cipher`; `None`
    /// when there is no such session of this tenant or it has no grant (a link's).
    pub async fn grant(
        &self,
        cipher: &TenantCipher,
        secret: &str,
    ) -> Result<Option<String>, SecretError> {
        self.tenant.check_cipher(cipher)?;
        let Some(hash) = Secret::hash_of("ps_", secret) else {
            return Ok(None);
        };
        let sealed: Option<Option<Vec<u8>>> = sqlx::query_scalar(
            "SELECT grant_sealed FROM console_sessions WHERE id_hash = $1 AND tenant_id = $2",
        )
        .bind(&hash)
        .bind(self.tenant.id().as_str())
        .fetch_optional(self.tenant.db().pool())
        .await
        .map_err(StoreError::from)?;
        match sealed.flatten() {
            Some(sealed) => Ok(Some(cipher.open_str(&grant_place(&hash), &sealed)?)),
            None => Ok(None),
        }
    }

    /// Claims the due check of the session whose cookie holds `secret`: true for the one
    /// caller that moved its `checked_at_ms` from `seen_ms` (what it read) to `now_ms`;
    /// false when another request, on this instance or another, claimed it first.
    pub async fn claim_check(
        &self,
        secret: &str,
        seen_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let Some(hash) = Secret::hash_of("ps_", secret) else {
            return Ok(false);
        };
        let done = sqlx::query(
            "UPDATE console_sessions SET checked_at_ms = $1 \
             WHERE id_hash = $2 AND tenant_id = $3 AND checked_at_ms = $4",
        )
        .bind(now_ms)
        .bind(&hash)
        .bind(self.tenant.id().as_str())
        .bind(seen_ms)
        .execute(self.tenant.db().pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the grant of the session whose cookie holds `secret` (the provider rotated
    /// its refresh token); false when the session is gone.
    pub async fn replace_grant(
        &self,
        cipher: &TenantCipher,
        secret: &str,
        grant: &str,
    ) -> Result<bool, SecretError> {
        self.tenant.check_cipher(cipher)?;
        let Some(hash) = Secret::hash_of("ps_", secret) else {
            return Ok(false);
        };
        let sealed = cipher.seal_str(&grant_place(&hash), grant)?;
        let done = sqlx::query(
            "UPDATE console_sessions SET grant_sealed = $1 WHERE id_hash = $2 AND tenant_id = $3",
        )
        .bind(sealed)
        .bind(&hash)
        .bind(self.tenant.id().as_str())
        .execute(self.tenant.db().pool())
        .await
        .map_err(StoreError::from)?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes a one-time sign-in link token for `account_id`, good for 10 minutes.
    pub async fn create_link(&self, account_id: &str, now_ms: i64) -> Result<Secret, StoreError> {
        if account_id.trim().is_empty() {
            return Err(StoreError::Invalid("account id is empty".to_owned()));
        }
        let secret = Secret::new("pl_");
        sqlx::query(
            "INSERT INTO console_links (token_hash, tenant_id, account_id, created_at_ms, \
             expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret.hash())
        .bind(self.tenant.id().as_str())
        .bind(account_id)
        .bind(now_ms)
        .bind(now_ms.saturating_add(LINK_LIFETIME_MS))
        .execute(self.tenant.db().pool())
        .await?;
        Ok(secret)
    }

    /// Ends every session of `account_id` (its access was taken away); returns how many.
    pub async fn end_sessions_of(&self, account_id: &str) -> Result<u64, StoreError> {
        let done =
            sqlx::query("DELETE FROM console_sessions WHERE tenant_id = $1 AND account_id = $2")
                .bind(self.tenant.id().as_str())
                .bind(account_id)
                .execute(self.tenant.db().pool())
                .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    /// The live session whose cookie holds `secret`, noting its use. A session past its
    /// lifetime or idle for longer than `policy.idle_ms` is deleted and `None` returned,
    /// as for an unknown or malformed secret. Instance-wide because the cookie names the
    /// tenant only through its row.
    pub async fn console_session(
        &self,
        secret: &str,
        policy: SessionPolicy,
        now_ms: i64,
    ) -> Result<Option<Session>, StoreError> {
        let Some(hash) = Secret::hash_of("ps_", secret) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT tenant_id, account_id, created_at_ms, last_seen_ms, expires_at_ms, via, \
             checked_at_ms FROM console_sessions WHERE id_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(self.db().pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: i64 = row.try_get("last_seen_ms")?;
        let expires_at_ms: i64 = row.try_get("expires_at_ms")?;
        if now_ms >= expires_at_ms || now_ms.saturating_sub(last_seen) >= policy.idle_ms {
            self.end_console_session_hash(&hash).await?;
            return Ok(None);
        }
        if now_ms.saturating_sub(last_seen) >= TOUCH_EVERY_MS {
            sqlx::query("UPDATE console_sessions SET last_seen_ms = $1 WHERE id_hash = $2")
                .bind(now_ms)
                .bind(&hash)
                .execute(self.db().pool())
                .await?;
        }
        let tenant: String = row.try_get("tenant_id")?;
        Ok(Some(Session {
            tenant: TenantId::parse(&tenant)
                .map_err(|e| StoreError::Corrupt(format!("console_sessions.tenant_id: {e}")))?,
            account_id: row.try_get("account_id")?,
            created_at_ms: row.try_get("created_at_ms")?,
            expires_at_ms,
            via: SignInVia::parse(&row.try_get::<String, _>("via")?)?,
            checked_at_ms: row.try_get("checked_at_ms")?,
        }))
    }

    /// Ends the session whose cookie holds `secret` (sign-out); false when there was none.
    pub async fn end_console_session(&self, secret: &str) -> Result<bool, StoreError> {
        match Secret::hash_of("ps_", secret) {
            Some(hash) => self.end_console_session_hash(&hash).await,
            None => Ok(false),
        }
    }

    async fn end_console_session_hash(&self, hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM console_sessions WHERE id_hash = $1")
            .bind(hash)
            .execute(self.db().pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Redeems a one-time link: the tenant and account it signs in, once. The row is
    /// deleted in the same statement that reads it, so two requests racing with one link
    /// cannot both win; an expired link is gone as well and gives `None`.
    pub async fn redeem_console_link(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<(TenantId, String)>, StoreError> {
        let Some(hash) = Secret::hash_of("pl_", token) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "DELETE FROM console_links WHERE token_hash = $1 \
             RETURNING tenant_id, account_id, expires_at_ms",
        )
        .bind(&hash)
        .fetch_optional(self.db().pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at_ms: i64 = row.try_get("expires_at_ms")?;
        if now_ms >= expires_at_ms {
            return Ok(None);
        }
        let tenant: String = row.try_get("tenant_id")?;
        let tenant = TenantId::parse(&tenant)
            .map_err(|e| StoreError::Corrupt(format!("console_links.tenant_id: {e}")))?;
        Ok(Some((tenant, row.try_get("account_id")?)))
    }

    /// Deletes expired links and sessions past their lifetime or idle for `idle_ms`;
    /// returns how many rows went.
    pub async fn purge_console(&self, now_ms: i64, idle_ms: i64) -> Result<u64, StoreError> {
        let sessions = sqlx::query(
            "DELETE FROM console_sessions WHERE expires_at_ms <= $1 OR last_seen_ms <= $2",
        )
        .bind(now_ms)
        .bind(now_ms.saturating_sub(idle_ms))
        .execute(self.db().pool())
        .await?;
        let links = sqlx::query("DELETE FROM console_links WHERE expires_at_ms <= $1")
            .bind(now_ms)
            .execute(self.db().pool())
            .await?;
        Ok(sessions.rows_affected() + links.rows_affected())
    }
}
