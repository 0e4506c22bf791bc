//! The app system token of each Forge tenant: handed over with Forge's calls
//! (`x-forge-oauth-system`), spent by the tenant's Jira client for background work (inbound
//! mail, notifications).
//!
//! The latest token is held in memory for the client at once, and sealed in the store with
//! the tenant's key so that a restart does not leave the site's work waiting for the next
//! trigger. Not every call writes: only a token that lasts at least a minute longer than
//! the stored one.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use postroom_core::tenant::TenantId;
use postroom_jira::{Secret, SystemToken};
use postroom_store::crypto::Keyring;
use postroom_store::{SiteSecret, TenantStore};
use serde::{Deserialize, Serialize};

/// How long a token that says nothing of its expiry is taken to last: less than the hour
/// Atlassian's tokens live, so that it is never used after it ran out.
const ASSUMED_LIFETIME_MS: i64 = 50 * 60 * 1000;

/// A stored token is replaced only by one lasting at least this much longer.
const WRITE_AFTER_MS: i64 = 60_000;

/// What is sealed in `tenant_secrets`.
#[derive(Serialize, Deserialize)]
struct Sealed {
    token: String,
    expires_at_ms: i64,
}

#[derive(Deserialize)]
struct Expiry {
    exp: Option<i64>,
}

/// When `token` expires: its own `exp` when it is a JWT that says, else an hour's guess
/// from now. The token is Atlassian's to verify; postroom only reads when to stop using it.
pub fn expiry_of(token: &str, now_ms: i64) -> i64 {
    jsonwebtoken::dangerous::insecure_decode_claims::<Expiry>(token)
        .ok()
        .and_then(|e| e.exp)
        .map_or(now_ms + ASSUMED_LIFETIME_MS, |exp| exp.saturating_mul(1000))
}

/// Every Forge tenant's token. Cheap to clone; clones share.
#[derive(Debug, Clone, Default)]
pub struct ForgeTokens {
    held: Arc<RwLock<HashMap<TenantId, SystemToken>>>,
    /// The expiry of the token sealed in the store, per tenant.
    stored: Arc<RwLock<HashMap<TenantId, i64>>>,
}

impl ForgeTokens {
    /// The tenant's token handle (one per tenant, shared with its Jira client).
    pub fn of(&self, tenant: &TenantId) -> SystemToken {
        if let Some(token) = self
            .held
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant)
        {
            return token.clone();
        }
        self.held
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(tenant.clone())
            .or_default()
            .clone()
    }

    /// Takes a token handed over with a verified call of `tenant`'s installation.
    pub async fn keep(
        &self,
        tenant: &TenantStore,
        keyring: &Keyring,
        token: &str,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        let expires_at_ms = expiry_of(token, now_ms);
        if expires_at_ms <= now_ms {
            return Ok(());
        }
        self.of(tenant.id())
            .offer(Secret::new(token), expires_at_ms);
        let stored = self
            .stored
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant.id())
            .copied();
        if stored.is_some_and(|s| expires_at_ms < s + WRITE_AFTER_MS) {
            return Ok(());
        }
        let sealed = serde_json::to_string(&Sealed {
            token: token.to_owned(),
            expires_at_ms,
        })?;
        let cipher = keyring.cipher(tenant).await?;
        tenant
            .put_secret(&cipher, SiteSecret::ForgeSystemToken, &sealed, now_ms)
            .await?;
        tenant
            .set_forge_token_expiry(Some(expires_at_ms), now_ms)
            .await?;
        self.stored
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.id().clone(), expires_at_ms);
        metrics::counter!("postroom_forge_tokens_stored_total").increment(1);
        Ok(())
    }

    /// Loads the token sealed for `tenant` (at start, or when its client is rebuilt).
    pub async fn load(&self, tenant: &TenantStore, keyring: &Keyring) -> anyhow::Result<()> {
        let cipher = keyring.cipher(tenant).await?;
        let Some(sealed) = tenant.secret(&cipher, SiteSecret::ForgeSystemToken).await? else {
            return Ok(());
        };
        let sealed: Sealed = serde_json::from_str(&sealed)?;
        self.of(tenant.id())
            .offer(Secret::new(sealed.token), sealed.expires_at_ms);
        self.stored
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.id().clone(), sealed.expires_at_ms);
        Ok(())
    }

    /// Forgets an erased tenant's token.
    pub fn forget(&self, tenant: &TenantId) {
        self.held
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(tenant);
        self.stored
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(tenant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_says_its_own_expiry_and_anything_else_gets_the_guess() {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            b64(r#"{"alg":"HS256","typ":"JWT"}"#),
            b64(r#"{"exp":1900000000}"#)
        );
        assert_eq!(expiry_of(&jwt, 5), 1_900_000_000_000);
        assert_eq!(expiry_of("opaque-token", 1000), 1000 + ASSUMED_LIFETIME_MS);
        assert_eq!(expiry_of("", 0), ASSUMED_LIFETIME_MS);
    }
}
