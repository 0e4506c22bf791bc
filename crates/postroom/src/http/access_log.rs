//! The access log of `/api/v1`: time, method, route template, status, tenant, account id
//! and truncated IP of every request; never a token, a query string or a body. Its
//! administrators read their site's last 7 days at `GET /api/v1/access-log`.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use postroom_mail::smtp::Network;
use postroom_store::access_log::{AccessEntry, RETENTION_MS, truncate_ip};
use serde::Serialize;

use super::auth::{ApiCaller, CallerSlot};
use super::error::ErrorBody;
use super::{ApiError, AppState};

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
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| {
            truncate_ip(client_ip(addr.ip(), &forwarded, &state.trusted_proxies))
        });
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

/// At most this many entries are listed, newest first.
const LISTED: i64 = 1000;

/// One line of the access log, as the site's administrators see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessLine {
    pub at_ms: i64,
    pub method: String,
    /// The route template (`/api/v1/audit/{id}`), never the path with its ids.
    pub route: String,
    pub status: u16,
    /// The Jira account id of the caller; null when the request had none (a refusal).
    pub account_id: Option<String>,
    /// The client's address cut to its /24 or /48.
    pub ip: Option<String>,
}

/// The site's access log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessLog {
    /// The newest 1,000 entries of the last 7 days, newest first.
    pub entries: Vec<AccessLine>,
}

/// Who called this site's API and console in the last 7 days: time, route, status,
/// account and truncated address, newest first (at most 1,000). Administrators only.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "console",
    responses((status = 200, body = AccessLog), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<AccessLog>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let since = crate::app::now_ms() - RETENTION_MS;
    let entries = tenant
        .access_log(LISTED)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(AccessLog {
        entries: entries
            .into_iter()
            .filter(|e| e.at_ms >= since)
            .map(|e| AccessLine {
                at_ms: e.at_ms,
                method: e.method,
                route: e.route,
                status: e.status,
                account_id: e.account_id,
                ip: e.ip,
            })
            .collect(),
    }))
}

/// The client's address: the peer's, unless the peer is one of `http.trusted_proxies`;
/// then the last address of `X-Forwarded-For` that is not a trusted proxy (each proxy
/// appends the address it was called from, so the ones to its left could be forged by the
/// client).
fn client_ip(peer: IpAddr, forwarded_for: &str, trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let trusted: Vec<Network> = vec!["10.0.0.0/8".parse().unwrap()];
        // A client that talks to postroom directly cannot pretend to be someone else.
        assert_eq!(
            client_ip(ip("192.0.2.9"), "198.51.100.1", &trusted),
            ip("192.0.2.9")
        );
        // Behind the proxy: the address the proxy saw.
        assert_eq!(
            client_ip(ip("10.1.2.3"), "198.51.100.1", &trusted),
            ip("198.51.100.1")
        );
        // A forged entry to the left of the real one is not believed.
        assert_eq!(
            client_ip(
                ip("10.1.2.3"),
                "203.0.113.5, 198.51.100.1, 10.9.9.9",
                &trusted
            ),
            ip("198.51.100.1")
        );
        // Nothing usable: the proxy itself.
        assert_eq!(client_ip(ip("10.1.2.3"), "", &trusted), ip("10.1.2.3"));
        assert_eq!(
            client_ip(ip("10.1.2.3"), "nonsense", &trusted),
            ip("10.1.2.3")
        );
        assert_eq!(
            client_ip(ip("10.1.2.3"), "198.51.100.1", &[]),
            ip("10.1.2.3")
        );
    }
}
