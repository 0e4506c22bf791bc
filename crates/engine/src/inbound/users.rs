//! Which Jira account a sender's address belongs to, remembered for a while: the same
//! customer writes many mails, and under a rate limit a lookup per mail would cut the
//! mails postroom can carry to Jira by a third.
//!
//! The answers live in the store (`sender_accounts`), found by the address's keyed hash
//! with the account sealed by the tenant's key, so that every instance and every restart
//! shares them and a person's erase removes them. A lookup that found no account is
//! remembered too, for less time: a customer who gets a Jira account is mentioned after
//! [`MISS_TTL_MS`] at worst. When the store cannot be read or written, the lookup is made
//! as if nothing were remembered: a mail never waits on the cache.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::adf::Mention;
use postroom_core::ports::tracker::{Tracker, TrackerError};
use postroom_core::redact::Redactor;
use postroom_core::tenant::TenantId;
use postroom_store::TenantStore;
use postroom_store::crypto::{Keyring, Place, TenantCipher};
use postroom_store::sender_accounts::{AccountKind, SenderAccount};
use serde::{Deserialize, Serialize};

use crate::worker::now_ms;

/// How long a found account is trusted: a user deactivated in Jira is mentioned for this
/// long at worst.
pub(crate) const HIT_TTL_MS: i64 = 60 * 60 * 1000;
/// How long "no account" is trusted.
pub(crate) const MISS_TTL_MS: i64 = 10 * 60 * 1000;
/// How long postroom's own permission in a project is trusted.
const RIGHTS_TTL: Duration = Duration::from_secs(600);

/// A remembered account as sealed in `sender_accounts.account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredAccount {
    /// The account id (Cloud) or user name (Data Center).
    pub id: String,
    /// The display name, as Jira gave it (empty for a customer postroom made).
    #[serde(default)]
    pub name: String,
}

impl StoredAccount {
    fn into_mention(self) -> Mention {
        Mention {
            text: format!("@{}", self.name),
            id: self.id,
        }
    }
}

/// Where a remembered account is sealed: its row, by address hash and kind.
pub(crate) fn account_place(address_hash: &str, kind: AccountKind) -> Place {
    Place::column(
        "sender_accounts",
        "account",
        format!("{address_hash}/{}", kind.as_str()),
    )
}

/// Opens a remembered lookup: `Ok(None)` for a lookup that found no account.
pub(crate) fn open_account(
    cipher: &TenantCipher,
    address_hash: &str,
    row: &SenderAccount,
) -> Result<Option<StoredAccount>, String> {
    let Some(sealed) = &row.account else {
        return Ok(None);
    };
    let bytes = cipher
        .open(&account_place(address_hash, row.kind), sealed)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Each sender's Jira account, per tenant, in the store; postroom's own reporter rights
/// per project in memory.
pub(super) struct UserCache {
    redactor: Redactor,
    keyring: Keyring,
    /// Tenant and project → whether postroom may set the reporter there.
    reporter_rights: Mutex<HashMap<(TenantId, String), (Instant, bool)>>,
}

impl UserCache {
    pub(super) fn new(redactor: Redactor, keyring: Keyring) -> Self {
        Self {
            redactor,
            keyring,
            reporter_rights: Mutex::default(),
        }
    }

    /// The account to mention for `address`: the one active Jira user with that address.
    /// A failed lookup (Jira hides addresses, no permission) counts as none and is not kept.
    pub(super) async fn mention<T: Tracker>(
        &self,
        tenant: &TenantStore,
        tracker: &T,
        address: &str,
    ) -> Option<Mention> {
        let book = self.book_for(tenant, address);
        if let Some(known) = book.recall(AccountKind::User).await {
            return known.map(StoredAccount::into_mention);
        }
        let users = tracker.find_users_by_email(address).await.ok()?;
        let active: Vec<_> = users.into_iter().filter(|u| u.active).collect();
        let found = match active.as_slice() {
            [user] => Some(StoredAccount {
                id: user.account_id.clone(),
                name: user.display_name.clone(),
            }),
            _ => None,
        };
        book.keep(AccountKind::User, found.as_ref()).await;
        found.map(StoredAccount::into_mention)
    }

    /// The JSM customer account postroom made or found for `address` in the last
    /// [`HIT_TTL_MS`].
    pub(super) async fn customer(&self, tenant: &TenantStore, address: &str) -> Option<String> {
        self.book_for(tenant, address)
            .recall(AccountKind::Customer)
            .await
            .flatten()
            .map(|a| a.id)
    }

    /// Remembers the JSM customer account postroom made or found for `address`: the
    /// address's next request is raised on its behalf without making or finding it again.
    pub(super) async fn remember_customer(
        &self,
        tenant: &TenantStore,
        address: &str,
        account_id: &str,
    ) {
        let book = self.book_for(tenant, address);
        let account = StoredAccount {
            id: account_id.to_owned(),
            name: String::new(),
        };
        book.keep(AccountKind::Customer, Some(&account)).await;
    }

    fn book_for<'a>(&'a self, tenant: &'a TenantStore, address: &str) -> Book<'a> {
        Book {
            tenant,
            keyring: &self.keyring,
            hash: self.redactor.raw_address(address).to_string(),
        }
    }

    /// Whether postroom's account holds `MODIFY_REPORTER` in `project` (remembered too).
    pub(super) async fn may_set_reporter<T: Tracker>(
        &self,
        tenant: &TenantId,
        tracker: &T,
        project: &str,
    ) -> Result<bool, TrackerError> {
        let key = (tenant.clone(), project.to_owned());
        if let Some((at, may)) = self
            .reporter_rights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            && at.elapsed() < RIGHTS_TTL
        {
            return Ok(*may);
        }
        let held = tracker
            .my_permissions(Some(project), &["MODIFY_REPORTER"])
            .await?;
        let may = held.iter().any(|p| p == "MODIFY_REPORTER");
        self.reporter_rights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, (Instant::now(), may));
        Ok(may)
    }
}

