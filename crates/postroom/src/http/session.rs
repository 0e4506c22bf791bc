//! Console sessions over HTTP: the cookie, the CSRF token, the caller's role read from
//! Jira, and the endpoints `GET /api/v1/session` (who is signed in), `POST
//! /api/v1/session/link` (trade a one-time link for a session) and `POST
//! /api/v1/session/signout`.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use postroom_core::tenant::TenantId;
use postroom_store::console::{SessionPolicy, SignInVia};
use postroom_store::tokens::Scope;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::oauth_grant::Grant;
use super::signin::OauthClient;
use super::{ApiError, AppState};
use crate::app;

/// The session cookie's name.
pub const COOKIE: &str = "postroom_session";

/// The header a session's state-changing request carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What the console lets an account do, read from Jira like canned responses read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A Jira administrator: every page and API.
    Admin,
    /// Administers or leads some projects: the audit entries of those projects.
    ProjectAdmin,
    /// Anyone else: the agent pages only; 403 from administrator APIs.
    Agent,
}

impl Role {
    /// The API scope the role acts with: administrators' or agents'.
    pub fn scope(self) -> Scope {
        match self {
            Role::Admin => Scope::Admin,
            Role::ProjectAdmin | Role::Agent => Scope::Agent,
        }
    }
}

/// The console's settings, from `[console]` and `[http]`.
#[derive(Debug, Clone)]
pub struct ConsoleSettings {
    pub policy: SessionPolicy,
    /// Cookies are `Secure` (`http.public_url` is https).
    pub secure_cookies: bool,
    /// The address people reach postroom at, without a trailing slash.
    pub public_url: String,
    /// The OAuth 2.0 sign-in, when `console.oauth.client_id` is set.
    pub oauth: Option<Arc<OauthClient>>,
    /// The listeners this process runs, `(name, address)`, for the overview.
    pub listeners: Vec<(String, String)>,
    /// How often a session signed in through OAuth has its grant confirmed by the
    /// provider (`console.session_check_minutes`); 0: on every request.
    pub check_every_ms: i64,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            policy: SessionPolicy::new(60 * 60 * 1000, postroom_store::console::MAX_SESSION_MS),
            secure_cookies: false,
            public_url: "http://127.0.0.1:8080".to_owned(),
            oauth: None,
            listeners: Vec::new(),
            check_every_ms: 5 * 60 * 1000,
        }
    }
}

impl ConsoleSettings {
    /// `Set-Cookie` for a new session: sent back only to this site, never to scripts.
    pub fn session_cookie(&self, secret: &str) -> Result<HeaderValue, ApiError> {
        self.cookie(COOKIE, secret, "/", self.policy.lifetime_ms / 1000)
    }

    /// `Set-Cookie` that ends the session cookie in the browser.
    pub fn cleared_session_cookie(&self) -> Result<HeaderValue, ApiError> {
        self.cookie(COOKIE, "", "/", 0)
    }

    pub fn cookie(
        &self,
        name: &str,
        value: &str,
        path: &str,
        max_age_secs: i64,
    ) -> Result<HeaderValue, ApiError> {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
        ))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cookie header: {e}")))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The CSRF token of the session whose cookie is `secret`. Derived, not stored: only a
