//! Connecting a Google or Microsoft 365 mailbox through the provider's OAuth 2.0 consent
//! (authorization code with PKCE), with the instance's app of `console.oauth_google` /
//! `console.oauth_microsoft`:
//!
//! 1. `POST /api/v1/mailboxes/connect` (an administrator, with the CSRF token) checks the
//!    mailbox's settings and answers the provider's authorize URL; `state`, the PKCE
//!    verifier, a hash of the session's cookie and the settings go into a short-lived
//!    HttpOnly cookie limited to `/auth/mailbox`, so that nothing is stored before consent
//!    and any instance can finish.
//! 2. `GET /auth/mailbox/callback` wants the same session (an administrator's) and the same
//!    `state`, trades the code for tokens, seals the refresh token with the site's key and
//!    stores the mailbox, which then polls with XOAUTH2.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use postroom_mail::imap::{Auth, MailboxSettings, Secret};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::mailbox_input::{self, MailboxInput};
use super::mailboxes::internal;
use super::session::{self, cookie};
use super::{ApiError, AppState};
use crate::app::now_ms;
use crate::site_mailboxes::{self, Provider, ProviderApp};

const FLOW_COOKIE: &str = "postroom_mailbox_oauth";
const FLOW_PATH: &str = "/auth/mailbox";
const FLOW_SECS: i64 = 600;

/// `http.public_url` + `/auth/mailbox/callback`: register it with each provider's app.
pub(super) fn redirect_uri(state: &AppState) -> String {
    format!("{}{FLOW_PATH}/callback", state.console.public_url)
}

/// An XOAUTH2 login of `user`, with placeholders where the provider's app and the consent
/// go, for checking the shape.
pub(super) fn xoauth2_shape(user: &str) -> Auth {
    Auth::Xoauth2 {
        user: user.trim().to_owned(),
        token_url: String::new(),
        client_id: String::new(),
        client_secret: Secret::new(""),
        refresh_token: Secret::new(""),
    }
}

/// A mailbox to connect: the provider and the mailbox's settings (the server defaults to
/// the provider's, `user` is the mailbox's address).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // The body's schema for the OpenAPI document; it is read field by field.
pub struct ConnectRequest {
    /// `google` or `microsoft`.
    pub provider: String,
    #[serde(flatten)]
    pub mailbox: MailboxInput,
}

/// Where to send the browser for the provider's consent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectBody {
    pub authorize_url: String,
}

/// What the flow cookie carries between the two steps.
#[derive(Debug, Serialize, Deserialize)]
struct Flow {
    state: String,
    verifier: String,
    /// SHA-256 of the session's cookie: the consent finishes only in the same session.
    session: String,
    provider: String,
    /// The settings as they will be stored (no credential).
    settings: String,
}

fn session_binding(secret: &str) -> String {
    hex::encode(Sha256::digest(format!(
        "postroom mailbox consent\0{secret}"
    )))
}

/// Starts connecting a mailbox: checks its settings (as an add or an edit would, 409 for a
/// name `postroom.toml` or the profile uses, or a mailbox added with a password) and
/// answers the provider's authorize URL, setting the flow's cookie. Only from a console
/// session (the consent comes back to it). Administrators only.
#[utoipa::path(post, path = "/api/v1/mailboxes/connect", tag = "mailboxes",
    request_body = ConnectRequest,
    responses((status = 200, body = ConnectBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    JsonBody(bytes): JsonBody,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let unprocessable = |field: &str, message: &str| ApiError::Unprocessable {
        errors: vec![super::FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }],
    };
    let mut body: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| unprocessable("body", &e.to_string()))?;
    let provider = body
        .as_object_mut()
        .and_then(|b| b.remove("provider"))
        .and_then(|p| p.as_str().and_then(|p| Provider::parse(p.trim())))
        .ok_or_else(|| unprocessable("provider", "google or microsoft"))?;
    let input: MailboxInput =
        serde_json::from_value(body).map_err(|e| unprocessable("body", &e.to_string()))?;
    let app = ProviderApp::of(&state.profile.config, provider).ok_or_else(|| {
        ApiError::Conflict(format!(
            "console.{} is not set up in postroom.toml: this postroom cannot connect {} mailboxes",
            provider.table(),
            provider.as_str()
        ))
    })?;
    let secret = cookie(&headers, session::COOKIE)
        .filter(|_| caller.token_id.is_none())
        .ok_or_else(|| {
            ApiError::Forbidden(
                "connecting a mailbox needs a console session: the consent comes back to it"
                    .to_owned(),
            )
        })?;
    let mut input = input;
    if input.server.trim().is_empty() {
        provider.imap_server().clone_into(&mut input.server);
    }
    let name = input.name.clone().unwrap_or_default().trim().to_owned();
    let settings: MailboxSettings =
        mailbox_input::settings(&caller.tenant, &name, &input, xoauth2_shape(&input.user))?;
    let tenant = state.tenant_of(&caller).await?;
    super::mailboxes::check_free(&state, &tenant, &name).await?;
    if let Some(stored) = tenant.site_mailbox(&name).await.map_err(internal)?
        && stored.provider.as_deref() != Some(provider.as_str())
    {
        return Err(ApiError::Conflict(format!(
            "a mailbox {name:?} was already added here with another sign-in: remove it first \
             or choose another name"
        )));
    }
    let flow = Flow {
        state: hex::encode(rand::random::<[u8; 32]>()),
        verifier: URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()),
        session: session_binding(secret),
        provider: provider.as_str().to_owned(),
        settings: site_mailboxes::stored_form(&settings).map_err(internal)?,
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(flow.verifier.as_bytes()));
    let redirect = redirect_uri(&state);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs([
        ("client_id", app.client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", redirect.as_str()),
        ("scope", provider.scope()),
        ("state", flow.state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("login_hint", input.user.trim()),
    ]);
    query.extend_pairs(provider.extra_authorize_params().iter().copied());
    let authorize_url = format!("{}?{}", app.authorize_url, query.finish());
    let value = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&flow).map_err(internal)?);
    let set = state
        .console
        .cookie(FLOW_COOKIE, &value, FLOW_PATH, FLOW_SECS)?;
    Ok((
        [(header::SET_COOKIE, set)],
        Json(ConnectBody { authorize_url }),
    )
        .into_response())
}

