//! An in-process postroom for the console's tests: the HTTP edge on a real SQLite store, the
//! tenant `default` on a Jira sandbox (with a project administrator added), and the
//! console's OAuth sign-in pointed at the sandbox's authorize and token endpoints; more
//! sites can be added as tenants on sandboxes of their own. Each test file uses part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use jira_sandbox::{ADMIN_ACCOUNT_ID, AGENT_ACCOUNT_ID, Credentials, RunningSandbox, Sandbox};
use postroom::config::OauthProvider;
use postroom::http::{self, AppState, ConsoleSettings, OauthClient, Readiness};
use postroom::trackers::Trackers;
use postroom_core::ports::tracker::Dialect;
use postroom_core::tenant::TenantId;
use postroom_jira::{Auth, JiraConfig, Secret};
use postroom_store::JiraConnection;
use postroom_store::console::SignInVia;
use postroom_store::testing::{self, TestStore};
use postroom_store::tokens::{ApiTokens, Scope};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

/// The roles the console knows, with an account of each in the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Admin,
    ProjectAdmin,
    Agent,
}

/// What some tests set up beyond the usual: how mail leaves (`[outbound]`, the sandbox's
/// files or none) and the webhook secrets of the configuration.
#[derive(Default)]
pub struct Extras {
    pub outbound: postroom::outbound::OutboundSetup,
    pub webhook_secrets: std::collections::HashMap<TenantId, postroom::config::Secret>,
    /// The instance's configuration the profile and mailbox routes read (`[[mailboxes]]`,
    /// `console.oauth_google`); default when `None`.
    pub config: Option<postroom::config::Config>,
}

pub struct Console {
    pub base: String,
    pub sandbox: RunningSandbox,
    pub store: TestStore,
    pub project_admin: String,
    pub http: reqwest::Client,
    /// Each tenant's Jira, shared with the server: [`Console::add_site`] adds to it.
    pub trackers: Trackers,
    /// The server's intake (its keyring and blob store), for tests that seal data.
    pub intake: postroom_engine::intake::Intake,
    /// Every path the router serves, as [`served_paths`] reads them.
    pub paths: Vec<String>,
    _keys: tempfile::TempDir,
}

impl Console {
    /// Signing in through the sandbox as Atlassian's 3LO.
    pub async fn start() -> Self {
        Self::start_with(OauthProvider::Atlassian).await
    }

    /// Signing in through the sandbox as `provider` (its Data Center paths for Data Center).
    pub async fn start_with(provider: OauthProvider) -> Self {
        Self::start_on(provider, testing::sqlite().await.unwrap()).await
    }

    /// Like [`Console::start`], with `usage.flags` set to `usage_flags`.
    pub async fn start_flags(usage_flags: bool) -> Self {
        Self::start_full(
            OauthProvider::Atlassian,
            testing::sqlite().await.unwrap(),
            usage_flags,
            ConsoleSettings::default().check_every_ms,
            Extras::default(),
        )
        .await
    }

    /// Like [`Console::start`], with how mail leaves and the configured webhook secrets
    /// as `extras` say.
    pub async fn start_extras(extras: Extras) -> Self {
        Self::start_full(
            OauthProvider::Atlassian,
            testing::sqlite().await.unwrap(),
            true,
            ConsoleSettings::default().check_every_ms,
            extras,
        )
        .await
    }

    /// Like [`Console::start_with`], on `store` (a database of any backend).
    pub async fn start_on(provider: OauthProvider, store: TestStore) -> Self {
        Self::start_full(
            provider,
            store,
            true,
            ConsoleSettings::default().check_every_ms,
            Extras::default(),
        )
        .await
    }

    /// Signing in through the sandbox as `provider`, with a session's grant confirmed by
    /// the provider on every request (`console.session_check_minutes = 0`).
    pub async fn start_checking_grants(provider: OauthProvider) -> Self {
        Self::start_full(
            provider,
            testing::sqlite().await.unwrap(),
            true,
            0,
            Extras::default(),
        )
        .await
    }

