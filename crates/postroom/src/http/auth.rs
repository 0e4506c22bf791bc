//! Bearer-token authentication of `/api/v1`.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use postroom_core::tenant::TenantId;
use postroom_store::TenantStore;
use postroom_store::tokens::Scope;
use serde::Serialize;

use super::{ApiError, AppState};

/// The caller of an API request, proven by `Authorization: Bearer <token>`: a handler that
/// takes this argument only runs for a live token, and reaches only that token's tenant.
/// The token is looked up on every request, so a revoked one is refused at once.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub tenant: TenantStore,
    pub account_id: String,
    pub scope: Scope,
}

/// Filled in by the extractor so the access log, which wraps the handler, can record who
/// called without ever seeing the token.
#[derive(Debug, Clone, Default)]
pub struct CallerSlot(pub Arc<Mutex<Option<(TenantId, String)>>>);

impl CallerSlot {
    pub fn get(&self) -> Option<(TenantId, String)> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, tenant: TenantId, account_id: String) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((tenant, account_id));
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthorized)?;
        let who = state
            .store
            .authenticate(token)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .ok_or(ApiError::Unauthorized)?;
        let tenant = match state.store.tenant(&who.tenant).await {
            Ok(tenant) => tenant,
            Err(postroom_store::StoreError::UnknownTenant(_)) => {
                return Err(ApiError::Unauthorized);
            }
            Err(e) => return Err(ApiError::Internal(e.into())),
        };
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            slot.set(who.tenant.clone(), who.account_id.clone());
        }
        Ok(ApiCaller {
            tenant,
            account_id: who.account_id,
            scope: who.scope,
        })
    }
}

/// Who the token speaks for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WhoAmI {
    pub tenant: String,
    pub account_id: String,
    /// `admin` or `agent`.
    pub scope: String,
}

/// The tenant, account and scope of the token used; lets a client check its token.
#[utoipa::path(
    get,
    path = "/api/v1/whoami",
    responses(
        (status = 200, description = "the token is valid", body = WhoAmI),
        (status = 401, description = "missing, unknown or revoked token", body = super::error::ErrorBody)
    )
)]
pub async fn whoami(caller: ApiCaller) -> Json<WhoAmI> {
    Json(WhoAmI {
        tenant: caller.tenant.id().to_string(),
        account_id: caller.account_id,
        scope: caller.scope.to_string(),
    })
}
