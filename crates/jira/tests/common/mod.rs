//! A sandbox site served over real HTTP on 127.0.0.1:0, optionally under a context path,
//! behind a recorder that checks that no request arrives before a Retry-After it was given.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // helpers shared by several test files

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

/// Watches the traffic: the moment before which Jira said nobody may come back.
#[derive(Debug, Default)]
pub struct Recorder {
    not_before: Mutex<Option<(Instant, Instant)>>,
    pub early: AtomicU64,
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
}

async fn record(State(rec): State<Arc<Recorder>>, req: Request, next: Next) -> Response {
    let arrived = Instant::now();
    rec.requests.fetch_add(1, Ordering::Relaxed);
    if let Some((answered, nb)) = *rec.not_before.lock().unwrap()
        && arrived > answered + IN_FLIGHT_GRACE
        && arrived < nb
    {
        rec.early.fetch_add(1, Ordering::Relaxed);
    }
    let response = next.run(req).await;
    if response.status() == 429 {
        rec.throttled.fetch_add(1, Ordering::Relaxed);
        let secs: u64 = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let now = Instant::now();
        let until = now + Duration::from_secs(secs);
        let mut nb = rec.not_before.lock().unwrap();
        if nb.is_none_or(|(_, old)| old < until) {
            *nb = Some((now, until));
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
        requests_per_sec: 1000.0,
        burst: 1000.0,
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