impl std::fmt::Debug for UserCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCache").finish_non_exhaustive()
    }
}

/// One address's remembered lookups in one tenant.
struct Book<'a> {
    tenant: &'a TenantStore,
    keyring: &'a Keyring,
    hash: String,
}

impl Book<'_> {
    /// The remembered answer while it is trusted: `Some(None)` for "no account".
    async fn recall(&self, kind: AccountKind) -> Option<Option<StoredAccount>> {
        let row = match self.tenant.sender_account(&self.hash, kind).await {
            Ok(row) => row?,
            Err(e) => {
                tracing::warn!(tenant = %self.tenant.id(), error = %e, "sender account lookups: not read");
                return None;
            }
        };
        let ttl = if row.account.is_some() {
            HIT_TTL_MS
        } else {
            MISS_TTL_MS
        };
        if now_ms().saturating_sub(row.looked_up_at_ms) >= ttl {
            return None;
        }
        let cipher = self.cipher().await?;
        match open_account(&cipher, &self.hash, &row) {
            Ok(account) => Some(account),
            Err(e) => {
                tracing::warn!(tenant = %self.tenant.id(), error = %e, "sender account lookup: not opened; looked up again");
                None
            }
        }
    }

    /// Remembers an answer; a failure to is logged and forgotten.
    async fn keep(&self, kind: AccountKind, account: Option<&StoredAccount>) {
        let sealed = match account {
            None => None,
            Some(account) => {
                let Some(cipher) = self.cipher().await else {
                    return;
                };
                let sealed = serde_json::to_vec(account)
                    .map_err(|e| e.to_string())
                    .and_then(|json| {
                        cipher
                            .seal(&account_place(&self.hash, kind), &json)
                            .map_err(|e| e.to_string())
                    });
                match sealed {
                    Ok(sealed) => Some(sealed),
                    Err(e) => {
                        tracing::warn!(tenant = %self.tenant.id(), error = %e, "sender account lookup: not sealed");
                        return;
                    }
                }
            }
        };
        if let Err(e) = self
            .tenant
            .remember_sender_account(&self.hash, kind, sealed.as_deref(), now_ms())
            .await
        {
            tracing::warn!(tenant = %self.tenant.id(), error = %e, "sender account lookup: not kept");
        }
    }

    async fn cipher(&self) -> Option<TenantCipher> {
        self.keyring
            .cipher(self.tenant).await
            .inspect_err(|e| {
                tracing::warn!(tenant = %self.tenant.id(), error = %e, "sender account lookups: no key");
            })
            .ok()
    }
}
