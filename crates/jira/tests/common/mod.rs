//! A sandbox site served over real HTTP on 127.0.0.1:0, optionally under a context path,
//! and checks over its request log: that no request arrived in a scope Jira had paused
//! before the pause was over.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // helpers shared by several test files

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use jira_sandbox::{Credentials, LoggedRequest, SandboxConfig, SandboxHandle};
use postroom_core::ports::tracker::Dialect;
use postroom_jira::{Auth, JiraClient, JiraConfig, Politeness, Secret};

/// Requests already on their way when a 429 is answered cannot know of it: those the site
/// receives this soon after are not counted as early.
const IN_FLIGHT_GRACE_MS: f64 = 50.0;

/// The scope a logged 429 paused, as its reason names it: an endpoint, an issue, the site.
fn paused_scope(r: &LoggedRequest) -> String {
    match (r.reason.as_deref(), &r.issue_write) {
        (Some("jira-burst-based"), _) => format!("{} {}", r.method, r.route),
        (Some("jira-per-issue-on-write"), Some(issue)) => format!("issue {issue}"),
        _ => "site".to_owned(),
    }
}

/// The scopes a logged request falls in.
fn scopes_of(r: &LoggedRequest) -> Vec<String> {
    let mut scopes = vec!["site".to_owned(), format!("{} {}", r.method, r.route)];
    scopes.extend(r.issue_write.as_ref().map(|i| format!("issue {i}")));
    scopes
}

/// Each pause (scope, from, until; milliseconds) the log's 429s asked for.
pub fn pauses(log: &[LoggedRequest]) -> Vec<(String, f64, f64)> {
    log.iter()
        .filter(|r| r.status == 429)
        .map(|r| {
            let until = r.answered_ms + r.retry_after_secs.unwrap_or(0) as f64 * 1000.0;
            (paused_scope(r), r.answered_ms, until)
        })
        .collect()
}

/// The logged requests the site received inside a pause of a scope they belong to.
pub fn early(log: &[LoggedRequest]) -> Vec<String> {
    let pauses = pauses(log);
    log.iter()
        .filter(|r| {
            let scopes = scopes_of(r);
            pauses.iter().any(|(scope, from, until)| {
                scopes.contains(scope)
                    && r.received_ms > from + IN_FLIGHT_GRACE_MS
                    && r.received_ms < *until
            })
        })
        .map(|r| format!("{} {} at {:.0} ms", r.method, r.path, r.received_ms))
        .collect()
}

/// A running site.
pub struct Site {
    pub base_url: String,
    pub handle: SandboxHandle,
}

/// Starts a site whose base URL ends in `context_path` (`""` or `/jira`).
pub async fn start(context_path: &str) -> Site {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base_url = format!("http://{addr}{context_path}");
    let handle = SandboxHandle::new(SandboxConfig::default(), base_url.clone()).unwrap();
    let site = if context_path.is_empty() {
        handle.router()
    } else {
        Router::new().nest(context_path, handle.router())
    };
    tokio::spawn(async move {
        axum::serve(
            listener,
            site.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    Site { base_url, handle }
}

/// Generous limits, fast backoff: tests that want politeness set their own.
pub fn fast() -> Politeness {
    Politeness {
        max_concurrency: 8,
        start_rate: 1000.0,
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(500),
        ..Politeness::default()
    }
}

pub fn api_token() -> Auth {
    let admin = Credentials::admin();
    Auth::ApiToken {
        email: admin.email,
        token: Secret::new(admin.api_token),
    }
}

/// A client for `site` in `dialect` with `auth`.
pub async fn client(
    site: &Site,
    dialect: Dialect,
    auth: Auth,
    politeness: Politeness,
) -> JiraClient {
    let mut config = JiraConfig::new(site.base_url.clone(), auth);
    config.dialect = Some(dialect);
    config.politeness = politeness;
    config.index_lag_allowance = Duration::from_secs(5);
    JiraClient::connect(config).await.unwrap()
}
