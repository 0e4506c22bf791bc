//! `POST /webhooks/jira/{tenant}` (and `/webhooks/jira` for the tenant `default`): Jira's
//! deliveries for notifications.
//!
//! Checked in order, none of which stores anything: the tenant has a webhook secret and
//! the `X-Hub-Signature` matches it (else 401), the body fits the limit (else 413) and is
//! a Jira issue webhook (else 400). Then the engine keeps the delivery only when a
//! notification rule wants it; Jira gets 2xx either way, and again for a redelivery.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use postroom_core::notify::signature;
use postroom_core::tenant::TenantId;
use postroom_engine::webhooks::{ReceiveError, Received, Webhooks};
use postroom_store::crypto::Keyring;
use postroom_store::{Store, StoreError};

use super::{ApiError, AppState};
use crate::config::Secret;

/// The receiver's part of the HTTP state.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    pub intake: Webhooks,
    pub secrets: WebhookSecrets,
    pub max_body_bytes: usize,
}

/// Each tenant's webhook secret: the configuration's (`[webhooks] secret_file`) for
/// `default`, else the one sealed in the store (by `postroom tenant webhook-secret`, a
/// rotation in the console, or `serve --sandbox` at its first start), read when a delivery
/// comes (so a rotation holds at once).
#[derive(Debug, Clone)]
pub struct WebhookSecrets {
    configured: Arc<HashMap<TenantId, Secret>>,
    store: Store,
    keyring: Keyring,
}

impl WebhookSecrets {
    pub fn new(configured: HashMap<TenantId, Secret>, store: Store, keyring: Keyring) -> Self {
        Self {
            configured: Arc::new(configured),
            store,
            keyring,
        }
    }

    /// Whether `tenant`'s secret comes from the configuration (`[webhooks] secret_file`),
    /// where the console cannot change it.
    pub fn configured(&self, tenant: &TenantId) -> bool {
        self.configured.contains_key(tenant)
    }

    /// `tenant`'s secret; `None` when it has none, or is no tenant of this instance.
    async fn of(&self, tenant: &TenantId) -> anyhow::Result<Option<Secret>> {
        if let Some(secret) = self.configured.get(tenant) {
            return Ok(Some(secret.clone()));
        }
        let tenant = match self.store.tenant(tenant).await {
            Ok(tenant) => tenant,
            Err(StoreError::UnknownTenant(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        crate::sites::webhook_secret(None, &self.keyring, &tenant).await
    }
}

pub async fn default_tenant(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive(&state, TenantId::default_tenant(), &headers, body).await
}

pub async fn for_tenant(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match TenantId::parse(&tenant) {
        Ok(tenant) => receive(&state, tenant, &headers, body).await,
        Err(e) => ApiError::NotFound(format!("no tenant {tenant:?}: {e}")).into_response(),
    }
}

async fn receive(state: &AppState, tenant: TenantId, headers: &HeaderMap, body: Body) -> Response {
    let receiver = &state.webhooks;
    let secret = match receiver.secrets.of(&tenant).await {
        Ok(Some(secret)) => secret,
        // The same answer whether the tenant exists or not: a stranger learns nothing.
        Ok(None) => {
            return unauthorized(format!(
                "tenant {tenant} has no webhook secret: `postroom tenant webhook-secret \
                 {tenant}` (or [webhooks] secret_file for default)"
            ));
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "cannot read a tenant's webhook secret");
            return ApiError::ServiceUnavailable(
                "the webhook secret cannot be read now".to_owned(),
            )
            .into_response();
        }
    };
    let Some(claimed) = headers.get("x-hub-signature").and_then(|v| v.to_str().ok()) else {
        return unauthorized("X-Hub-Signature is missing".to_owned());
    };
    let body = match to_bytes(body, receiver.max_body_bytes).await {
        Ok(body) => body,
        Err(_) => {
            return ApiError::PayloadTooLarge(format!(
                "a webhook body may have at most {} bytes",
                receiver.max_body_bytes
            ))
            .into_response();
        }
    };
    if !signature::verify(secret.expose().as_bytes(), &body, claimed) {
        return unauthorized("X-Hub-Signature does not match the body".to_owned());
    }
    let identifier = headers
        .get("x-atlassian-webhook-identifier")
        .and_then(|v| v.to_str().ok());
    match receiver.intake.receive(&tenant, identifier, &body).await {
        Ok(Received::Stored(_)) => (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({"outcome": "stored"})),
        )
            .into_response(),
        Ok(Received::Unwanted) => (
            StatusCode::OK,
            Json(serde_json::json!({"outcome": "unwanted"})),
        )
            .into_response(),
        Ok(Received::Duplicate) => (
            StatusCode::OK,
            Json(serde_json::json!({"outcome": "duplicate"})),
        )
            .into_response(),
        Err(ReceiveError::NotAWebhook(e)) => ApiError::BadRequest(e.to_string()).into_response(),
        Err(ReceiveError::UnknownTenant(t)) => {
            ApiError::NotFound(format!("no tenant {t}")).into_response()
        }
        Err(e @ (ReceiveError::NoProfile(_) | ReceiveError::Store(_))) => {
            tracing::warn!(error = %e, "a webhook delivery cannot be taken now");
            ApiError::ServiceUnavailable(e.to_string()).into_response()
        }
    }
}

fn unauthorized(why: String) -> Response {
    tracing::info!(reason = %why, "webhook delivery refused");
    (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({ "error": why })),
    )
        .into_response()
}
