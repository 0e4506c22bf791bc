//! A sandbox site served over real HTTP on 127.0.0.1:0, optionally under a context path,
//! behind a recorder that checks that no request arrives before a Retry-After it was given.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // helpers shared by several test files

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use jira_sandbox::{Credentials, SandboxConfig, SandboxHandle};
use postroom_core::ports::tracker::Dialect;
use postroom_jira::{Auth, JiraClient, JiraConfig, Politeness, Secret};

/// Requests in flight when a 429 is answered cannot know of it yet: those arriving within
/// this long after the 429 are not counted as early.
const IN_FLIGHT_GRACE: Duration = Duration::from_millis(25);

/// Watches the traffic: for each scope a 429 named (its endpoint, its issue, or the whole
/// site), the moment before which Jira said nobody may come back.
#[derive(Debug, Default)]
pub struct Recorder {
    not_before: Mutex<HashMap<String, (Instant, Instant)>>,
    pub early: AtomicU64,
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
}

/// `METHOD path` with every segment holding a digit (a key, an id) replaced by `{}`.
fn endpoint(method: &str, path: &str) -> String {
    let route: Vec<&str> = path
        .split('/')
        .map(|s| {
            if s.len() > 1 && s.bytes().any(|b| b.is_ascii_digit()) {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("{method} {}", route.join("/"))
}

/// The issue a write targets, upper case.
fn written_issue(method: &str, path: &str) -> Option<String> {
    if method == "GET" {
        return None;
    }
    let mut segments = path.split('/');
    segments.find(|s| *s == "issue")?;
    segments
        .next()
        .filter(|s| !s.is_empty() && !matches!(*s, "bulk" | "createmeta" | "picker"))
        .map(str::to_ascii_uppercase)
}

/// The scopes a request falls in: the site, its endpoint, the issue it writes.
fn scopes(method: &str, path: &str) -> Vec<String> {
    let mut scopes = vec!["site".to_owned(), endpoint(method, path)];
    scopes.extend(written_issue(method, path).map(|i| format!("issue {i}")));
    scopes
}

async fn record(State(rec): State<Arc<Recorder>>, req: Request, next: Next) -> Response {
    let arrived = Instant::now();
    rec.requests.fetch_add(1, Ordering::Relaxed);
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    {
        let nb = rec.not_before.lock().unwrap();
        let early = scopes(&method, &path).iter().any(|scope| {
            nb.get(scope).is_some_and(|(answered, until)| {
                arrived > *answered + IN_FLIGHT_GRACE && arrived < *until
            })
        });
        if early {
            rec.early.fetch_add(1, Ordering::Relaxed);
        }
    }
    let response = next.run(req).await;
    if response.status() == 429 {
        rec.throttled.fetch_add(1, Ordering::Relaxed);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let secs: u64 = header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let scope = match header("ratelimit-reason").as_deref() {
            Some("jira-burst-based") => endpoint(&method, &path),
            Some("jira-per-issue-on-write") => written_issue(&method, &path)
                .map_or_else(|| endpoint(&method, &path), |i| format!("issue {i}")),
            _ => "site".to_owned(),
        };
        let now = Instant::now();
        let until = now + Duration::from_secs(secs);
        let mut nb = rec.not_before.lock().unwrap();
        let entry = nb.entry(scope).or_insert((now, until));
        if entry.1 < until {
            *entry = (now, until);
        }
    }
    response
}

/// A running site.
pub struct Site {
    pub base_url: String,
    pub handle: SandboxHandle,
    pub recorder: Arc<Recorder>,
}

/// Starts a site whose base URL ends in `context_path` (`""` or `/jira`).
pub async fn start(context_path: &str) -> Site {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base_url = format!("http://{addr}{context_path}");
    let handle = SandboxHandle::new(SandboxConfig::default(), base_url.clone()).unwrap();
    let recorder = Arc::new(Recorder::default());
    let site = if context_path.is_empty() {
        handle.router()
    } else {
        Router::new().nest(context_path, handle.router())
    };
    let app = site.layer(from_fn_with_state(recorder.clone(), record));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    Site {
        base_url,
        handle,
        recorder,
    }
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
