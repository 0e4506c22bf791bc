//! The shared application state every handler sees.

use std::sync::Arc;

use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::state::Store;
use crate::stats::Stats;

/// Cheaply clonable handle on one site's state.
#[derive(Debug, Clone)]
pub struct App(pub(crate) Arc<Inner>);

/// What one site holds at run time.
#[derive(Debug)]
pub struct Inner {
    /// Configuration given at start.
    pub config: SandboxConfig,
    /// Public base URL (`http://127.0.0.1:P` or `http://ADDR/sandbox/jira`), used in `self` links.
    pub base_url: String,
    /// Site data.
    pub store: Store,
    /// Fault injection.
    pub faults: Faults,
    /// Counters.
    pub stats: Stats,
    /// Client for webhook deliveries (loopback receivers only).
    pub http: reqwest::Client,
}

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    /// `self` URL of a REST resource: `{base}/rest/api/{v}/{path}`.
    pub fn api_url(&self, version: crate::richtext::ApiVersion, path: &str) -> String {
        let v = match version {
            crate::richtext::ApiVersion::V2 => 2,
            crate::richtext::ApiVersion::V3 => 3,
        };
        format!("{}/rest/api/{v}/{path}", self.base_url)
    }
}
