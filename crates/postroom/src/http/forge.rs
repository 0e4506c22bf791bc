//! `POST /forge/lifecycle`, `/forge/events` and `/forge/schedule`: the endpoints Forge
//! calls as postroom's app's remote backend; and [`api_caller`], which lets the console's
//! pages inside Jira call `/api/v1` through Forge's bridge.
//!
//! Each call's invocation token is verified before its body is read; a call that fails gets
//! 401 and nothing is stored. The installation, its site and licence are taken from the
//! token. The app system token that comes with a call (`x-forge-oauth-system`) is kept for
//! the tenant's background work. Answers are quick (Forge waits 5 seconds): an event is
//! stored and queued, never carried out here.

use axum::Json;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use postroom_engine::operator::OperatorEvent;
use postroom_engine::webhooks::{ReceiveError, Received};
use postroom_store::TenantStore;
use postroom_store::forge::{ForgeInstallation, ForgeSite, Installed};
use serde::Deserialize;
use serde_json::json;

use super::{ApiError, AppState};
use crate::app::now_ms;
use crate::forge::{ForgeEdge, Invocation, events};

/// Largest lifecycle or scheduled-trigger body taken.
const SMALL_BODY: usize = 64 * 1024;

/// A verified call: its invocation and its body.
struct Call {
    invocation: Invocation,
    body: Bytes,
}

/// Verifies the token (401), then reads the body (413 past `limit`).
async fn verified(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<(ForgeEdge, Call), Response> {
    let Some(edge) = state.forge.clone() else {
        return Err(ApiError::NotFound(
            "this postroom is no Forge app's remote: set [forge] app_id".to_owned(),
        )
        .into_response());
    };
    let Some(invocation) = invocation_of(&edge, headers).await else {
        return Err((
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "the Forge invocation token is not valid"})),
        )
            .into_response());
    };
    let body = to_bytes(body, limit).await.map_err(|_| {
        ApiError::PayloadTooLarge(format!(
            "a Forge call's body may have at most {limit} bytes"
        ))
        .into_response()
    })?;
    Ok((edge, Call { invocation, body }))
}

/// The verified invocation of a call's token; `None` (counted and logged, the reason never
/// echoed) when it is not valid.
async fn invocation_of(edge: &ForgeEdge, headers: &HeaderMap) -> Option<Invocation> {
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match edge.verifier.verify(authorization).await {
        Ok(invocation) => Some(invocation),
        Err(e) => {
            metrics::counter!("postroom_forge_calls_total", "outcome" => "unauthorized")
                .increment(1);
            tracing::info!(reason = %e, "Forge call refused");
            None
        }
    }
}

/// The installation the call is for, when the app is installed there.
async fn installed(
    state: &AppState,
    call: &Call,
) -> Result<(ForgeInstallation, TenantStore), Response> {
    let found = state
        .store
        .forge_installation(&call.invocation.installation_id)
        .await
        .map_err(|e| ApiError::Internal(e.into()).into_response())?;
    let Some(installation) = found else {
        return Err(ApiError::NotFound(
            "the app is not installed on this site (no install event was taken)".to_owned(),
        )
        .into_response());
    };
    let tenant = state
        .store
        .tenant(&installation.tenant)
        .await
        .map_err(|e| ApiError::Internal(e.into()).into_response())?;
    Ok((installation, tenant))
}

