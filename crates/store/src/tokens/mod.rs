//! API tokens: random secrets shown once, stored only as their SHA-256.
//!
//! A token is `pr_` followed by 64 hex digits (256 random bits). Because it is that random, a
//! plain SHA-256 is enough to store it safely (no salt or slow hash is needed: there is no
//! dictionary to attack), and the hash can be looked up directly, which keeps
//! authentication one indexed query. Revocation takes effect on the next request.

mod scope;

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

pub use scope::Scope;

use crate::{Store, StoreError, TenantStore};
use postroom_core::tenant::TenantId;

const PREFIX: &str = "pr_";

/// A token as listed: everything but the secret, which is never stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub scope: Scope,
    pub created_at_ms: i64,
}

/// Who a valid token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub tenant: TenantId,
    pub account_id: String,
    pub scope: Scope,
    pub token_id: String,
}

/// The token secret, shown to the operator once at creation. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(***)")
    }
}

/// The API tokens of one tenant.
#[derive(Debug, Clone)]
pub struct ApiTokens {
    tenant: TenantStore,
}

impl ApiTokens {
    pub fn new(tenant: TenantStore) -> Self {
        Self { tenant }
    }

    /// Makes a token for `account_id`; the secret is returned once and only its hash kept.
    pub async fn create(
        &self,
        account_id: &str,
        name: &str,
        scope: Scope,
        now_ms: i64,
    ) -> Result<(TokenInfo, TokenSecret), StoreError> {
        if account_id.trim().is_empty() {
            return Err(StoreError::Invalid("account id is empty".to_owned()));
        }
        let secret = TokenSecret(format!("{PREFIX}{}", hex::encode(random::<32>())));
        let info = TokenInfo {
            id: hex::encode(random::<8>()),
            account_id: account_id.to_owned(),
            name: name.to_owned(),
            scope,
            created_at_ms: now_ms,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, tenant_id, account_id, name, scope, token_hash, \
             created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&info.id)
        .bind(self.tenant.id().as_str())
        .bind(&info.account_id)
        .bind(&info.name)
        .bind(scope.as_str())
        .bind(hash(secret.expose()))
        .bind(now_ms)
        .execute(self.tenant.db().pool())
        .await?;
        Ok((info, secret))
    }

    /// Every live token of this tenant, oldest first.
    pub async fn list(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, account_id, name, scope, created_at_ms FROM api_tokens \
             WHERE tenant_id = $1 ORDER BY created_at_ms, id",
        )
        .bind(self.tenant.id().as_str())
        .fetch_all(self.tenant.db().pool())
        .await?;
        rows.iter()
            .map(|row| -> Result<TokenInfo, StoreError> {
                let scope: String = row.try_get("scope")?;
                Ok(TokenInfo {
                    id: row.try_get("id")?,
                    account_id: row.try_get("account_id")?,
                    name: row.try_get("name")?,
                    scope: Scope::parse(&scope).map_err(StoreError::Corrupt)?,
                    created_at_ms: row.try_get("created_at_ms")?,
                })
            })
            .collect()
    }

    /// Revokes (deletes) a token of this tenant; the next request with it answers 401.
    /// False when this tenant has no such token.
    pub async fn revoke(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(self.tenant.id().as_str())
            .execute(self.tenant.db().pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// The tenant and account a bearer token speaks for; `None` for an unknown, malformed or
    /// revoked token. Instance-wide because the token itself names the tenant.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Authenticated>, StoreError> {
        if !looks_like_token(token) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, tenant_id, account_id, scope FROM api_tokens \
             WHERE token_hash = $1",
        )
        .bind(hash(token))
        .fetch_optional(self.db().pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let tenant: String = row.try_get("tenant_id")?;
        let scope: String = row.try_get("scope")?;
        Ok(Some(Authenticated {
            tenant: TenantId::parse(&tenant)
                .map_err(|e| StoreError::Corrupt(format!("api_tokens.tenant_id: {e}")))?,
            account_id: row.try_get("account_id")?,
            scope: Scope::parse(&scope).map_err(StoreError::Corrupt)?,
            token_id: row.try_get("id")?,
        }))
    }
}

fn looks_like_token(token: &str) -> bool {
    token
        .strip_prefix(PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_tokens_are_looked_up() {
        assert!(looks_like_token(&format!("pr_{}", "a".repeat(64))));
        for bad in [
            "",
            "pr_",
            "Bearer x",
            &format!("pr_{}", "g".repeat(64)),
            &"a".repeat(67),
        ] {
            assert!(!looks_like_token(bad), "{bad}");
        }
    }

    #[test]
    fn hash_is_stable_and_not_the_token() {
        let token = format!("pr_{}", "b".repeat(64));
        assert_eq!(hash(&token), hash(&token));
        assert_ne!(hash(&token), token);
        assert_eq!(hash(&token).len(), 64);
    }
}
