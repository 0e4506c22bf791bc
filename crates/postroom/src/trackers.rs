//! The Jira client of each tenant, built from the `[jira]` configuration and connected on
//! first use (so that `serve --sandbox` can point at a sandbox that starts listening only
//! after the router is built), plus the short-lived cache of callers' facts they share.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use postroom_core::tenant::TenantId;
use postroom_engine::responses::FactsCache;
use postroom_jira::{AppBudget, Auth, JiraClient, JiraConfig, OAuthTokens, Secret};
use tokio::sync::OnceCell;

use crate::config::{self, JiraAuth};

/// The client settings for `jira` (the `[jira]` section); `tenant` is the site's label in metrics.
pub fn client_config(jira: &config::JiraConfig, tenant: &str) -> anyhow::Result<JiraConfig> {
    let url = jira
        .url
        .clone()
        .context("no Jira configured: set jira.url in postroom.toml")?;
    let token = jira
        .token
        .as_ref()
        .map(|t| Secret::new(t.expose()))
        .context("no Jira credential: set jira.token_file (or jira.token)")?;
    let auth = match jira.auth {
        JiraAuth::ApiToken => Auth::ApiToken {
            email: jira
                .email
                .clone()
                .context("API-token auth needs jira.email")?,
            token,
        },
        JiraAuth::Pat => Auth::PersonalAccessToken(token),
        JiraAuth::Oauth => Auth::OAuth(OAuthTokens {
            access_token: token,
            refresh_token: None,
            client_id: String::new(),
            client_secret: Secret::new(""),
            token_url: String::new(),
        }),
    };
    build(jira, url, auth, tenant)
}

/// The client settings of a site reached through the Forge app: its API base URL, the
/// app's system token, `[jira]`'s politeness like every site, and the app's hourly budget
/// that all Forge sites share.
pub fn forge_client_config(
    jira: &config::JiraConfig,
    api_base_url: &str,
    auth: Auth,
    tenant: &str,
    app_budget: &Arc<AppBudget>,
) -> anyhow::Result<JiraConfig> {
    let mut config = build(jira, api_base_url.to_owned(), auth, tenant)?;
    config.app_budget = Some(Arc::clone(app_budget));
    Ok(config)
}

fn build(
    jira: &config::JiraConfig,
    url: String,
    auth: Auth,
    tenant: &str,
) -> anyhow::Result<JiraConfig> {
    let mut client_config = JiraConfig::new(url, auth);
    client_config.tenant = tenant.to_owned();
    if let Some(rate) = jira.requests_per_sec {
        anyhow::ensure!(
            rate.is_finite() && rate > 0.0,
            "jira.requests_per_sec must be a positive number, not {rate}"
        );
    }
    let start = jira.start_rate;
    anyhow::ensure!(
        start.is_finite() && start > 0.0,
        "jira.start_rate must be a positive number, not {start}"
    );
    anyhow::ensure!(
        jira.max_concurrency > 0,
        "jira.max_concurrency must be at least 1"
    );
    client_config.politeness.requests_per_sec = jira.requests_per_sec;
    client_config.politeness.start_rate = start;
    client_config.politeness.max_concurrency = jira.max_concurrency;
    client_config.index_lag_allowance = Duration::from_secs(jira.index_lag_allowance_secs);
    client_config.unknown_outcome_max = Duration::from_secs(jira.unknown_outcome_max_secs);
    Ok(client_config)
}

/// One tenant's Jira: its settings, and the client once connected.
#[derive(Debug)]
pub struct TenantJira {
    config: JiraConfig,
    client: OnceCell<JiraClient>,
}

impl TenantJira {
    /// The site's base URL, for links to issues.
    pub fn site_url(&self) -> &str {
        &self.config.base_url
    }

    /// The connected client; connects (and detects the dialect) on first use.
    pub async fn client(&self) -> Result<&JiraClient, postroom_core::ports::tracker::TrackerError> {
        self.client
            .get_or_try_init(|| JiraClient::connect(self.config.clone()))
            .await
    }
}

/// The Jira of every tenant that has one, and the facts cache of canned responses.
#[derive(Debug, Clone, Default)]
pub struct Trackers {
    sites: Arc<RwLock<HashMap<TenantId, Arc<TenantJira>>>>,
    facts: Arc<FactsCache>,
}

impl Trackers {
    /// Registers (or replaces) the Jira of `tenant`.
    pub fn insert(&self, tenant: TenantId, config: JiraConfig) {
        let site = Arc::new(TenantJira {
            config,
            client: OnceCell::new(),
        });
        self.sites
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(tenant, site);
    }

    /// Forgets the Jira of `tenant` (removed, or left without a site), and its prepared
    /// search index.
    pub fn remove(&self, tenant: &TenantId) {
        self.facts.indexes().forget(tenant.as_str());
        self.sites
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(tenant);
    }

    /// The Jira of `tenant`, `None` when it has none configured.
    pub fn get(&self, tenant: &TenantId) -> Option<Arc<TenantJira>> {
        self.sites
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(tenant)
            .cloned()
    }

    /// The shared cache of callers' Jira facts.
    pub fn facts(&self) -> &FactsCache {
        &self.facts
    }
}

impl postroom_engine::inbound::Sites for Trackers {
    type Tracker = JiraClient;

    async fn tracker(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<JiraClient>, postroom_core::ports::tracker::TrackerError> {
        let Some(site) = self.get(tenant) else {
            return Ok(None);
        };
        Ok(Some(site.client().await?.clone()))
    }

    fn issue_link(&self, tenant: &TenantId, issue_key: &str) -> Option<String> {
        self.get(tenant)
            .map(|site| format!("{}/browse/{issue_key}", site.site_url()))
    }
}
