//! The access log of `/api/v1`: time, method, route template, status, tenant, account id
//! and truncated IP of every request; never a token, a query string or a body.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use postroom_store::access_log::{AccessEntry, truncate_ip};

use super::AppState;
use super::auth::CallerSlot;

/// Records the request after it was answered. A failure to record is logged, never turned
/// into an error for the caller, whose request has already been served.
pub async fn record(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let slot = CallerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| truncate_ip(addr.ip()));
    let response = next.run(request).await;
    let caller = slot.get();
    let entry = AccessEntry {
        at_ms: crate::app::now_ms(),
        method,
        route,
        status: response.status().as_u16(),
        tenant: caller.as_ref().map(|c| c.tenant.clone()),
        account_id: caller.map(|c| c.account_id),
        ip,
    };
    if let Err(e) = state.store.log_access(&entry).await {
        tracing::warn!(error = %e, "cannot write the access log");
    }
    response
}

/// Deletes entries past their 7 days, every hour, for as long as the server runs.
pub async fn purge_forever(store: postroom_store::Store) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match store.purge_access_log(crate::app::now_ms()).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "access log purged"),
            Err(e) => tracing::warn!(error = %e, "cannot purge the access log"),
        }
    }
}
