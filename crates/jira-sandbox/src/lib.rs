//! # jira-sandbox: a Jira REST emulator for postroom
//!
//! Jira cannot run on our machines, so postroom's tests, benchmarks and first-time users run
//! against this emulator. It behaves like Jira Cloud (REST v3, ADF bodies) and Data Center
//! (REST v2, wiki strings) wherever postroom depends on Jira: status codes, the
//! `errorMessages`/`errors` body, ADF validation, JQL, 429s with `Retry-After`, webhooks,
//! Forge app tokens; [`ForgePlatform`] plays the Forge platform itself. Deviations are listed in the crate's README.
//!
//! ## In-process, for tests
//! ```no_run
//! # async fn demo() -> Result<(), jira_sandbox::SandboxError> {
//! use jira_sandbox::{FaultConfig, Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?; // 127.0.0.1:0
//! let base = sandbox.base_url.clone();          // http://127.0.0.1:PORT
//! let auth = sandbox.admin().basic_header();    // admin@example.com : "sandbox"
//! sandbox.handle.set_faults(FaultConfig { index_lag_ms: 2000, ..Default::default() });
//! // ... point the client under test at `base` with `auth` ...
//! assert_eq!(sandbox.handle.stats().effect("issue_created"), 0);
//! sandbox.shutdown().await;
//! # let _ = (base, auth); Ok(()) }
//! ```
//!
//! ## Mounted, for `postroom serve --sandbox`
//! Build a [`SandboxHandle`] with the public base URL it will have, and nest its router:
//! `Router::new().nest("/sandbox/jira", handle.router())`, with
//! `state_file: Some("./data/sandbox.json".into())`. Serve with
//! `into_make_service_with_connect_info::<SocketAddr>()`: credentials are accepted from
//! loopback peers only, and without the peer address every request is refused.

mod adf;
mod app;
mod auth;
mod config;
mod error;
mod faults;
mod forge;
mod jql;
mod middleware;
mod render;
mod richtext;
mod routes;
mod state;
mod stats;
mod time;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use adf::validate as validate_adf;
pub use config::{RetryPolicy, SandboxConfig};
pub use error::{ApiError, SandboxError};
pub use faults::FaultConfig;
pub use forge::{
    CONSOLE_RESOURCE, DELIVERY_RETRIES, DELIVERY_TIMEOUT, Delivery, EVENTS_PATH, ForgePlatform,
    LIFECYCLE_PATH, PICKER_RESOURCE, ResourceFiles, SCHEDULE_PATH, SYSTEM_TOKEN_TTL,
    UI_INVOCATION_TIMEOUT,
};
pub use state::seed::{
    ADMIN_ACCOUNT_ID, ADMIN_EMAIL, ADMIN_PAT, AGENT_ACCOUNT_ID, AGENT_EMAIL, AGENT_PAT, API_TOKEN,
    DEVELOPER_ACCOUNT_ID, DEVELOPER_EMAIL, EMAIL_PARTICIPANTS_FIELD, OAUTH_CLIENT_ID,
    OAUTH_CLIENT_SECRET, OTHER_CLOUD_ID, OTHER_SITE_URL, OUTSIDER_ACCOUNT_ID, OUTSIDER_EMAIL,
    SANDBOX_CLOUD_ID,
};
pub use stats::{LoggedRequest, StatsSnapshot};
pub use webhooks::signature as webhook_signature;

use app::{App, Inner};
use state::Store;

/// A site where the Forge app was installed: what Forge's invocation tokens name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeSite {
    /// `ari:cloud:ecosystem::installation/UUID`.
    pub installation_id: String,
    pub cloud_id: String,
    /// Where the app's tokens reach the site's REST API (the site's base URL here; the
    /// gateway's `https://api.atlassian.com/ex/jira/{cloudId}` on Jira Cloud).
    pub api_base_url: String,
    /// The app's own account on the site.
    pub app_account_id: String,
}

/// A random id in the shape of a UUID (version 4 bits set), for installation and app ids.
pub fn uuid_like() -> String {
    let b: [u8; 16] = rand::random();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]]),
    )
}

/// Login details of a seeded account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// E-mail (the Basic auth user name).
    pub email: String,
    /// API token (the Basic auth password).
    pub api_token: String,
    /// Personal access token (Bearer).
    pub pat: String,
    /// Atlassian account id.
    pub account_id: String,
}

