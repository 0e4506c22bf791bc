//! `/healthz` and `/readyz`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::AppState;

/// 200 once every listener is bound and the store is open; 503 naming what is not.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let pending = state.readiness.pending();
    if pending.is_empty() {
        (StatusCode::OK, "ok\n".to_owned())
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("starting: {}\n", pending.join(", ")),
        )
    }
}

/// Like `/healthz`, and the database answers. Jira's reachability is deliberately not
/// checked: postroom keeps taking mail in while Jira is down.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let pending = state.readiness.pending();
    if !pending.is_empty() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {}\n", pending.join(", ")),
        );
    }
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n".to_owned()),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: database\n".to_owned(),
            )
        }
    }
}
