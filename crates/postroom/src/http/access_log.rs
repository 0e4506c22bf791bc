//! The access log of `/api/v1`: one row per request, kept 7 days.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use postroom_store::access_log::{AccessEntry, truncate_ip};

use super::AppState;
use super::auth::CallerSlot;
use crate::app::now_ms;

/// How often expired entries are purged, at most.
const PURGE_EVERY_MS: i64 = 60 * 60 * 1000;

/// Records time, method, route template, status, tenant, account id and truncated IP of
/// each request. A failure to write the log is logged and never fails the request.
pub async fn record(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let slot = CallerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| truncate_ip(addr.ip()));
    let response = next.run(request).await;
    let caller = slot.get();
    let entry = AccessEntry {
        at_ms: now_ms(),
        method,
        route,
        status: response.status().as_u16(),
        tenant: caller.as_ref().map(|(t, _)| t.clone()),
        account_id: caller.map(|(_, a)| a),
        ip,
    };
    if let Err(e) = state.store.log_access(&entry).await {
        tracing::warn!(error = %e, "cannot write the access log");
    }
    purge_now_and_then(&state, entry.at_ms).await;
    response
}

async fn purge_now_and_then(state: &AppState, now: i64) {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let last = LAST.load(Ordering::Relaxed);
    if now - last < PURGE_EVERY_MS
        || LAST
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return;
    }
    match state.store.purge_access_log(now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(rows = n, "purged access log entries older than 7 days"),
        Err(e) => tracing::warn!(error = %e, "cannot purge the access log"),
    }
}
