//! Wiring of the console: its settings from the configuration, one-time sign-in links, and
//! the hourly purge of ended sessions.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use postroom_core::tenant::TenantId;
use postroom_store::TenantStore;
use postroom_store::console::SessionPolicy;

use crate::config::{Config, OauthProvider, Secret};
use crate::http::{ConsoleSettings, OauthClient};
use crate::{app, sandbox};

/// The address people reach this instance at: `http.public_url`, else the listener's.
pub fn public_url(config: &Config, bound: SocketAddr) -> String {
    match &config.http.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", sandbox::loopback(bound)),
    }
}

/// The console's settings. The OAuth sign-in is `[console.oauth]`'s; under `--sandbox`
/// without one, the sandbox's own OAuth app, so that signing in through Jira can be tried.
pub fn settings(
    config: &Config,
    bound: SocketAddr,
    sandbox: Option<&sandbox::Embedded>,
    listeners: Vec<(String, String)>,
) -> anyhow::Result<ConsoleSettings> {
    let public_url = public_url(config, bound);
    let oauth = &config.console.oauth;
    let http = || {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("cannot make the HTTP client of the console's sign-in")
    };
    let client = match (&oauth.client_id, sandbox) {
        (Some(client_id), _) => {
            let secret = oauth.client_secret.clone().context(
                "console.oauth.client_id is set but no console.oauth.client_secret_file",
            )?;
            let site_url = config
                .jira
                .url
                .clone()
                .context("console.oauth needs jira.url: people sign in to that site")?;
            let endpoints = oauth.endpoints(&site_url);
            Some(OauthClient {
                provider: oauth.provider,
                client_id: client_id.clone(),
                client_secret: secret,
                authorize_url: endpoints.authorize,
                token_url: endpoints.token,
                resources_url: endpoints.resources,
                me_url: endpoints.me,
                redirect_uri: format!("{public_url}/auth/callback"),
                tenant: TenantId::default_tenant(),
                site_url,
                http: http()?,
            })
        }
        (None, Some(sandbox)) => {
            let base = sandbox.base_url();
            Some(OauthClient {
                provider: OauthProvider::Atlassian,
                client_id: jira_sandbox::OAUTH_CLIENT_ID.to_owned(),
                client_secret: Secret::new(jira_sandbox::OAUTH_CLIENT_SECRET),
                authorize_url: format!("{base}/oauth/authorize"),
                token_url: format!("{base}/oauth/token"),
                resources_url: Some(format!("{base}/oauth/token/accessible-resources")),
                me_url: format!("{base}/me"),
                redirect_uri: format!("{public_url}/auth/callback"),
                tenant: TenantId::default_tenant(),
                site_url: base.to_owned(),
                http: http()?,
            })
        }
        (None, None) => None,
    };
    let minute = 60 * 1000;
    let idle = i64::try_from(config.console.session_idle_minutes).unwrap_or(i64::MAX);
    let max_hours = i64::try_from(config.console.session_max_hours).unwrap_or(12);
    Ok(ConsoleSettings {
        policy: SessionPolicy::new(idle.saturating_mul(minute), max_hours * 60 * minute),
        secure_cookies: public_url.starts_with("https://"),
        public_url,
        oauth: client.map(Arc::new),
        listeners,
        check_every_ms: i64::try_from(config.console.session_check_minutes)
            .unwrap_or(i64::MAX)
            .saturating_mul(minute),
    })
}

/// A one-time sign-in URL for `account_id`. The token is in the URL's fragment, which
/// browsers never send to a server, so it cannot reach an access log or a proxy's.
pub async fn sign_in_link(
    tenant: &TenantStore,
    public_url: &str,
    account_id: &str,
) -> anyhow::Result<String> {
    let token = tenant
        .console()
        .create_link(account_id, app::now_ms())
        .await
        .context("cannot store the sign-in link")?;
    Ok(format!("{public_url}/#/link/{}", token.expose()))
}

/// Deletes ended sessions and expired links, every hour, for as long as the server runs.
pub async fn purge_forever(store: postroom_store::Store, idle_ms: i64) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match store.purge_console(app::now_ms(), idle_ms).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "ended console sessions purged"),
            Err(e) => tracing::warn!(error = %e, "cannot purge console sessions"),
        }
    }
}
