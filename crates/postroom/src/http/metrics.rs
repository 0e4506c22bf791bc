//! `/metrics`: what the instance does, by tenant, which is nobody's business but the
//! operator's. On the main listener it is answered only to the Bearer token in
//! `http.metrics_token_file`; `http.metrics_addr` serves it without a token on a loopback
//! address only, for a scraper on the same host.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use super::AppState;
use crate::config::Secret;

/// Who may read `/metrics` on the main listener.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    token: Option<Arc<Secret>>,
}

impl MetricsAccess {
    /// Readable with `Authorization: Bearer TOKEN`; without a token, by nobody.
    pub fn new(token: Option<Secret>) -> Self {
        Self {
            token: token.map(Arc::new),
        }
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match (&self.token, given) {
            (Some(token), Some(given)) => same(token.expose().as_bytes(), given.trim().as_bytes()),
            _ => false,
        }
    }
}

/// Compares without stopping at the first difference, so the time taken tells nothing
/// about how much of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `/metrics` on the main listener.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if state.metrics.allows(&headers) {
        return exposition().into_response();
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "metrics need the Bearer token of http.metrics_token_file, or a scrape of \
         http.metrics_addr\n",
    )
        .into_response()
}

/// Serves `/metrics` without a token on `addr` (a loopback address: the configuration
/// refuses any other) until `shutdown`.
pub async fn serve_loopback(
    addr: SocketAddr,
    shutdown: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for metrics on {addr}"))?;
    let bound = listener.local_addr()?;
    eprintln!("postroom: metrics listening on {bound}");
    let router = Router::new().route("/metrics", get(|| async { exposition() }));
    Ok(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::warn!(%error, "metrics listener failed");
        }
    }))
}

/// Prometheus text exposition.
fn exposition() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics().render(),
    )
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn bearer(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_configured_bearer_token_reads_metrics() {
        let access = MetricsAccess::new(Some(Secret::new("s3cret")));
        assert!(access.allows(&bearer("Bearer s3cret")));
        assert!(!access.allows(&bearer("Bearer s3cre")));
        assert!(!access.allows(&bearer("Basic s3cret")));
        assert!(!access.allows(&HeaderMap::new()));
        let none = MetricsAccess::new(None);
        assert!(!none.allows(&bearer("Bearer ")));
    }
}