/// page that was handed it by `GET /api/v1/session` knows it, and a copy of the database
/// cannot make one.
pub fn csrf_token(secret: &str) -> String {
    hex::encode(Sha256::digest(format!("postroom console csrf\0{secret}")))
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn csrf_matches(headers: &HeaderMap, secret: &str) -> bool {
    let expected = csrf_token(secret);
    headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| {
            given.len() == expected.len()
                && given
                    .bytes()
                    .zip(expected.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
}

/// The caller of a request that carries a session cookie and no bearer token.
pub(super) async fn caller(parts: &Parts, state: &AppState) -> Result<ApiCaller, ApiError> {
    let secret = cookie(&parts.headers, COOKIE).ok_or(ApiError::Unauthorized)?;
    let session = state
        .store
        .console_session(secret, state.console.policy, app::now_ms())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or(ApiError::Unauthorized)?;
    if changes_state(&parts.method) && !csrf_matches(&parts.headers, secret) {
        return Err(ApiError::Forbidden(format!(
            "this request needs the session's CSRF token in {CSRF_HEADER}"
        )));
    }
    if session.via == SignInVia::Oauth
        && app::now_ms().saturating_sub(session.checked_at_ms) >= state.console.check_every_ms
        && let Some(oauth) = &state.console.oauth
        && oauth.tenant == session.tenant
    {
        super::oauth_grant::confirm(state, oauth, &session, secret).await?;
    }
    let (role, projects) = role_of(state, &session.tenant, &session.account_id).await?;
    Ok(ApiCaller {
        tenant: session.tenant,
        account_id: session.account_id,
        scope: role.scope(),
        token_id: None,
        role,
        projects,
        forge_user: None,
    })
}

/// The account's role from its tenant's Jira (cached a minute by the facts cache). A
/// tenant without a Jira site has nobody to ask: whoever holds a session there got it
/// from a one-time link that only someone with the instance's configuration and
/// database can print, so they administer it.
pub async fn role_of(
    state: &AppState,
    tenant: &TenantId,
    account_id: &str,
) -> Result<(Role, BTreeSet<String>), ApiError> {
    let Some(site) = state.trackers.get(tenant) else {
        return Ok((Role::Admin, BTreeSet::new()));
    };
    let unavailable = |e: postroom_core::ports::tracker::TrackerError| {
        tracing::warn!(error = %e, "cannot read a console user's roles from Jira");
        ApiError::ServiceUnavailable(
            "Jira is not answering, so your roles there cannot be read; try again later".to_owned(),
        )
    };
    let client = site.client().await.map_err(unavailable)?;
    let administered = state
        .trackers
        .facts()
        .administered(client, tenant.as_str(), account_id)
        .await
        .map_err(unavailable)?;
    Ok(if administered.jira_admin {
        (Role::Admin, BTreeSet::new())
    } else if administered.projects.is_empty() {
        (Role::Agent, BTreeSet::new())
    } else {
        (Role::ProjectAdmin, administered.projects)
    })
}

/// Who is signed in, and the token their state-changing requests must carry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionBody {
    #[schema(value_type = String)]
    pub tenant: TenantId,
    pub account_id: String,
    pub role: Role,
    /// Projects a project administrator administers or leads.
    pub projects: BTreeSet<String>,
    /// Send it as `X-CSRF-Token` with every POST, PUT and DELETE of this session; null
    /// when the caller used an API token (which needs none).
    pub csrf_token: Option<String>,
}

/// A one-time sign-in link's token (the part after `#/link/`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LinkBody {
    pub token: String,
}

/// The signed-in caller (session or API token).
#[utoipa::path(get, path = "/api/v1/session", tag = "console",
    responses((status = 200, body = SessionBody), (status = 401, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "Jira cannot be asked for roles")))]
pub async fn show(caller: ApiCaller, headers: HeaderMap) -> Json<SessionBody> {
    let csrf_token = match caller.token_id {
        Some(_) => None,
        None => cookie(&headers, COOKIE).map(csrf_token),
    };
    Json(SessionBody {
        tenant: caller.tenant,
        account_id: caller.account_id,
        role: caller.role,
        projects: caller.projects,
        csrf_token,
    })
}