/// Keeps what a verified call brings besides its body: the system token and the licence.
/// `known` is the licence the store holds, when the caller read it already: an unchanged
/// one is not written again (a write per Jira event for nothing).
async fn keep_context(
    edge: &ForgeEdge,
    tenant: &TenantStore,
    invocation: &Invocation,
    headers: &HeaderMap,
    known: Option<Option<bool>>,
) {
    let now = now_ms();
    if let Some(token) = headers
        .get("x-forge-oauth-system")
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty())
        && let Err(e) = edge.tokens.keep(tenant, &edge.keyring, token, now).await
    {
        tracing::warn!(tenant = %tenant.id(), error = %format!("{e:#}"), "cannot keep the app system token");
    }
    if known == Some(invocation.licence_active) {
        return;
    }
    match tenant
        .set_forge_licence(invocation.licence_active, now)
        .await
    {
        Ok(true) => {
            tracing::info!(tenant = %tenant.id(), active = ?invocation.licence_active, "the site's licence changed")
        }
        Ok(false) => {}
        Err(e) => {
            tracing::warn!(tenant = %tenant.id(), error = %e, "cannot record the site's licence")
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lifecycle {
    event_type: String,
    id: String,
}

fn answer(status: StatusCode, outcome: &str) -> Response {
    metrics::counter!("postroom_forge_calls_total", "outcome" => outcome.to_owned()).increment(1);
    (status, Json(json!({ "outcome": outcome }))).into_response()
}

/// `avi:forge:installed:app` and `avi:forge:uninstalled:app`.
pub async fn lifecycle(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let (edge, call) = match verified(&state, &headers, body, SMALL_BODY).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let event: Lifecycle = match serde_json::from_slice(&call.body) {
        Ok(e) => e,
        Err(e) => {
            return ApiError::BadRequest(format!("not a Forge lifecycle event: {e}"))
                .into_response();
        }
    };
    let now = now_ms();
    match event.event_type.as_str() {
        "avi:forge:installed:app" => {
            let site = ForgeSite {
                installation_id: call.invocation.installation_id.clone(),
                cloud_id: call.invocation.cloud_id.clone(),
                api_base_url: call.invocation.api_base_url.clone(),
            };
            let outcome = match state.store.forge_install(&site, &event.id, now).await {
                Ok(outcome) => outcome,
                Err(e) => return ApiError::Internal(e.into()).into_response(),
            };
            let tenant = match state.store.tenant(outcome.tenant()).await {
                Ok(t) => t,
                Err(e) => return ApiError::Internal(e.into()).into_response(),
            };
            keep_context(&edge, &tenant, &call.invocation, &headers, None).await;
            let label = match outcome {
                Installed::New(_) => {
                    tracing::info!(tenant = %tenant.id(), "a site installed the app");
                    "installed"
                }
                Installed::Reinstalled(_) => {
                    tracing::info!(tenant = %tenant.id(), "a site installed the app again");
                    "reinstalled"
                }
                Installed::Unchanged(_) => "unchanged",
            };
            if label != "unchanged" {
                state
                    .tell_operator(&tenant, &OperatorEvent::Installed)
                    .await;
            }
            answer(StatusCode::OK, label)
        }
        "avi:forge:uninstalled:app" => {
            match state
                .store
                .forge_uninstall(&call.invocation.installation_id, &event.id, now)
                .await
            {
                Ok(true) => {
                    tracing::warn!(installation = %call.invocation.installation_id, "a site uninstalled the app: its mail is refused, its data kept for a reinstall");
                    if let Ok((_, tenant)) = installed(&state, &call).await {
                        state
                            .tell_operator(&tenant, &OperatorEvent::Uninstalled)
                            .await;
                    }
                    answer(StatusCode::OK, "uninstalled")
                }
                Ok(false) => answer(StatusCode::OK, "unchanged"),
                Err(e) => ApiError::Internal(e.into()).into_response(),
            }
        }
        _ => answer(StatusCode::OK, "ignored"),
    }
}

/// Jira's issue and comment events, taken the way webhook deliveries are.
pub async fn jira_event(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let limit = state.webhooks.max_body_bytes;
    let (edge, call) = match verified(&state, &headers, body, limit).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (installation, tenant) = match installed(&state, &call).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if installation.uninstalled_at_ms.is_some() {
        return answer(StatusCode::OK, "uninstalled");
    }
    keep_context(
        &edge,
        &tenant,
        &call.invocation,
        &headers,
        Some(installation.licence_active),
    )
    .await;
    let translated = match events::translate(&call.body) {
        Ok(Some(t)) => t,
        Ok(None) => return answer(StatusCode::OK, "unwanted"),
        Err(e) => return ApiError::BadRequest(e.to_string()).into_response(),
    };
    let webhook = match serde_json::to_vec(&translated.webhook) {
        Ok(w) => w,
        Err(e) => return ApiError::Internal(e.into()).into_response(),
    };
    match state
        .webhooks
        .intake
        .receive(tenant.id(), Some(&translated.identity), &webhook)
        .await
    {
        Ok(Received::Stored(_)) => answer(StatusCode::ACCEPTED, "stored"),
        Ok(Received::Unwanted) => answer(StatusCode::OK, "unwanted"),
        Ok(Received::Duplicate) => answer(StatusCode::OK, "duplicate"),
        Err(ReceiveError::NotAWebhook(e)) => ApiError::BadRequest(e.to_string()).into_response(),
        Err(ReceiveError::UnknownTenant(t)) => {
            ApiError::NotFound(format!("no tenant {t}")).into_response()
        }
        // No rule can be asked without a profile: the site has not set postroom up yet,
        // and Forge's retries would not change that.
        Err(ReceiveError::NoProfile(_)) => answer(StatusCode::OK, "not_set_up"),
        Err(e @ ReceiveError::Store(_)) => {
            tracing::warn!(tenant = %tenant.id(), error = %e, "a Forge event cannot be taken now");
            ApiError::ServiceUnavailable(e.to_string()).into_response()
        }
    }
}

/// The `fiveMinute` scheduled trigger: it brings a fresh app system token.
pub async fn schedule(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let (edge, call) = match verified(&state, &headers, body, SMALL_BODY).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (installation, tenant) = match installed(&state, &call).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    keep_context(
        &edge,
        &tenant,
        &call.invocation,
        &headers,
        Some(installation.licence_active),
    )
    .await;
    answer(StatusCode::OK, "ok")
}

/// The caller of an `/api/v1` request that the console's pages inside Jira made through
/// Forge's bridge (`invokeRemote`): the invocation token names the installation and the
/// person, and the person's role is read from the site's Jira as for any sign-in. No CSRF
/// token is needed: nothing the browser sends on its own (a cookie) authenticates it.
pub(super) async fn api_caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<super::auth::ApiCaller, ApiError> {
    let Some(edge) = state.forge.clone() else {
        return Err(ApiError::Unauthorized);
    };
    let invocation = invocation_of(&edge, headers)
        .await
        .ok_or(ApiError::Unauthorized)?;
    // The console is for people: a trigger's token names nobody.
    let Some(principal) = invocation.principal.clone().filter(|p| !p.is_empty()) else {
        return Err(ApiError::Unauthorized);
    };
    let installation = state
        .store
        .forge_installation(&invocation.installation_id)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or(ApiError::Unauthorized)?;
    if installation.uninstalled_at_ms.is_some() {
        return Err(ApiError::Gone(
            "postroom was uninstalled from this site; reinstall the app to use it again".to_owned(),
        ));
    }
    let tenant = state
        .store
        .tenant(&installation.tenant)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    keep_context(
        &edge,
        &tenant,
        &invocation,
        headers,
        Some(installation.licence_active),
    )
    .await;
    let (role, projects) = super::session::role_of(state, &installation.tenant, &principal).await?;
    let forge_user = headers
        .get("x-forge-oauth-user")
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty())
        .map(|token| super::auth::UserToken {
            token: postroom_jira::Secret::new(token),
            expires_at_ms: crate::forge::tokens::expiry_of(token, now_ms()),
        });
    Ok(super::auth::ApiCaller {
        tenant: installation.tenant,
        account_id: principal,
        scope: role.scope(),
        token_id: None,
        role,
        projects,
        forge_user,
    })
}
