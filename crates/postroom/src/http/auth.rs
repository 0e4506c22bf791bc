//! Who is calling: the one extractor that authenticates `/api/v1` requests.
//!
//! A handler that takes an [`ApiCaller`] can only run for a valid, unrevoked API token
//! (`Authorization: Bearer pr_…`); everything else answers 401 before the handler runs.
//! The caller is also noted for the access log, which runs outside the handler.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use postroom_core::tenant::TenantId;
use postroom_store::tokens::{Authenticated, Scope};
use serde::Serialize;

use super::{ApiError, AppState};

/// The tenant and Jira account an API request speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiCaller {
    /// The tenant (Jira site) the token belongs to.
    #[schema(value_type = String)]
    pub tenant: TenantId,
    /// The Jira account id the token acts as.
    pub account_id: String,
    /// `admin` or `agent`.
    #[schema(value_type = String)]
    pub scope: Scope,
    /// The token's public id (as `postroom token list` shows it), never its secret.
    pub token_id: String,
}

impl ApiCaller {
    /// Refuses callers whose token is not an admin token.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.scope {
            Scope::Admin => Ok(()),
            Scope::Agent => Err(ApiError::Forbidden("this needs an admin token".to_owned())),
        }
    }
}

impl From<Authenticated> for ApiCaller {
    fn from(a: Authenticated) -> Self {
        Self {
            tenant: a.tenant,
            account_id: a.account_id,
            scope: a.scope,
            token_id: a.token_id,
        }
    }
}

/// Where the extractor leaves the caller for the access-log layer to read afterwards.
#[derive(Debug, Clone, Default)]
pub struct CallerSlot(Arc<Mutex<Option<ApiCaller>>>);

impl CallerSlot {
    pub fn get(&self) -> Option<ApiCaller> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, caller: &ApiCaller) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(caller.clone());
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or(ApiError::Unauthorized)?;
        let caller: ApiCaller = state
            .store
            .authenticate(token)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .ok_or(ApiError::Unauthorized)?
            .into();
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            slot.set(&caller);
        }
        Ok(caller)
    }
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive).
fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn parts(header: Option<&str>) -> Parts {
        let mut request = Request::builder();
        if let Some(value) = header {
            request = request.header(AUTHORIZATION, value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn only_bearer_headers_carry_a_token() {
        assert_eq!(bearer_token(&parts(Some("Bearer pr_abc"))), Some("pr_abc"));
        assert_eq!(
            bearer_token(&parts(Some("bearer  pr_abc "))),
            Some("pr_abc")
        );
        assert_eq!(bearer_token(&parts(Some("Basic dXNlcjpwYXNz"))), None);
        assert_eq!(bearer_token(&parts(Some("Bearer "))), None);
        assert_eq!(bearer_token(&parts(Some("pr_abc"))), None);
        assert_eq!(bearer_token(&parts(None)), None);
    }
}
