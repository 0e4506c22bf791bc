//! The HTTP edge: health, metrics, the console (`/`, `/auth/…`) and the `/api/v1` router.

mod access_log;
mod api;
mod audit;
mod auth;
mod backups;
mod console;
mod error;
mod feedback;
mod forge;
mod health;
mod inventory;
mod jira_check;
mod jobs;
mod json_body;
mod mail;
mod mailbox_connect;
mod mailbox_input;
mod mailbox_test;
mod mailboxes;
mod metrics;
mod notifications;
mod oauth_grant;
mod overview;
mod people;
mod profile;
mod profile_try;
mod profile_versions;
mod readiness;
mod session;
mod settings;
mod settings_outbound;
mod settings_sources;
mod signin;
mod site_erase;
mod site_relay;
mod suppressions;
mod templates;
mod test_mail;
mod testcases;
mod tokens;
mod usage;
mod webhook_secret;
mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use postroom_store::Store;

pub use access_log::purge_forever as purge_access_log_forever;
pub use auth::ApiCaller;
pub use console::{picker_resource, resource as console_resource};
pub use error::{ApiError, FieldError};
pub use metrics::{MetricsAccess, serve_loopback as serve_metrics};
pub use profile::ProfileEdge;
pub use readiness::Readiness;
pub use session::ConsoleSettings;
pub use signin::OauthClient;
pub use webhooks::{WebhookReceiver, WebhookSecrets};

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
    /// Console sessions and sign-in.
    pub console: ConsoleSettings,
    /// `http.trusted_proxies`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[postroom_mail::smtp::Network]>,
    /// The Forge app's remote endpoints; `None` without `[forge] app_id` (they answer 404).
    pub forge: Option<crate::forge::ForgeEdge>,
    /// `usage.flags`: whether the local usage flags are counted.
    pub usage_flags: bool,
    /// Whether operator events are sent (`[operator] webhook_url_file` is set): installs,
    /// uninstalls and feedback are queued for the operator's webhook.
    pub operator_events: bool,
    /// The retention policy (`[inbound] retention_days` within `[retention]`) a site's
    /// own periods are checked against.
    pub retention: postroom_engine::retention::Policy,
    /// The instance's backups, for the administrators of its own site; `None` when
    /// `[backup] to` cannot be used (the routes answer 409).
    pub backups: Option<crate::backup::ScheduledBackups>,
    /// How postroom's own mail leaves (`[outbound]`, the sandbox's files, or each site's
    /// own relay), for Settings and its test send.
    pub outbound: crate::outbound::OutboundSetup,
    /// The profile's and the notification editor's routes: the configuration the profile
    /// is checked against, whether mail can leave, the previews' frames.
    pub profile: ProfileEdge,
}

impl AppState {
    /// Queues `event` of `tenant` for the operator, when operator events are sent. A
    /// failure is logged, never passed on: telling the operator must not fail the install.
    pub(crate) async fn tell_operator(
        &self,
        tenant: &postroom_store::TenantStore,
        event: &postroom_engine::operator::OperatorEvent,
    ) {
        if !self.operator_events {
            return;
        }
        if let Err(e) = postroom_engine::operator::queue(
            tenant,
            self.intake.keyring(),
            event,
            crate::app::now_ms(),
        )
        .await
        {
            tracing::warn!(tenant = %tenant.id(), error = %e, "cannot queue an operator event");
        }
    }

    /// The store of the caller's tenant.
    pub(crate) async fn tenant_of(
        &self,
        caller: &ApiCaller,
    ) -> Result<postroom_store::TenantStore, ApiError> {
        self.store
            .tenant(&caller.tenant)
            .await
            .map_err(|e| ApiError::Internal(e.into()))
    }
}

/// The whole HTTP surface of postroom.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::guarded))
        .route("/webhooks/jira", post(webhooks::default_tenant))
        .route("/webhooks/jira/{tenant}", post(webhooks::for_tenant))
        .route("/forge/lifecycle", post(forge::lifecycle))
        .route("/forge/events", post(forge::jira_event))
        .route("/forge/schedule", post(forge::schedule))
        .merge(
            console::routes()
                .route("/auth/signin", get(signin::start))
                .route("/auth/callback", get(signin::callback))
                .route("/auth/mailbox/callback", get(mailbox_connect::callback))
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    access_log::record,
                )),
        )
        .nest("/api/v1", api::router(state.clone()))
        .with_state(state)
}
