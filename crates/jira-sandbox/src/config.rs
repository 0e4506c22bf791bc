//! How a sandbox is set up: listener, state file, e-mail visibility, auth paths, faults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultConfig;

/// Retry schedule of webhook deliveries: `attempts` tries, waiting `first_backoff`,
/// then twice as long each time (Jira retries failed deliveries with backoff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries including the first.
    pub attempts: u32,
    /// Wait before the first retry.
    pub first_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            first_backoff: Duration::from_secs(1),
        }
    }
}

/// Configuration of one sandbox site.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where [`crate::Sandbox::start`] listens; `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// Persist the site to this JSON file after every write and load it at start
    /// (`./data/sandbox.json` for `serve --sandbox`); `None` keeps state in memory.
    pub state_file: Option<PathBuf>,
    /// Show `emailAddress` in user bodies. Off by default, as on Jira Cloud, so nothing
    /// in postroom comes to depend on reading an address.
    pub show_email_addresses: bool,
    /// Path of the OAuth 2.0 token/refresh endpoint, relative to the base URL.
    pub oauth_token_path: String,
    /// Refuse credentials from non-loopback peers (401). Only tests that drive the
    /// router without a socket (no `ConnectInfo`) turn this off.
    pub loopback_only: bool,
    /// Faults active from the start.
    pub faults: FaultConfig,
    /// Webhook retry schedule.
    pub webhook_retry: RetryPolicy,
    /// Entity property keys declared indexed (as an app descriptor would), so JQL
    /// `issue.property[key].path` works for them.
    pub indexed_properties: Vec<String>,
    /// The site's cloud id (what OAuth's accessible resources and Forge's tokens name);
    /// give each of several sandbox sites its own.
    pub cloud_id: String,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            show_email_addresses: false,
            oauth_token_path: "/oauth/token".into(),
            loopback_only: true,
            faults: FaultConfig::default(),
            webhook_retry: RetryPolicy::default(),
            indexed_properties: Vec::new(),
            cloud_id: crate::SANDBOX_CLOUD_ID.to_owned(),
        }
    }
}