    async fn start_full(
        provider: OauthProvider,
        store: TestStore,
        usage_flags: bool,
        check_every_ms: i64,
        extras: Extras,
    ) -> Self {
        let sandbox = Sandbox::start(jira_sandbox::SandboxConfig::default())
            .await
            .unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let admin = sandbox.admin().basic_header();
        let made: Value = http
            .post(format!("{}/_sandbox/accounts", sandbox.base_url))
            .header("Authorization", admin)
            .json(
                &json!({"email": "lead@example.com", "displayName": "Project Lead",
                          "roles": ["Administrators", "Service Desk Team"]}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let project_admin = made["accountId"].as_str().unwrap().to_owned();
        store
            .store
            .ensure_tenant(&TenantId::default_tenant(), &JiraConnection::default(), 1)
            .await
            .unwrap();
        let trackers = Trackers::default();
        trackers.insert(TenantId::default_tenant(), jira_config(&sandbox));
        let keys = tempfile::tempdir().unwrap();
        let intake = postroom_engine::intake::Intake::new(
            postroom_store::crypto::Keyring::new(
                postroom_store::crypto::KeyVault::new(keys.path()),
                postroom_store::crypto::MasterKey::generate(),
                None,
            ),
            postroom_store::blobs::BlobStore::open(&postroom_store::blobs::BlobConfig::Memory)
                .unwrap(),
            1 << 20,
        );
        let webhooks = http::WebhookReceiver {
            intake: postroom_engine::webhooks::Webhooks::new(
                store.store.clone(),
                intake.keyring().clone(),
                intake.committed(),
            ),
            secrets: http::WebhookSecrets::new(
                extras.webhook_secrets,
                store.store.clone(),
                intake.keyring().clone(),
            ),
            max_body_bytes: 1 << 20,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let sb = &sandbox.base_url;
        let mut settings = postroom::config::OauthConfig {
            provider,
            ..Default::default()
        };
        if provider == OauthProvider::Atlassian {
            settings.authorize_url = Some(format!("{sb}/oauth/authorize"));
            settings.token_url = Some(format!("{sb}/oauth/token"));
            settings.resources_url = Some(format!("{sb}/oauth/token/accessible-resources"));
            settings.me_url = Some(format!("{sb}/me"));
        }
        let endpoints = settings.endpoints(sb);
        let oauth = OauthClient {
            provider,
            client_id: jira_sandbox::OAUTH_CLIENT_ID.to_owned(),
            client_secret: postroom::config::Secret::new(jira_sandbox::OAUTH_CLIENT_SECRET),
            authorize_url: endpoints.authorize,
            token_url: endpoints.token,
            resources_url: endpoints.resources,
            me_url: endpoints.me,
            redirect_uri: format!("{base}/auth/callback"),
            tenant: TenantId::default_tenant(),
            site_url: sb.clone(),
            http: reqwest::Client::new(),
        };
        let router = http::router(AppState {
            store: store.store.clone(),
            readiness: Arc::new(Readiness::expecting(&[])),
            intake: intake.clone(),
            trackers: trackers.clone(),
            upload_store_raw: true,
            retention: postroom_engine::retention::Policy::uniform(30),
            webhooks,
            metrics: http::MetricsAccess::default(),
            console: ConsoleSettings {
                public_url: base.clone(),
                oauth: Some(Arc::new(oauth)),
                listeners: vec![("http".to_owned(), addr.to_string())],
                check_every_ms,
                ..ConsoleSettings::default()
            },
            trusted_proxies: Vec::new().into(),
            forge: None,
            usage_flags,
            operator_events: false,
            backups: None,
            outbound: extras.outbound,
            profile: http::ProfileEdge {
                outbound: true,
                config: Arc::new(extras.config.unwrap_or_default()),
                ..Default::default()
            },
        });
        let paths = served_paths(&router);
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .ok();
        });
        Self {
            base,
            sandbox,
            store,
            project_admin,
            http,
            trackers,
            intake,
            paths,
            _keys: keys,
        }
    }

    /// Another Jira site: tenant `name` on a sandbox of its own, which is returned.
    pub async fn add_site(&self, name: &str) -> RunningSandbox {
        let sandbox = Sandbox::start(jira_sandbox::SandboxConfig::default())
            .await
            .unwrap();
        let tenant = TenantId::parse(name).unwrap();
        self.store
            .store
            .ensure_tenant(&tenant, &JiraConnection::default(), 1)
            .await
            .unwrap();
        self.trackers.insert(tenant, jira_config(&sandbox));
        sandbox
    }

    /// A new admin API token of tenant `name` for the sandbox's administrator.
    /// Replaces the default site's client with one paced by `politeness`.
    pub fn pace_default_site(&self, politeness: postroom_jira::Politeness) {
        let mut config = jira_config(&self.sandbox);
        config.politeness = politeness;
        self.trackers.insert(TenantId::default_tenant(), config);
    }

    pub async fn admin_token(&self, name: &str) -> String {
        let tenant = self
            .store
            .store
            .tenant(&TenantId::parse(name).unwrap())
            .await
            .unwrap();
        let (_, secret) = ApiTokens::new(tenant)
            .create(ADMIN_ACCOUNT_ID, "test", Scope::Admin, 1)
            .await
            .unwrap();
        secret.expose().to_owned()
    }

    pub fn account(&self, who: Who) -> &str {
        match who {
            Who::Admin => ADMIN_ACCOUNT_ID,
            Who::ProjectAdmin => &self.project_admin,
            Who::Agent => AGENT_ACCOUNT_ID,
        }
    }

    /// The store of the tenant `default`.
    pub async fn tenant(&self) -> postroom_store::TenantStore {
        self.store
            .store
            .tenant(&TenantId::default_tenant())
            .await
            .unwrap()
    }

    /// A fresh session of `who`: its cookie header and its CSRF token.
    pub async fn session(&self, who: Who) -> (String, String) {
        let tenant = self.tenant().await;
        let (secret, _) = tenant
            .console()
            .start_session(
                self.account(who),
                SignInVia::Link,
                ConsoleSettings::default().policy,
                postroom::app::now_ms(),
            )
            .await
            .unwrap();
        let cookie = format!("postroom_session={}", secret.expose());
        let body: Value = self
            .get(&format!("{}/api/v1/session", self.base), &cookie)
            .await
            .json()
            .await
            .unwrap();
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();
        (cookie, csrf)
    }

    /// GET `url` with the session `cookie` (`postroom_session=…`).
    pub async fn get(&self, url: &str, cookie: &str) -> reqwest::Response {
        self.http
            .get(url)
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap()
    }

    /// Every route of the OpenAPI document, as (lower-case method, full path).
    pub async fn documented_routes(&self) -> Vec<(String, String)> {
        let document: Value = self
            .http
            .get(format!("{}/api/v1/openapi.json", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut routes = Vec::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                routes.push((method.clone(), path.clone()));
            }
        }
        routes
    }

    /// A one-time link's token for `who`.
    pub async fn link(&self, who: Who) -> String {
        let tenant = self.tenant().await;
        let link = postroom::console::sign_in_link(&tenant, &self.base, self.account(who))
            .await
            .unwrap();
        link.rsplit('/').next().unwrap().to_owned()
    }
}

/// The client settings of a tenant whose Jira is `sandbox`, as its administrator.
fn jira_config(sandbox: &RunningSandbox) -> JiraConfig {
    let creds = Credentials::admin();
    let mut config = JiraConfig::new(
        sandbox.base_url.clone(),
        Auth::ApiToken {
            email: creds.email,
            token: Secret::new(creds.api_token),
        },
    );
    config.dialect = Some(Dialect::CloudV3);
    config
}

/// Every path `router` serves. axum offers no list of routes, but its debug form names each
/// one as a quoted path; a test that relies on this fails loudly (too few paths) should
/// that form change.
pub fn served_paths(router: &axum::Router) -> Vec<String> {
    let text = format!("{router:?}");
    let mut paths: Vec<String> = text
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.contains("__private__"))
        .map(str::to_owned)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The `name=value` of a response's `Set-Cookie` called `name`.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

/// A hard bounce of `address` on the site `default`, as the inbound worker records it.
pub async fn suppress(console: &Console, address: &str) {
    use postroom_store::crypto::Place;
    let tenant = console.tenant().await;
    let cipher = console.intake.keyring().cipher(&tenant).await.unwrap();
    let parsed = postroom_core::message::EmailAddress::parse(address).unwrap();
    let hash = postroom::keys::redactor(console.intake.keyring())
        .address(&parsed)
        .to_string();
    let place = |column| Place::column("suppressions", column, hash.as_str());
    let mut tx = tenant.begin().await.unwrap();
    tx.record_bounce(
        &postroom_store::outbound::BounceRecord {
            address_hash: hash.clone(),
            address: cipher.seal(&place("address"), address.as_bytes()).unwrap(),
            hard: true,
            status: Some("5.1.1".to_owned()),
            diagnostic: Some(
                cipher
                    .seal(&place("diagnostic"), b"550 5.1.1 no such user")
                    .unwrap(),
            ),
            at_ms: postroom::app::now_ms(),
        },
        3,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A profile for the site `default` with its own address and no notification rule, so
/// that a verified webhook delivery is taken (and dropped as unwanted).
pub async fn minimal_profile(console: &Console) {
    let profile = postroom_core::profile::Profile::load(
        r#"{"own": {"addresses": ["support@default.example"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    )
    .unwrap();
    let tenant = console.tenant().await;
    let mut tx = tenant.begin().await.unwrap();
    tx.put_profile(&serde_json::to_string(&profile.profile).unwrap(), "cli", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}
