//! Who is calling: the one extractor that authenticates `/api/v1` requests.
//!
//! A handler that takes an [`ApiCaller`] runs only for a valid, unrevoked API token
//! (`Authorization: Bearer pr_…`), a live console session (its cookie), or — when postroom
//! is a Forge app's remote — a valid Forge invocation token from the console's pages inside
//! Jira (see [`super::forge::api_caller`]); everything else
//! answers 401 before the handler runs. A session's state-changing request (anything but
//! GET, HEAD and OPTIONS) must also carry the session's CSRF token in `X-CSRF-Token`, or it
//! answers 403 and changes nothing: the cookie is sent by the browser on its own, the token
//! only by the console's code. The caller is also noted for the access log, which runs
//! outside the handler.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use postroom_core::tenant::TenantId;
use postroom_store::tokens::{Authenticated, Scope};
use serde::Serialize;

use super::session::{self, Role};
use super::{ApiError, AppState};

/// The tenant and Jira account an API request speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiCaller {
    /// The tenant (Jira site) the token or session belongs to.
    #[schema(value_type = String)]
    pub tenant: TenantId,
    /// The Jira account id the caller acts as.
    pub account_id: String,
    /// `admin` or `agent`: a token's scope; for a session, `admin` for Jira administrators.
    #[schema(value_type = String)]
    pub scope: Scope,
    /// The token's public id (as `postroom token list` shows it), never its secret; null
    /// for a console session.
    pub token_id: Option<String>,
    /// What the console lets the caller do: `admin`, `project_admin` or `agent`.
    pub role: Role,
    /// For a project administrator, the keys of the projects they administer or lead.
    pub projects: BTreeSet<String>,
    /// The person's own Forge user token, when they called from the console inside Jira
    /// (`x-forge-oauth-user`): what they do in Jira is done with it, as them, within the
    /// call. Never serialised.
    #[serde(skip)]
    #[schema(ignore)]
    pub forge_user: Option<UserToken>,
}

/// A person's Forge user token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserToken {
    pub token: postroom_jira::Secret,
    pub expires_at_ms: i64,
}

impl UserToken {
    /// The Jira authentication that acts as the person.
    pub fn auth(&self) -> postroom_jira::Auth {
        let held = postroom_jira::SystemToken::default();
        held.offer(self.token.clone(), self.expires_at_ms);
        postroom_jira::Auth::Forge(held)
    }
}

/// Which audit entries a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    /// Every entry (Jira administrators, admin tokens).
    All,
    /// Entries whose issue is in one of these projects (project administrators and leads).
    Projects(BTreeSet<String>),
}

impl AuditScope {
    /// Whether an entry whose result names `issue_key` (or none) is within this scope.
    /// Entries with no issue are administrators' only.
    pub fn covers(&self, issue_key: Option<&str>) -> bool {
        match self {
            AuditScope::All => true,
            AuditScope::Projects(keys) => issue_key
                .and_then(|key| key.split_once('-'))
                .is_some_and(|(project, _)| keys.contains(project)),
        }
    }
}

impl ApiCaller {
    /// Refuses callers who are not administrators.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::ProjectAdmin | Role::Agent => Err(ApiError::Forbidden(
                "this needs a Jira administrator or an admin token".to_owned(),
            )),
        }
    }

    /// The audit entries the caller may see; 403 for agents.
    pub fn audit_scope(&self) -> Result<AuditScope, ApiError> {
        match self.role {
            Role::Admin => Ok(AuditScope::All),
            Role::ProjectAdmin => Ok(AuditScope::Projects(self.projects.clone())),
            Role::Agent => Err(ApiError::Forbidden(
                "the audit is for Jira administrators and project administrators".to_owned(),
            )),
        }
    }
}

impl From<Authenticated> for ApiCaller {
    fn from(a: Authenticated) -> Self {
        Self {
            tenant: a.tenant,
            account_id: a.account_id,
            scope: a.scope,
            token_id: Some(a.token_id),
            role: match a.scope {
                Scope::Admin => Role::Admin,
                Scope::Agent => Role::Agent,
            },
            projects: BTreeSet::new(),
            forge_user: None,
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
        let caller: ApiCaller = match bearer_token(parts) {
            // postroom's own tokens are `pr_…`; a JWT is Forge's invocation token.
            Some(token) if state.forge.is_some() && is_jwt(token) => {
                super::forge::api_caller(state, &parts.headers).await?
            }
            Some(token) => state
                .store
                .authenticate(token)
                .await
                .map_err(|e| ApiError::Internal(e.into()))?
                .ok_or(ApiError::Unauthorized)?
                .into(),
            None => session::caller(parts, state).await?,
        };
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            slot.set(&caller);
        }
        Ok(caller)
    }
}

/// Whether `token` is shaped like a JWT (three base64url parts), as Forge's invocation
/// tokens are and postroom's API tokens never are.
fn is_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
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

    #[test]
    fn only_three_part_base64url_tokens_look_like_jwts() {
        assert!(is_jwt("eyJh.eyJz.c2ln"));
        assert!(!is_jwt("pr_abc"));
        assert!(!is_jwt("a.b"));
        assert!(!is_jwt("a..c"));
        assert!(!is_jwt("a.b.c.d"));
        assert!(!is_jwt("a.b+.c"));
    }
}
