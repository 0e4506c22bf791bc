//! Which Jira account a sender's address belongs to, remembered briefly: the same customer
//! writes many mails, and under a rate limit a lookup per mail would halve the mails
//! postroom can carry to Jira.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::adf::Mention;
use postroom_core::ports::tracker::{Tracker, TrackerError};
use postroom_core::tenant::TenantId;

/// How long an answer is trusted; a user added to Jira is mentioned after this at worst.
const TTL: Duration = Duration::from_secs(600);
/// Entries kept before the cache is emptied (a crude bound on memory).
const MAX_ENTRIES: usize = 50_000;

/// Tenant and lower-cased address.
type Key = (TenantId, String);

/// When it was looked up, and the account to mention (none: not one active user).
type Entry = (Instant, Option<Mention>);

/// Each sender's Jira account, per tenant.
#[derive(Debug, Default)]
pub(super) struct UserCache {
    entries: Mutex<HashMap<Key, Entry>>,
    /// Tenant and project → whether postroom may set the reporter there.
    reporter_rights: Mutex<HashMap<Key, (Instant, bool)>>,
    /// Tenant and lower-cased address → the JSM customer account postroom made or found
    /// for it, so the next request of the same customer skips making it again.
    customers: Mutex<HashMap<Key, (Instant, String)>>,
}

impl UserCache {
    /// The account to mention for `address`: the one active Jira user with that address.
    /// A failed lookup (Jira hides addresses, no permission) counts as none and is not kept.
    pub(super) async fn mention<T: Tracker>(
        &self,
        tenant: &TenantId,
        tracker: &T,
        address: &str,
    ) -> Option<Mention> {
        let key = (tenant.clone(), address.to_ascii_lowercase());
        if let Some((at, found)) = self
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            && at.elapsed() < TTL
        {
            return found.clone();
        }
        let users = tracker.find_users_by_email(address).await.ok()?;
        let active: Vec<_> = users.into_iter().filter(|u| u.active).collect();
        let found = match active.as_slice() {
            [user] => Some(Mention {
                id: user.account_id.clone(),
                text: format!("@{}", user.display_name),
            }),
            _ => None,
        };
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), found.clone()));
        found
    }

    /// The JSM customer account of `address`, when postroom made or found it in the last
    /// [`TTL`].
    pub(super) fn customer(&self, tenant: &TenantId, address: &str) -> Option<String> {
        let key = (tenant.clone(), address.to_ascii_lowercase());
        self.customers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, id)| id.clone())
    }

    /// Remembers the JSM customer account postroom made or found for `address`.
    pub(super) fn remember_customer(&self, tenant: &TenantId, address: &str, account_id: &str) {
        let mut customers = self
            .customers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if customers.len() >= MAX_ENTRIES {
            customers.clear();
        }
        customers.insert(
            (tenant.clone(), address.to_ascii_lowercase()),
            (Instant::now(), account_id.to_owned()),
        );
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
            && at.elapsed() < TTL
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
