//! The Jira sandbox embedded in `serve --sandbox`, so that anyone can try postroom
//! without a Jira site.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use jira_sandbox::{ADMIN_EMAIL, API_TOKEN, SandboxConfig, SandboxHandle};
use postroom_store::crypto::Keyring;
use postroom_store::{SiteSecret, TenantStore};

use crate::config::{Config, JiraAuth, JiraConfig, Secret};

/// Where the sandbox site is mounted on postroom's own listener.
pub const MOUNT: &str = "/sandbox/jira";

/// The sandbox site, persisted to `DATA_DIR/sandbox.json` so a demo survives a restart.
#[derive(Debug)]
pub struct Embedded {
    handle: SandboxHandle,
}

impl Embedded {
    /// Loads or seeds the site; its links use the address postroom listens on.
    pub fn start(config: &Config, bound: SocketAddr) -> anyhow::Result<Self> {
        let data_dir = &config.storage.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;
        let host = loopback(bound);
        let sandbox_config = SandboxConfig {
            state_file: Some(data_dir.join("sandbox.json")),
            ..SandboxConfig::default()
        };
        let handle = SandboxHandle::new(sandbox_config, format!("http://{host}{MOUNT}"))
            .context("cannot start the embedded Jira sandbox")?;
        Ok(Self { handle })
    }

    /// The `[jira]` section that points the tenant `default` at this sandbox; how politely
    /// to talk to it stays as `configured`.
    pub fn jira_config(&self, configured: &JiraConfig) -> JiraConfig {
        JiraConfig {
            url: Some(self.handle.base_url().to_owned()),
            auth: JiraAuth::ApiToken,
            email: Some(ADMIN_EMAIL.to_owned()),
            token: Some(Secret::new(API_TOKEN)),
            token_file: None,
            ..configured.clone()
        }
    }

    /// Registers postroom's webhook receiver on `bound` with the sandbox, signed with
    /// `secret`, for the events notifications read (a comment comes both as
    /// `comment_created` and as `jira:issue_updated`, as from Jira; postroom tells once).
    pub fn register_receiver(&self, bound: SocketAddr, secret: &Secret) -> anyhow::Result<()> {
        let url = format!("http://{}/webhooks/jira", loopback(bound));
        self.handle
            .register_webhook(
                &url,
                &[
                    "jira:issue_created",
                    "jira:issue_updated",
                    "comment_created",
                    "comment_updated",
                ],
                None,
                Some(secret.expose()),
            )
            .map(|_| ())
            .with_context(|| format!("the sandbox refused the webhook receiver {url}"))
    }

    /// The sandbox site's base URL (`http://ADDR/sandbox/jira`).
    pub fn base_url(&self) -> &str {
        self.handle.base_url()
    }

    pub fn router(&self) -> Router {
        self.handle.router()
    }

    /// What the administrator needs to look around the sandbox site.
    pub fn banner(&self) -> String {
        let base = self.handle.base_url();
        format!(
            "postroom: Jira sandbox at {base} (REST {base}/rest/api/3; \
             user {ADMIN_EMAIL}, API token {API_TOKEN}); state in sandbox.json under the data directory"
        )
    }
}

/// The address to reach a listener on `bound` from this machine.
pub fn loopback(bound: SocketAddr) -> SocketAddr {
    if bound.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], bound.port()))
    } else {
        bound
    }
}

/// Who made the webhook secret `serve --sandbox` makes, as the store notes it.
pub const MADE_BY: &str = "sandbox";

/// The tenant `default`'s webhook secret for the sandbox's webhook: the stored one (made at
/// an earlier start, or rotated in the console since), else one made now and stored, so
/// that it can be rotated like any site's and a rotation outlives a restart.
pub async fn stored_webhook_secret(
    tenant: &TenantStore,
    keyring: &Keyring,
    now_ms: i64,
) -> anyhow::Result<Secret> {
    let cipher = keyring.cipher(tenant).await?;
    if let Some(secret) = tenant.secret(&cipher, SiteSecret::WebhookSecret).await? {
        return Ok(Secret::new(secret));
    }
    let secret = new_secret();
    tenant
        .put_secret_made_by(
            &cipher,
            SiteSecret::WebhookSecret,
            &secret,
            Some(MADE_BY),
            now_ms,
        )
        .await?;
    Ok(Secret::new(secret))
}

/// A new random webhook secret (256 bits, hex).
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
