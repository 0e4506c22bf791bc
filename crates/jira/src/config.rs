//! How to reach one tenant's Jira and how politely to talk to it.

use std::sync::Arc;
use std::time::Duration;

use postroom_core::ports::budget_ledger::BudgetLedger;
use postroom_core::ports::tracker::Dialect;

use crate::auth::Auth;
use crate::limiter::AppBudget;

/// Everything a [`crate::JiraClient`] needs for one tenant.
#[derive(Debug, Clone)]
pub struct JiraConfig {
    /// Base URL, with a context path if the site has one (`https://host/jira`).
    pub base_url: String,
    /// The REST dialect; `None` detects it from `serverInfo.deploymentType` at first use.
    pub dialect: Option<Dialect>,
    /// How to authenticate.
    pub auth: Auth,
    /// The site's `tenant` label in metrics: an opaque id unless the operator asked for
    /// site names (`http.metrics_site_names`).
    pub tenant: String,
    /// Rate limits, retries, timeouts.
    pub politeness: Politeness,
    /// How long a lost create is looked for in search before creating again: longer than
    /// Jira's search index lag, or a lost create may be made twice.
    pub index_lag_allowance: Duration,
    /// How long after a create whose answer was lost the issue is still looked for (the
    /// job retrying with growing pauses) before it is created anew.
    pub unknown_outcome_max: Duration,
    /// The app's hourly quota, shared with the other sites reached through the Forge app;
    /// `None` for a site reached with its own credentials.
    pub app_budget: Option<Arc<AppBudget>>,
    /// Where the instances sharing one database share this site's pauses; `None` for a
    /// client alone (a command, a test).
    pub fleet: Option<Fleet>,
}

/// The site as the instances of a fleet share it.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The fleet's ledger (the store).
    pub ledger: Arc<dyn BudgetLedger>,
    /// The tenant id of the site: its ledger row is `site:TENANT`, deleted with the tenant.
    pub site: String,
}

impl JiraConfig {
    /// A configuration with the default politeness for `base_url` and `auth`.
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        Self {
            base_url: base_url.into(),
            dialect: None,
            auth,
            tenant: "default".to_owned(),
            politeness: Politeness::default(),
            index_lag_allowance: Duration::from_secs(10),
            unknown_outcome_max: Duration::from_secs(300),
            app_budget: None,
            fleet: None,
        }
    }
}

/// Per-tenant limits. Jira Cloud's burst limits are per tenant, endpoint and method, and its
/// hourly points quota is per app, so one client per tenant with its own limiter keeps one
/// busy tenant from starving the others.
#[derive(Debug, Clone)]
pub struct Politeness {
    /// Requests in flight at once, at most: the adaptive limit starts lower and grows up to it.
    pub max_concurrency: usize,
    /// A ceiling on the site's requests per second, all endpoints together; `None`: none
    /// but what Jira's answers teach.
    pub requests_per_sec: Option<f64>,
    /// The rate each endpoint starts at, before the answers show what the site allows.
    pub start_rate: f64,
    /// Seconds' worth of requests an endpoint may send at once after a quiet spell.
    pub burst_secs: f64,
    /// Tries per call, the first included, for retryable failures.
    pub max_attempts: u32,
    /// First backoff for 5xx, timeouts and connection errors; doubled each try, with jitter.
    pub base_backoff: Duration,
    /// Longest backoff between tries.
    pub max_backoff: Duration,
    /// Longest `Retry-After` waited for inside a call; a longer one is returned to the
    /// caller as `RateLimited` so that its job can be rescheduled instead of holding a worker.
    pub max_inline_wait: Duration,
    /// Timeout of one HTTP exchange.
    pub request_timeout: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Self {
            max_concurrency: 16,
            requests_per_sec: None,
            start_rate: 10.0,
            burst_secs: 1.0,
            max_attempts: 8,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_inline_wait: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}
