//! The HTTP edge: health, metrics and the `/api/v1` router.

mod access_log;
mod api;
mod audit;
mod auth;
mod error;
mod health;
mod json_body;
mod mail;
mod metrics;
mod readiness;
mod templates;
mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use postroom_store::Store;

pub use access_log::purge_forever as purge_access_log_forever;
pub use auth::ApiCaller;
pub use error::{ApiError, FieldError};
pub use metrics::{MetricsAccess, serve_loopback as serve_metrics};
pub use readiness::Readiness;
pub use webhooks::WebhookReceiver;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub readiness: Arc<Readiness>,
    pub intake: postroom_engine::intake::Intake,
    /// Each tenant's Jira, for the features that call it (canned responses).
    pub trackers: crate::trackers::Trackers,
    /// `[inbound] store_raw`: whether uploads' raw mail is kept for the audit.
    pub upload_store_raw: bool,
    /// Jira's webhook deliveries for notifications.
    pub webhooks: WebhookReceiver,
    /// Who may read `/metrics` here.
    pub metrics: MetricsAccess,
}

/// The whole HTTP surface of postroom.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::guarded))
        .route("/webhooks/jira", post(webhooks::default_tenant))
        .route("/webhooks/jira/{tenant}", post(webhooks::for_tenant))
        .nest("/api/v1", api::router(state.clone()))
        .with_state(state)
}