/// The provider's redirect back.
#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `GET /auth/mailbox/callback`: finishes the consent in the session that started it,
/// stores the mailbox with its refresh token sealed, and goes back to the Mailboxes page.
pub async fn callback(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Query(callback): Query<Callback>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let cleared = state.console.cookie(FLOW_COOKIE, "", FLOW_PATH, 0)?;
    let outcome = finish(&state, &caller, &headers, &callback).await;
    let mut response = match outcome {
        Ok(name) => Redirect::to(&format!("/#/mailboxes/{name}")).into_response(),
        Err(reason) => {
            tracing::warn!(error = %reason, "connecting a mailbox failed");
            super::signin::page(
                axum::http::StatusCode::BAD_REQUEST,
                "The mailbox was not connected",
                &reason,
            )
        }
    };
    response.headers_mut().append(header::SET_COOKIE, cleared);
    Ok(response)
}

async fn finish(
    state: &AppState,
    caller: &ApiCaller,
    headers: &HeaderMap,
    callback: &Callback,
) -> Result<String, String> {
    if callback.error.is_some() {
        return Err("the consent was cancelled or refused at the provider".to_owned());
    }
    let stale =
        || "the consent took too long or came back to another session; start again".to_owned();
    let flow: Flow = cookie(headers, FLOW_COOKIE)
        .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(stale)?;
    let secret = cookie(headers, session::COOKIE).ok_or_else(stale)?;
    let given = callback.state.as_deref().ok_or_else(stale)?;
    if !same(given, &flow.state) || !same(&session_binding(secret), &flow.session) {
        return Err(stale());
    }
    let code = callback
        .code
        .as_deref()
        .ok_or("the provider sent no code")?;
    let provider = Provider::parse(&flow.provider).ok_or_else(stale)?;
    let app = ProviderApp::of(&state.profile.config, provider)
        .ok_or_else(|| format!("console.{} is no longer set up", provider.table()))?;
    let refresh_token = exchange(&app, code, &flow.verifier, &redirect_uri(state)).await?;
    let settings: MailboxSettings = {
        let mut value: serde_json::Value =
            serde_json::from_str(&flow.settings).map_err(|_| stale())?;
        if let Some(auth) = value.get_mut("auth").and_then(|a| a.as_object_mut()) {
            for key in ["token_url", "client_id", "client_secret", "refresh_token"] {
                auth.insert(key.into(), "".into());
            }
        }
        serde_json::from_value(value).map_err(|_| stale())?
    };
    let tenant = state.tenant_of(caller).await.map_err(|e| e.to_string())?;
    super::mailboxes::check_free(state, &tenant, &settings.name)
        .await
        .map_err(|e| e.to_string())?;
    let cipher = state
        .intake
        .keyring()
        .cipher(&tenant)
        .await
        .map_err(|e| e.to_string())?;
    let form = site_mailboxes::stored_form(&settings).map_err(|e| e.to_string())?;
    tenant
        .put_site_mailbox(
            &cipher,
            postroom_store::site_mailboxes::MailboxWrite {
                name: &settings.name,
                settings: &form,
                provider: Some(provider.as_str()),
                secret: Some(&refresh_token),
                by: Some(&caller.account_id),
            },
            now_ms(),
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "cannot store a connected mailbox");
            "the mailbox could not be stored".to_owned()
        })?;
    tracing::info!(tenant = %tenant.id(), mailbox = %settings.name, provider = provider.as_str(), "mailbox connected");
    Ok(settings.name)
}

/// Trades the code for tokens; the refresh token is what the mailbox keeps.
async fn exchange(
    app: &ProviderApp,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Token {
        refresh_token: Option<String>,
        error: Option<String>,
        error_description: Option<String>,
    }
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
            ("code_verifier", verifier),
        ])
        .finish();
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| e.to_string())?;
    let response = http
        .post(&app.token_url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("the provider's token endpoint cannot be reached: {e}"))?;
    let status = response.status();
    let token: Token = response
        .json()
        .await
        .map_err(|_| format!("the provider's token endpoint answered {status} without tokens"))?;
    if let Some(error) = token.error {
        return Err(format!(
            "the provider refused the code: {error}{}",
            token
                .error_description
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ));
    }
    token
        .refresh_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            "the provider handed out no refresh token (offline access not granted)".to_owned()
        })
}
