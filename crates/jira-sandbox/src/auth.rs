//! Authentication, which comes before everything else: Basic (e-mail + API token) and Bearer
//! (personal access token, OAuth access token, or a Forge app's system or user token),
//! from loopback only.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::app::App;
use crate::error::ApiError;
use crate::state::Site;
use crate::time::now_ms;

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// `Authorization: Basic` with an API token.
    Basic,
    /// `Authorization: Bearer` with a personal access token.
    Pat,
    /// `Authorization: Bearer` with an OAuth 2.0 access token.
    OAuth,
    /// `Authorization: Bearer` with a Forge app system token (the app acting as itself).
    ForgeSystem,
    /// `Authorization: Bearer` with a Forge user token (the app acting for a user).
    ForgeUser,
}

/// The authenticated caller, inserted as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Account the request acts as.
    pub account_id: String,
    /// May use `/_sandbox` admin endpoints.
    pub site_admin: bool,
    /// Credential type.
    pub kind: AuthKind,
}

/// Paths answered without site credentials: serverInfo (as on Jira), the OAuth token
/// endpoints, and the sign-in endpoints of `routes::signin` (the consent pages are a
/// browser's; accessible-resources and `/me` check the OAuth token themselves, for any
/// site's account), and the stand-in issue pages of `routes::browse`, whose reader Jira
/// would have signed in with a cookie the sandbox does not have.
fn is_public(app: &App, path: &str) -> bool {
    path.ends_with("/serverInfo")
        || path.starts_with("/browse/")
        || path == "/issues/"
        || path == app.config.oauth_token_path
        || matches!(
            path,
            "/oauth/authorize"
                | "/oauth/token/accessible-resources"
                | "/me"
                | "/rest/oauth2/latest/authorize"
                | "/rest/oauth2/latest/token"
        )
}

/// Middleware: 401 unless the request carries valid credentials from a loopback peer.
pub async fn authenticate(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if is_public(&app, &path) {
        return next.run(req).await;
    }
    if app.config.loopback_only {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        if !peer.is_some_and(|p| p.ip().is_loopback()) {
            app.stats.effect("unauthorized");
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "The sandbox accepts credentials from loopback clients only.",
            )
            .into_response();
        }
    }
    let principal = {
        let site = app.store.read();
        identify(&site, &req)
    };
    match principal {
        Some(p) => {
            req.extensions_mut().insert(p);
            next.run(req).await
        }
        None => {
            app.stats.effect("unauthorized");
            ApiError::unauthorized().into_response()
        }
    }
}

fn identify(site: &Site, req: &Request) -> Option<Principal> {
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())?;
    let (scheme, credential) = header.split_once(' ')?;
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => basic(site, credential.trim()),
        "bearer" => bearer(site, credential.trim()),
        _ => None,
    }
}

fn basic(site: &Site, credential: &str) -> Option<Principal> {
    let decoded = STANDARD.decode(credential).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, token) = text.split_once(':')?;
    let user = site.user_by_email(email)?;
    (user.active && user.api_token.as_deref() == Some(token)).then(|| Principal {
        account_id: user.account_id.clone(),
        site_admin: user.site_admin,
        kind: AuthKind::Basic,
    })
}

fn bearer(site: &Site, token: &str) -> Option<Principal> {
    if let Some(user) = site
        .users
        .iter()
        .find(|u| u.active && u.pat.as_deref() == Some(token))
    {
        return Some(Principal {
            account_id: user.account_id.clone(),
            site_admin: user.site_admin,
            kind: AuthKind::Pat,
        });
    }
    if let Some(grant) = site.forge.tokens.get(token) {
        let user = site.user(&grant.account_id).filter(|u| u.active)?;
        return (grant.expires_ms > now_ms()).then(|| Principal {
            account_id: user.account_id.clone(),
            site_admin: user.site_admin,
            kind: if grant.system {
                AuthKind::ForgeSystem
            } else {
                AuthKind::ForgeUser
            },
        });
    }
    let (account, expires) = site.oauth.access_tokens.get(token)?;
    let user = site.user(account).filter(|u| u.active)?;
    (*expires > now_ms()).then(|| Principal {
        account_id: user.account_id.clone(),
        site_admin: user.site_admin,
        kind: AuthKind::OAuth,
    })
}
