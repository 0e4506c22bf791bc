//! The Jira sites this instance serves, one per tenant.
//!
//! The tenant `default` may take its site from `[jira]` of `postroom.toml` (one self-hosted
//! site, as before tenants could be added). Every other tenant, and `default` when `[jira]`
//! names no site, keeps its site in the store: URL, auth kind and account in the registry,
//! the credential and the webhook secret sealed with the tenant's own key
//! (`postroom tenant add|set|webhook-secret`).

use anyhow::Context;
use postroom_core::tenant::TenantId;
use postroom_store::crypto::Keyring;
use postroom_store::{SiteSecret, Store, TenantRecord, TenantStore};

use crate::config::{self, Config, JiraAuth, Secret};

/// Where a tenant's site comes from, as `tenant list` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteSource {
    /// `[jira]` of the configuration (the tenant `default` only).
    Config,
    /// The store, with its credential sealed there.
    Store,
    /// No site: mail is taken in and held.
    None,
}

/// The `[jira]` settings postroom reaches `tenant`'s site with: the configuration's for
/// `default` when it names a site, else the tenant's stored site with its credential
/// opened, else `None`. The request budget and timings are the configuration's for every
/// site; each site gets its own client, so each has its own budget.
pub async fn jira_settings(
    config: &Config,
    keyring: &Keyring,
    tenant: &TenantStore,
) -> anyhow::Result<Option<config::JiraConfig>> {
    if source_of_config(config, tenant.id()) == SiteSource::Config {
        return Ok(Some(config.jira.clone()));
    }
    let record = tenant.record().await?;
    if record.jira.auth.as_deref() == Some(postroom_store::forge::FORGE_AUTH) {
        anyhow::bail!(
            "tenant {} is a Jira Cloud site that installed postroom's Forge app: only `serve` \
             reaches it, with the token Forge hands over",
            tenant.id()
        );
    }
    let Some(url) = record.jira.url.clone() else {
        return Ok(None);
    };
    let auth = record
        .jira
        .auth
        .as_deref()
        .and_then(JiraAuth::parse)
        .with_context(|| format!("tenant {}: its Jira auth kind is not known", tenant.id()))?;
    let cipher = keyring.cipher(tenant).await?;
    let token = tenant
        .secret(&cipher, SiteSecret::JiraCredential)
        .await
        .with_context(|| format!("tenant {}: cannot open its Jira credential", tenant.id()))?;
    let Some(token) = token else {
        tracing::warn!(tenant = %tenant.id(), "the tenant's site has no credential: set one with `postroom tenant set NAME --token-file F`");
        return Ok(None);
    };
    Ok(Some(config::JiraConfig {
        url: Some(url),
        auth,
        email: record.jira.account.clone(),
        token: Some(Secret::new(token)),
        token_file: None,
        ..config.jira.clone()
    }))
}

/// The same for a tenant named by the global `--tenant`, for commands that talk to one
/// site (`jira check`, `template`, `profile import`).
pub async fn jira_settings_of(
    config: &Config,
    store: &Store,
    tenant: &TenantId,
) -> anyhow::Result<Option<config::JiraConfig>> {
    if source_of_config(config, tenant) == SiteSource::Config {
        return Ok(Some(config.jira.clone()));
    }
    let (keyring, _) = crate::keys::open_keyring(config)?;
    jira_settings(config, &keyring, &store.tenant(tenant).await?).await
}

/// Where `record`'s site comes from.
pub fn source_of(config: &Config, record: &TenantRecord) -> SiteSource {
    match source_of_config(config, &record.id) {
        SiteSource::Config => SiteSource::Config,
        _ if record.jira.url.is_some() => SiteSource::Store,
        _ => SiteSource::None,
    }
}

fn source_of_config(config: &Config, tenant: &TenantId) -> SiteSource {
    if *tenant == TenantId::default_tenant() && config.jira.url.is_some() {
        SiteSource::Config
    } else {
        SiteSource::None
    }
}

/// A tenant's webhook secret: `[webhooks] secret_file` for `default` when set, else the
/// one sealed in the store (`postroom tenant webhook-secret`).
pub async fn webhook_secret(
    config_secret: Option<&Secret>,
    keyring: &Keyring,
    tenant: &TenantStore,
) -> anyhow::Result<Option<Secret>> {
    if let Some(secret) = config_secret {
        return Ok(Some(secret.clone()));
    }
    let cipher = keyring.cipher(tenant).await?;
    Ok(tenant
        .secret(&cipher, SiteSecret::WebhookSecret)
        .await?
        .map(Secret::new))
}