impl Credentials {
    /// `Basic base64(email:token)`, ready for an `Authorization` header.
    pub fn basic_header(&self) -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", self.email, self.api_token))
        )
    }

    /// The seeded site administrator.
    pub fn admin() -> Self {
        Self {
            email: ADMIN_EMAIL.into(),
            api_token: API_TOKEN.into(),
            pat: ADMIN_PAT.into(),
            account_id: ADMIN_ACCOUNT_ID.into(),
        }
    }

    /// The seeded agent.
    pub fn agent() -> Self {
        Self {
            email: AGENT_EMAIL.into(),
            api_token: API_TOKEN.into(),
            pat: AGENT_PAT.into(),
            account_id: AGENT_ACCOUNT_ID.into(),
        }
    }
}

/// Entry points (a namespace; see the crate docs).
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Binds `config.listen` and serves a site there until [`RunningSandbox::shutdown`].
    pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: config.listen.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
        let handle = SandboxHandle::new(config, format!("http://{addr}"))?;
        let router = handle.router();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            let served = axum::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(RunningSandbox {
            base_url: handle.base_url().to_owned(),
            addr,
            handle,
            stop: Some(stop),
            task,
        })
    }
}

/// A site and its control handles, independent of how it is served.
#[derive(Debug, Clone)]
pub struct SandboxHandle {
    app: App,
}