/// Trades a one-time link (`postroom console link`) for a session: it works once, within
/// 10 minutes. Sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session/link", tag = "console", request_body = LinkBody,
    responses((status = 200, body = SessionBody, description = "Signed in; the cookie is set"),
              (status = 403, body = ErrorBody, description = "Unknown, used or expired link"),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    JsonBody(bytes): JsonBody,
) -> Result<Response, ApiError> {
    let body: LinkBody = serde_json::from_slice(&bytes).map_err(|e| ApiError::Unprocessable {
        errors: vec![super::FieldError {
            field: "token".to_owned(),
            message: e.to_string(),
        }],
    })?;
    let now = app::now_ms();
    let (tenant, account_id) = state
        .store
        .redeem_console_link(&body.token, now)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(|| {
            ApiError::Forbidden(
                "this sign-in link is unknown, already used or expired; print a new one with \
                 `postroom console link`"
                    .to_owned(),
            )
        })?;
    start(&state, &tenant, &account_id, None).await
}

/// Starts a session and answers with it and its cookie: signed in through Jira's OAuth
/// when its `grant` is given (kept sealed with the session), else by a one-time link.
pub async fn start(
    state: &AppState,
    tenant: &TenantId,
    account_id: &str,
    grant: Option<&Grant>,
) -> Result<Response, ApiError> {
    let (role, projects) = role_of(state, tenant, account_id).await?;
    let internal = |e: anyhow::Error| ApiError::Internal(e);
    let store = state
        .store
        .tenant(tenant)
        .await
        .map_err(|e| internal(e.into()))?;
    let (policy, now) = (state.console.policy, app::now_ms());
    let (secret, session) = match grant {
        None => store
            .console()
            .start_session(account_id, SignInVia::Link, policy, now)
            .await
            .map_err(|e| internal(e.into()))?,
        Some(grant) => {
            let cipher = state
                .intake
                .keyring()
                .cipher(&store)
                .await
                .map_err(|e| internal(e.into()))?;
            store
                .console()
                .start_oauth_session(account_id, &cipher, &grant.to_json(), policy, now)
                .await
                .map_err(|e| internal(e.into()))?
        }
    };
    tracing::info!(
        tenant = %tenant.as_str(),
        via = session.via.as_str(),
        "console session started"
    );
    let body = SessionBody {
        tenant: tenant.clone(),
        account_id: account_id.to_owned(),
        role,
        projects,
        csrf_token: Some(csrf_token(secret.expose())),
    };
    let cookie = state.console.session_cookie(secret.expose())?;
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Ends the caller's session: its cookie signs nobody in any more.
#[utoipa::path(post, path = "/api/v1/session/signout", tag = "console",
    responses((status = 204, description = "Signed out; the cookie is cleared"),
              (status = 400, body = ErrorBody, description = "The caller used an API token"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn signout(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let secret = match (&caller.token_id, cookie(&headers, COOKIE)) {
        (None, Some(secret)) => secret,
        _ => {
            return Err(ApiError::BadRequest(
                "this request used an API token, not a session: revoke the token instead"
                    .to_owned(),
            ));
        }
    };
    state
        .store
        .end_console_session(secret)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let cleared = state.console.cleared_session_cookie()?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; postroom_session=ps_abc; x=y"),
        );
        assert_eq!(cookie(&headers, COOKIE), Some("ps_abc"));
        assert_eq!(cookie(&headers, "postroom"), None);
    }

    #[test]
    fn csrf_token_is_checked_exactly() {
        let mut headers = HeaderMap::new();
        assert!(!csrf_matches(&headers, "ps_abc"));
        let token = csrf_token("ps_abc");
        headers.insert(CSRF_HEADER, HeaderValue::from_str(&token).unwrap());
        assert!(csrf_matches(&headers, "ps_abc"));
        assert!(!csrf_matches(&headers, "ps_abd"));
    }

    #[test]
    fn cookies_are_secure_only_over_https() {
        let mut settings = ConsoleSettings::default();
        let plain = settings.session_cookie("ps_x").unwrap();
        assert_eq!(
            plain.to_str().unwrap(),
            "postroom_session=ps_x; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200"
        );
        settings.secure_cookies = true;
        assert!(
            settings
                .session_cookie("ps_x")
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }
}
