//! `POST /api/v1/site/erase`: an administrator erases everything postroom holds for their
//! own site — the twin of `postroom tenant remove`, and the same erasure
//! ([`erase_tenant`]): the site's data key is destroyed first (its blobs and every backup
//! of its rows become unreadable), then its blobs and rows are deleted.
//!
//! Two sites are treated apart. A site still installed from Jira Cloud (the Forge app) is
//! refused: uninstalling the app is the way to leave, and an erase now would be undone by
//! the app's next event. The tenant `default` of a self-hosted instance is emptied, not
//! removed: it is the instance's own site, which `serve` recreates at every start, so it
//! comes back at once with its Jira connection and nothing else.

use axum::Json;
use axum::extract::State;
use postroom_core::tenant::TenantId;
use postroom_store::inventory::erase_tenant;
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;

/// The typed confirmation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseSiteBody {
    /// The site's tenant id, typed by the administrator (`default` on a self-hosted
    /// instance).
    pub confirm: String,
}

/// What the erasure removed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteErased {
    pub tenant: String,
    /// Whether a data key was destroyed (none is held before anything was sealed).
    pub key_destroyed: bool,
    pub blobs: usize,
    pub rows: u64,
    /// True for the self-hosted site `default`: it is there again, empty, with its Jira
    /// connection. False: the site is gone, and every session of it with it.
    pub emptied: bool,
}

/// Erases every record, blob and key of the caller's site. Irreversible; the body must
/// name the site. Refused (409) while the site is installed from Jira Cloud. Every
/// session of the site ends with it. Administrators only.
#[utoipa::path(post, path = "/api/v1/site/erase", tag = "people", request_body = EraseSiteBody,
    responses((status = 200, body = SiteErased), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<SiteErased>, ApiError> {
    caller.require_admin()?;
    let refuse = |message: String| ApiError::Unprocessable {
        errors: vec![FieldError {
            field: "confirm".to_owned(),
            message,
        }],
    };
    let body: EraseSiteBody = serde_json::from_slice(&bytes).map_err(|e| refuse(e.to_string()))?;
    let id = &caller.tenant;
    if body.confirm.trim() != id.as_str() {
        return Err(refuse(format!("type the site's name, {id}, to erase it")));
    }
    let tenant = state.tenant_of(&caller).await?;
    let installation = tenant.forge_installation().await.map_err(internal)?;
    if installation
        .as_ref()
        .is_some_and(|i| i.uninstalled_at_ms.is_none())
    {
        return Err(ApiError::Conflict(
            "this site is installed from Jira Cloud: uninstall postroom's app in Jira \
             (Apps, Manage apps) first; its data is then erased after the keeping period, \
             or here at once"
                .to_owned(),
        ));
    }
    let jira = tenant.record().await.map_err(internal)?.jira;
    let report = erase_tenant(
        &state.store,
        state.intake.keyring(),
        state.intake.blobs(),
        id,
    )
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    if let Some(forge) = &state.forge {
        forge.tokens.forget(id);
    }
    let emptied = *id == TenantId::default_tenant();
    if emptied {
        state
            .store
            .ensure_tenant(id, &jira, now_ms())
            .await
            .map_err(internal)?;
    }
    tracing::warn!(tenant = %id, emptied, "a site's data was erased from the API");
    Ok(Json(SiteErased {
        tenant: id.as_str().to_owned(),
        key_destroyed: report.key_destroyed,
        blobs: report.blobs,
        rows: report.rows,
        emptied,
    }))
}

fn internal(e: postroom_store::StoreError) -> ApiError {
    ApiError::Internal(e.into())
}