impl SandboxHandle {
    /// A site whose `self` links use `base_url` (no trailing slash). Loads
    /// `config.state_file` if it exists, else seeds a new site.
    pub fn new(config: SandboxConfig, base_url: String) -> Result<Self, SandboxError> {
        let mut site = match &config.state_file {
            Some(path) => Store::open(path)?,
            None => state::seed::seed(),
        };
        for key in &config.indexed_properties {
            if !site.indexed_properties.contains(key) {
                site.indexed_properties.push(key.clone());
            }
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(SandboxError::HttpClient)?;
        let inner = Inner {
            store: Store::new(site, config.state_file.clone()),
            faults: faults::Faults::new(config.faults.clone()),
            stats: stats::Stats::default(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            config,
            http,
        };
        Ok(Self {
            app: App(Arc::new(inner)),
        })
    }

    /// The site's router (REST, servicedeskapi, admin webhooks, OAuth, `/_sandbox`).
    pub fn router(&self) -> Router {
        routes::router(self.app.clone())
    }

    /// The public base URL.
    pub fn base_url(&self) -> &str {
        &self.app.base_url
    }

    /// Replaces the active faults (an `outage_ms` starts now).
    pub fn set_faults(&self, faults: FaultConfig) {
        self.app.faults.set(faults);
    }

    /// Counters since start or the last reset.
    pub fn stats(&self) -> StatsSnapshot {
        self.app.stats.snapshot()
    }

    /// The request log (the last 200,000 requests), oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.app.stats.requests()
    }

    /// Zeroes the counters and empties the request log.
    pub fn reset_stats(&self) {
        self.app.stats.reset();
    }

    /// Installs the Forge app `app_id` on this site under a new installation id, as the
    /// Forge platform does when an administrator installs the app.
    pub fn install_forge_app(&self, app_id: &str) -> ForgeSite {
        let installation_id = format!("ari:cloud:ecosystem::installation/{}", uuid_like());
        let account_id = self
            .app
            .store
            .write()
            .install_forge_app(app_id, &installation_id);
        self.app.store.persist();
        ForgeSite {
            installation_id,
            cloud_id: self.app.config.cloud_id.clone(),
            api_base_url: self.app.base_url.clone(),
            app_account_id: account_id,
        }
    }

    /// This site's installation of the Forge app `app_id`, if it has one.
    pub fn forge_installation(&self, app_id: &str) -> Option<ForgeSite> {
        let site = self.app.store.read();
        let install = site
            .forge
            .installations
            .iter()
            .find(|i| i.app_id == app_id)?;
        Some(ForgeSite {
            installation_id: install.installation_id.clone(),
            cloud_id: self.app.config.cloud_id.clone(),
            api_base_url: self.app.base_url.clone(),
            app_account_id: install.account_id.clone(),
        })
    }

    /// Installs the app again under an installation id it had before (a reinstall).
    pub fn reinstall_forge_app(&self, app_id: &str, installation_id: &str) {
        self.app
            .store
            .write()
            .install_forge_app(app_id, installation_id);
        self.app.store.persist();
    }

    /// Uninstalls a Forge installation: its tokens are refused from now on.
    pub fn uninstall_forge_app(&self, installation_id: &str) {
        self.app.store.write().uninstall_forge_app(installation_id);
        self.app.store.persist();
    }

    /// A token for `installation_id` valid for `ttl`, as Forge hands one to a remote with
    /// an invocation (`x-forge-oauth-system`, or `x-forge-oauth-user` when `user` names an
    /// account). Returns the token and its expiry (epoch ms); `None` when the app is not
    /// installed here.
    pub fn grant_forge_token(
        &self,
        installation_id: &str,
        user: Option<&str>,
        ttl: std::time::Duration,
    ) -> Option<(String, i64)> {
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let expires_ms = time::now_ms().saturating_add(ttl_ms);
        // Atlassian's tokens are JWTs whose `exp` says when they end; the site keeps the
        // token itself, so its signature here only has to be well formed.
        let secret = routes::oauth::random_token("");
        let claims = serde_json::json!({
            "exp": expires_ms / 1000,
            "jti": routes::oauth::random_token(""),
            "sub": user.unwrap_or("app"),
        });
        let token = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .ok()?;
        self.app.store.write().grant_forge_token(
            installation_id,
            user,
            token.clone(),
            expires_ms,
        )?;
        self.app.store.persist();
        Some((token, expires_ms))
    }

    /// Ends every token of `installation_id` now, as if they had run out.
    pub fn expire_forge_tokens(&self, installation_id: &str) {
        let now = time::now_ms();
        let mut site = self.app.store.write();
        for grant in site.forge.tokens.values_mut() {
            if grant.installation_id == installation_id {
                grant.expires_ms = grant.expires_ms.min(now - 1);
            }
        }
        drop(site);
        self.app.store.persist();
    }

    /// The site's cloud id.
    pub fn cloud_id(&self) -> &str {
        &self.app.config.cloud_id
    }

    /// Registers an admin webhook (as `POST /rest/webhooks/1.0/webhook` would), signed with
    /// `secret` when given. Idempotent per URL, so a demo that re-registers its receiver at
    /// every start (with a new secret) keeps one webhook. Returns its id, or `None` if the
    /// URL is not loopback.
    pub fn register_webhook(
        &self,
        url: &str,
        events: &[&str],
        jql: Option<&str>,
        secret: Option<&str>,
    ) -> Option<u64> {
        if !webhooks::is_loopback_url(url) {
            return None;
        }
        let id = {
            let mut site = self.app.store.write();
            let existing = site
                .webhooks
                .iter()
                .find(|w| !w.dynamic && w.url == url)
                .map(|w| w.id);
            site.webhooks.retain(|w| w.dynamic || w.url != url);
            let id = existing.unwrap_or_else(|| state::Site::take_id(&mut site.next_ids.webhook));
            site.webhooks.push(state::model::Webhook {
                id,
                name: format!("webhook {id}"),
                url: url.into(),
                events: events.iter().map(|e| (*e).to_owned()).collect(),
                jql: jql.map(str::to_owned),
                secret: secret.map(str::to_owned),
                dynamic: false,
            });
            id
        };
        self.app.store.persist();
        Some(id)
    }
}

/// A sandbox serving on a socket.
#[derive(Debug)]
pub struct RunningSandbox {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Bound address.
    pub addr: SocketAddr,
    /// Faults, stats and setup.
    pub handle: SandboxHandle,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningSandbox {
    /// The seeded administrator's credentials.
    pub fn admin(&self) -> Credentials {
        Credentials::admin()
    }

    /// The seeded agent's credentials.
    pub fn agent(&self) -> Credentials {
        Credentials::agent()
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// What `postroom sandbox --http` prints: base URL, REST roots and credentials.
    pub fn banner(&self) -> String {
        let (admin, agent) = (self.admin(), self.agent());
        format!(
            "Jira sandbox at {base}\n  REST: {base}/rest/api/3 (ADF), {base}/rest/api/2 (wiki)\n  \
             admin: {} / API token {} (PAT {})\n  agent: {} / API token {} (PAT {})\n  \
             OAuth client: {OAUTH_CLIENT_ID} / {OAUTH_CLIENT_SECRET} at {base}{}\n  \
             faults: {base}/_sandbox/faults, stats: {base}/_sandbox/stats (admin only)",
            admin.email,
            admin.api_token,
            admin.pat,
            agent.email,
            agent.api_token,
            agent.pat,
            self.handle.app.config.oauth_token_path,
            base = self.base_url,
        )
    }

    /// Serves until the process ends (for `postroom sandbox --http`).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}
