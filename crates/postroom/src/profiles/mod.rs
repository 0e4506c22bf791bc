//! The tenant's profile in the database: imported from a file (validated first, stored in
//! one transaction), exported without secrets, seeded at start from `[inbound] profile`,
//! or the demo profile of `serve --sandbox`. The inbound workers read it from the
//! database, so every instance on one database uses the same rules.

pub mod export;
pub mod import;
pub mod mailboxes;

use std::sync::{Arc, PoisonError, RwLock};

use anyhow::Context;
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_core::tenant::TenantId;
use postroom_store::{Store, TenantStore};

use crate::config::Config;

/// The profile `serve --sandbox` uses when none is configured or stored.
const DEMO: &str = include_str!("demo.json");

/// The profile a long-running part (the SMTP listener) decides by, following imports made
/// while postroom runs: [`SharedProfile::follow`] swaps in each new stored version.
#[derive(Debug, Clone)]
pub struct SharedProfile {
    current: Arc<RwLock<(i64, Arc<CheckedProfile>)>>,
}

impl SharedProfile {
    /// Starts from `profile`, stored as `version` (0 when it is not stored: benchmarks).
    pub fn new(profile: CheckedProfile, version: i64) -> Self {
        Self {
            current: Arc::new(RwLock::new((version, Arc::new(profile)))),
        }
    }

    /// The profile in force now.
    pub fn get(&self) -> Arc<CheckedProfile> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .1,
        )
    }

    /// Rereads the tenant's stored profile whenever its version changes, every `every`.
    pub async fn follow(self, tenant: TenantStore, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let known = self
                .current
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            let stored = match tenant.profile_version().await {
                Ok(Some(v)) if v != known => tenant.profile().await,
                Ok(_) => continue,
                Err(e) => Err(e),
            };
            match stored.map(|s| s.map(|s| (s.version, read(&s.document, "stored")))) {
                Ok(Some((version, Ok(profile)))) => {
                    *self.current.write().unwrap_or_else(PoisonError::into_inner) =
                        (version, Arc::new(profile));
                    tracing::info!(version, "the listener follows the new profile");
                }
                Ok(Some((_, Err(e)))) => {
                    tracing::warn!(error = %format!("{e:#}"), "the stored profile is not valid");
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the stored profile"),
            }
        }
    }
}

/// Reads and checks a profile document (JSON or TOML); every mistake is listed with its path.
pub fn read(text: &str, origin: &str) -> anyhow::Result<CheckedProfile> {
    Profile::load(text).with_context(|| format!("profile {origin} is not valid"))
}

/// The demo profile, checked.
pub fn demo() -> anyhow::Result<CheckedProfile> {
    read(DEMO, "(built-in demo)")
}

/// `Err` naming each own address, domain or catch-all of `profile` that another tenant's
/// stored profile already claims: an own address belongs to one site only, so that the
/// listener can route every recipient to one tenant.
pub async fn owned_elsewhere(
    store: &Store,
    tenant: &TenantId,
    profile: &CheckedProfile,
) -> anyhow::Result<Result<(), String>> {
    let taken: Vec<String> = claimed_elsewhere(store, tenant, profile)
        .await?
        .into_iter()
        .map(|(own, other)| format!("own: {own} belongs to tenant {other}"))
        .collect();
    Ok(if taken.is_empty() {
        Ok(())
    } else {
        Err(taken.join("; "))
    })
}

/// Each own address, domain or catch-all of `profile` (as [`CheckedProfile::shared_own`]
/// names it) that another tenant's stored profile already claims, with that tenant.
pub async fn claimed_elsewhere(
    store: &Store,
    tenant: &TenantId,
    profile: &CheckedProfile,
) -> anyhow::Result<Vec<(String, TenantId)>> {
    let mut taken = Vec::new();
    for record in store.list_tenants().await? {
        if record.id == *tenant {
            continue;
        }
        let Some(stored) = store.tenant(&record.id).await?.profile().await? else {
            continue;
        };
        // Another tenant's profile that no longer reads cannot claim anything.
        let Ok(other) = read(&stored.document, "stored") else {
            continue;
        };
        taken.extend(
            profile
                .shared_own(&other)
                .into_iter()
                .map(|own| (own, record.id.clone())),
        );
    }
    Ok(taken)
}

/// Stores `profile` as the tenant's, as canonical JSON, saved by `saved_by` (`cli`,
/// `sandbox`: see [`postroom_store::profile_versions::ProfileVersion::saved_by`]); returns
/// the new version, kept with the others.
pub async fn store(
    tenant: &TenantStore,
    profile: &CheckedProfile,
    saved_by: &str,
    now_ms: i64,
) -> anyhow::Result<i64> {
    put(
        tenant,
        &serde_json::to_string_pretty(&profile.profile)?,
        saved_by,
        now_ms,
    )
    .await
}

async fn put(
    tenant: &TenantStore,
    document: &str,
    saved_by: &str,
    now_ms: i64,
) -> anyhow::Result<i64> {
    let mut tx = tenant.begin().await?;
    let version = tx.put_profile(document, saved_by, now_ms).await?;
    tx.commit().await?;
    Ok(version)
}

/// The profile `serve` runs with, as a [`SharedProfile`] at its stored version:
/// `[inbound] profile` when set (imported when it differs from the stored one), else the
/// stored one, else with `--sandbox` the demo profile (stored, so the workers use it too).
pub async fn for_serve(
    config: &Config,
    registry: &Store,
    tenant: &TenantStore,
    sandbox: bool,
    now_ms: i64,
) -> anyhow::Result<Option<SharedProfile>> {
    let current = tenant.profile().await?;
    if let Some(path) = &config.inbound.profile {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("inbound.profile: reading {}", path.display()))?;
        let profile = read(&text, &path.display().to_string())?;
        if let Err(taken) = owned_elsewhere(registry, tenant.id(), &profile).await? {
            anyhow::bail!("inbound.profile {}: {taken}", path.display());
        }
        let document = serde_json::to_string_pretty(&profile.profile)?;
        let version = match current {
            Some(c) if c.document == document => c.version,
            _ => {
                let version = put(tenant, &document, "config", now_ms).await?;
                tracing::info!(version, "profile imported from inbound.profile");
                version
            }
        };
        return Ok(Some(SharedProfile::new(profile, version)));
    }
    if let Some(stored) = current {
        let profile = read(&stored.document, "stored in the database")?;
        return Ok(Some(SharedProfile::new(profile, stored.version)));
    }
    if sandbox {
        let profile = demo()?;
        let version = store(tenant, &profile, "sandbox", now_ms).await?;
        eprintln!(
            "postroom: demo profile stored: mail to support@example.com becomes an issue in project SUP"
        );
        return Ok(Some(SharedProfile::new(profile, version)));
    }
    Ok(None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_profile_is_valid_and_routes_support_mail_to_sup() {
        let demo = demo().unwrap();
        let own = postroom_core::message::EmailAddress::parse("support@example.com").unwrap();
        assert!(demo.is_own(&own));
        assert_eq!(demo.profile.default.project.as_deref(), Some("SUP"));
        assert!(!demo.profile.own.accept_any_recipient);
    }
}
