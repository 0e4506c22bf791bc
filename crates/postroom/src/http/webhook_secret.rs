//! `GET /api/v1/settings/webhook-secret` and `POST …/rotate`: the secret the site's Jira
//! webhook signs its deliveries with — whether one is set, since when and where it comes
//! from — and a new one, shown once with the steps to enter it in Jira. The twin of
//! `postroom tenant webhook-secret --rotate`: deliveries signed with the old secret get 401
//! from the moment of the rotation. Administrators only.

use axum::Json;
use axum::extract::State;
use postroom_core::tenant::TenantId;
use postroom_store::SiteSecret;
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::settings_outbound::Source;
use super::{ApiError, AppState};
use crate::app::now_ms;

/// The events notifications read; a comment also comes as `jira:issue_updated`, which
/// postroom tells once.
const EVENTS: [&str; 4] = [
    "jira:issue_created",
    "jira:issue_updated",
    "comment_created",
    "comment_updated",
];

/// The site's webhook secret, without its value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookSecretBody {
    /// Whether deliveries can be verified at all (without a secret they get 401).
    pub set: bool,
    /// Where it comes from; null when none is set.
    pub source: Option<Source>,
    /// The key in `postroom.toml` when it comes from there.
    pub key: Option<String>,
    /// When the stored secret was made or last rotated.
    pub rotated_at_ms: Option<i64>,
    /// Whether it can be rotated here (not when `postroom.toml` names it).
    pub rotatable: bool,
    /// Where Jira's webhook posts to.
    pub url: String,
    /// The events to tick in Jira's webhook.
    pub events: Vec<String>,
}

/// A new secret, shown this once, with what to do in Jira.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedBody {
    pub secret: String,
    pub url: String,
    pub events: Vec<String>,
    /// The steps in Jira's webhook administration, in order.
    pub steps: Vec<String>,
    pub rotated_at_ms: i64,
}

/// Whether the site's webhook secret is set, since when and where from. Administrators only.
#[utoipa::path(get, path = "/api/v1/settings/webhook-secret", tag = "settings",
    responses((status = 200, body = WebhookSecretBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<WebhookSecretBody>, ApiError> {
    caller.require_admin()?;
    let url = webhook_url(&state, &caller.tenant);
    let events = EVENTS.map(str::to_owned).to_vec();
    if state.webhooks.secrets.configured(&caller.tenant) {
        return Ok(Json(WebhookSecretBody {
            set: true,
            source: Some(Source::PostroomToml),
            key: Some("[webhooks] secret_file".to_owned()),
            rotated_at_ms: None,
            rotatable: false,
            url,
            events,
        }));
    }
    let tenant = state.tenant_of(&caller).await?;
    let info = tenant
        .secret_info(SiteSecret::WebhookSecret)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(WebhookSecretBody {
        set: info.is_some(),
        source: info.as_ref().map(|i| match i.made_by.as_deref() {
            Some(crate::sandbox::MADE_BY) => Source::Sandbox,
            _ => Source::Site,
        }),
        key: None,
        rotated_at_ms: info.map(|i| i.updated_at_ms),
        rotatable: true,
        url,
        events,
    }))
}

/// Makes a new webhook secret for the site and answers it this once, with the steps to
/// enter it in Jira. Deliveries signed with the old secret get 401 from now on. Where
/// `postroom.toml` names the secret (`[webhooks] secret_file`), 409. Administrators only.
#[utoipa::path(post, path = "/api/v1/settings/webhook-secret/rotate", tag = "settings",
    responses((status = 200, body = RotatedBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn rotate(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<RotatedBody>, ApiError> {
    caller.require_admin()?;
    if state.webhooks.secrets.configured(&caller.tenant) {
        return Err(ApiError::Conflict(
            "the webhook secret comes from [webhooks] secret_file in postroom.toml: change \
             that file (and Jira's webhook) instead"
                .to_owned(),
        ));
    }
    let tenant = state.tenant_of(&caller).await?;
    let cipher = state
        .intake
        .keyring()
        .cipher(&tenant)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let secret = crate::sandbox::new_secret();
    let now = now_ms();
    tenant
        .put_secret(&cipher, SiteSecret::WebhookSecret, &secret, now)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    tracing::info!(tenant = %tenant.id(), "webhook secret rotated in the console");
    let url = webhook_url(&state, &caller.tenant);
    Ok(Json(RotatedBody {
        steps: steps(&url),
        secret,
        url,
        events: EVENTS.map(str::to_owned).to_vec(),
        rotated_at_ms: now,
    }))
}

/// Where the site's Jira webhook posts: `/webhooks/jira` for `default`, else with the
/// site's name.
fn webhook_url(state: &AppState, tenant: &TenantId) -> String {
    let base = state.console.public_url.trim_end_matches('/');
    if *tenant == TenantId::default_tenant() {
        format!("{base}/webhooks/jira")
    } else {
        format!("{base}/webhooks/jira/{tenant}")
    }
}

fn steps(url: &str) -> Vec<String> {
    vec![
        "In Jira, as a Jira administrator, open Settings → System → WebHooks and edit \
         postroom's webhook (or create one)."
            .to_owned(),
        format!("URL: {url}"),
        "Secret: paste the secret shown here (it is not shown again).".to_owned(),
        "Events: Issue created and updated; Comment created and updated. You may limit \
         issues with JQL to the projects your notification rules name."
            .to_owned(),
        "Save. Deliveries signed with the old secret are refused (401) from now on.".to_owned(),
    ]
}
