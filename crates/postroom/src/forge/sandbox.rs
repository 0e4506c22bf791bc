//! The Forge platform and two Jira Cloud sites embedded in `serve --sandbox`, beside the
//! self-hosted sandbox site: the app is installed into both at start, as Atlassian would
//! install it, and each site becomes a tenant of its own with a demo profile, so that mail
//! to each site's address lands in that site.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use jira_sandbox::{
    CONSOLE_RESOURCE, ForgePlatform, PICKER_RESOURCE, SandboxConfig, SandboxHandle,
};
use postroom_store::Store;

use crate::config::{Config, ForgeConfig};
use crate::sandbox::loopback;

/// Where the platform's JWKS and event relay are mounted.
pub const PLATFORM_MOUNT: &str = "/sandbox/forge";

/// Each Cloud site: its name (which is also its own address's domain), mount and cloud id.
const SITES: [(&str, &str, &str); 2] = [
    (
        "cloud-a",
        "/sandbox/cloud-a",
        "0b5e0000-c10d-4000-8000-00000000c1a0",
    ),
    (
        "cloud-b",
        "/sandbox/cloud-b",
        "0b5e0000-c10d-4000-8000-00000000c1b0",
    ),
];

/// The platform and its two sites.
#[derive(Debug, Clone)]
pub struct CloudSites {
    platform: ForgePlatform,
    jwks_url: String,
    sites: Vec<(&'static str, &'static str, SandboxHandle)>,
}

impl CloudSites {
    /// Loads or seeds both sites (their state in `DATA_DIR/sandbox-NAME.json`) and the
    /// platform, whose app id is kept in `DATA_DIR/forge-sandbox-app` so that a restart
    /// serves the same installations.
    pub fn start(config: &Config, bound: SocketAddr) -> anyhow::Result<Self> {
        let data_dir = &config.storage.data_dir;
        let base = format!("http://{}", loopback(bound));
        let id_file = data_dir.join("forge-sandbox-app");
        let app_id = match std::fs::read_to_string(&id_file) {
            Ok(id) if id.trim().starts_with("ari:cloud:ecosystem::app/") => id.trim().to_owned(),
            _ => {
                let id = format!("ari:cloud:ecosystem::app/{}", jira_sandbox::uuid_like());
                std::fs::write(&id_file, &id)
                    .with_context(|| format!("cannot write {}", id_file.display()))?;
                id
            }
        };
        let platform = ForgePlatform::with_app_id(&app_id, &base)
            .context("cannot start the sandbox's Forge platform")?;
        platform.set_own_url(&format!("{base}{PLATFORM_MOUNT}"));
        for (resource, files) in [
            (CONSOLE_RESOURCE, crate::http::console_resource()),
            (PICKER_RESOURCE, crate::http::picker_resource()),
        ] {
            platform.set_resource(
                resource,
                files
                    .into_iter()
                    .map(|(path, bytes)| (path.to_owned(), bytes.to_vec()))
                    .collect(),
            );
        }
        let mut sites = Vec::new();
        for (name, mount, cloud_id) in SITES {
            let site_config = SandboxConfig {
                state_file: Some(data_dir.join(format!("sandbox-{name}.json"))),
                cloud_id: cloud_id.to_owned(),
                ..SandboxConfig::default()
            };
            let handle = SandboxHandle::new(site_config, format!("{base}{mount}"))
                .with_context(|| format!("cannot start the sandbox Cloud site {name}"))?;
            sites.push((name, mount, handle));
        }
        Ok(Self {
            platform,
            jwks_url: format!("{base}{PLATFORM_MOUNT}/.well-known/jwks.json"),
            sites,
        })
    }

    /// `[forge]` for the sandbox's platform: its app id and key set.
    pub fn forge_config(&self, configured: &ForgeConfig) -> ForgeConfig {
        ForgeConfig {
            app_id: Some(self.platform.app_id().to_owned()),
            jwks_url: self.jwks_url.clone(),
            ..configured.clone()
        }
    }

    /// The platform's and the sites' routes, each under its mount.
    pub fn router(&self) -> Router {
        self.sites.iter().fold(
            Router::new().nest(PLATFORM_MOUNT, self.platform.router()),
            |router, (_, mount, handle)| router.nest(mount, handle.router()),
        )
    }

    /// Installs the app into each site that does not have it yet (a site that has it from
    /// an earlier run gets a fresh token through the scheduled trigger), then gives each
    /// site's tenant the demo profile if it has none. Run once postroom is serving: the
    /// install events are postroom's own HTTP endpoints.
    pub async fn install(&self, store: &Store) {
        for (name, _, handle) in &self.sites {
            let site = match self.platform.installation_on(handle) {
                Some(site) => {
                    self.platform.adopt(handle, &site);
                    let trigger = self.platform.schedule(&site.installation_id).await;
                    if !trigger.ok() {
                        tracing::warn!(site = name, status = ?trigger.status, "the sandbox's scheduled trigger was not taken");
                    }
                    site
                }
                None => match self.platform.install(handle).await {
                    Ok((site, delivery)) if delivery.ok() => site,
                    Ok((_, delivery)) => {
                        tracing::warn!(site = name, status = ?delivery.status, "the sandbox's install event was not taken");
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(site = name, error = %e, "cannot install the app into a sandbox site");
                        continue;
                    }
                },
            };
            match demo_profile(store, name, &site.installation_id).await {
                Ok(tenant) => eprintln!(
                    "postroom: Cloud site {name} ({}) installed the app as tenant {tenant}: mail \
                     to help@{name}.example becomes an issue in its project SUP",
                    handle.base_url()
                ),
                Err(e) => {
                    tracing::warn!(site = name, error = %format!("{e:#}"), "cannot give a sandbox Cloud site its profile")
                }
            }
        }
    }
}

/// Stores the demo profile of site `name` for its tenant, unless it has one; the tenant.
async fn demo_profile(store: &Store, name: &str, installation_id: &str) -> anyhow::Result<String> {
    let id = postroom_store::forge::tenant_id_of(installation_id)?;
    let tenant = store.tenant(&id).await?;
    if tenant.profile().await?.is_none() {
        let text = format!(
            r#"{{"own": {{"addresses": ["help@{name}.example"]}},
                "default": {{"project": "SUP", "issue_type": "Task"}}}}"#
        );
        let profile = crate::profiles::read(&text, "the sandbox's Cloud demo")?;
        crate::profiles::store(&tenant, &profile, "sandbox", crate::app::now_ms()).await?;
    }
    Ok(id.as_str().to_owned())
}
