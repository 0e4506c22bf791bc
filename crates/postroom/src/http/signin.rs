//! Signing in through Jira with OAuth 2.0, the authorization code flow with the client
//! secret and PKCE — Atlassian's 3LO for Jira Cloud, or Jira Data Center's own provider:
//!
//! 1. `GET /auth/signin` sends the browser to the provider's authorize URL with a random
//!    `state` and a PKCE challenge; both are kept in a short-lived HttpOnly cookie limited to
//!    `/auth`, so any instance can finish the sign-in and nothing is stored before it.
//! 2. `GET /auth/callback` checks `state`, trades the code (with the verifier) for an access
//!    token, and (Atlassian) asks which sites the token reaches: the tenant's Jira must be one
//!    of them, otherwise 403 — an Atlassian account of another site never gets in. Then the
//!    token's account is read (`/me`; on Data Center `/rest/api/2/myself`) and a session is
//!    started. The tokens are kept with the session, sealed, only so that
//!    [`super::oauth_grant`] can ask the provider from time to time whether the grant still
//!    stands; they are never used to act in Jira.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use postroom_core::tenant::TenantId;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::oauth_grant::Grant;
use super::session::{self, cookie};
use super::{ApiError, AppState};
use crate::config::{OauthProvider, Secret};

/// The cookie holding `state` and the PKCE verifier between the two steps.
const FLOW_COOKIE: &str = "postroom_oauth";

/// How long a person has to answer the provider's consent page.
const FLOW_SECS: i64 = 600;

/// The scopes asked of Atlassian: who the account is, enough of Jira to read its roles,
/// and a refresh token (`offline_access`), whose refusal later tells a revoked grant.
const ATLASSIAN_SCOPES: &str = "read:me read:jira-user read:jira-work offline_access";

/// The scope asked of Data Center: reading (`myself`).
const DATA_CENTER_SCOPES: &str = "READ";

/// The OAuth 2.0 app of `[console.oauth]`, for the tenant whose Jira is `site_url`.
#[derive(Debug)]
pub struct OauthClient {
    pub provider: OauthProvider,
    pub client_id: String,
    pub client_secret: Secret,
    pub authorize_url: String,
    pub token_url: String,
    /// Atlassian's accessible-resources; `None` on Data Center.
    pub resources_url: Option<String>,
    pub me_url: String,
    /// `http.public_url` + `/auth/callback`.
    pub redirect_uri: String,
    /// The tenant people sign in to, and its Jira site's URL.
    pub tenant: TenantId,
    pub site_url: String,
    pub http: reqwest::Client,
}

/// What can go wrong after the provider sent the browser back.
#[derive(Debug, thiserror::Error)]
pub(super) enum SignInError {
    #[error("the sign-in was cancelled or refused by Jira")]
    Refused,
    #[error("the sign-in took too long or came from another browser; start again")]
    State,
    #[error("Jira's sign-in did not answer as expected: {0}")]
    Provider(String),
    /// The provider answered 401 or 403 to the token: it no longer stands.
    #[error("Jira's sign-in refused the token at {url} ({status})")]
    TokenRefused { url: String, status: StatusCode },
    #[error("your Atlassian account has no access to {0}, the Jira site of this postroom")]
    OtherSite(String),
}

impl OauthClient {
    async fn exchange(&self, code: &str, verifier: &str) -> Result<Grant, SignInError> {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// A new grant for `refresh_token` (which the provider may rotate: the answer's
    /// refresh token, when it sends one, replaces it).
    pub(super) async fn refresh(&self, refresh_token: &str) -> Result<Grant, SignInError> {
        let mut grant = self
            .token(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .await?;
        grant
            .refresh_token
            .get_or_insert_with(|| refresh_token.to_owned());
        Ok(grant)
    }

    /// A request to the token endpoint with the client's credentials and `grant` fields.
    async fn token(&self, grant: &[(&str, &str)]) -> Result<Grant, SignInError> {
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
            refresh_token: Option<String>,
            expires_in: Option<i64>,
        }
        let mut fields = vec![
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        fields.extend_from_slice(grant);
        // Atlassian's token endpoint takes JSON; Data Center's takes a form.
        let request = match self.provider {
            OauthProvider::Atlassian => self.http.post(&self.token_url).json(
                &fields
                    .iter()
                    .map(|(k, v)| (*k, *v))
                    .collect::<std::collections::BTreeMap<_, _>>(),
            ),
            OauthProvider::DataCenter => self
                .http
                .post(&self.token_url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(
                    form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish(),
                ),
        };
        let response = request
            .send()
            .await
            .map_err(|e| SignInError::Provider(format!("token endpoint: {e}")))?;
        let status = response.status();
        // OAuth 2.0 answers a revoked or unknown grant with 400 `invalid_grant`, a refused
        // client with 401.
        if matches!(
            status,
            StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            return Err(SignInError::TokenRefused {
                url: "the token endpoint".to_owned(),
                status,
            });
        }
        if !status.is_success() {
            return Err(SignInError::Provider(format!(
                "token endpoint answered {status}"
            )));
        }
        let token: Token = response
            .json()
            .await
            .map_err(|e| SignInError::Provider(format!("token endpoint: {e}")))?;
        Ok(Grant {
            access_token: token.access_token,
            refresh_token: token.refresh_token.filter(|t| !t.is_empty()),
            expires_at_ms: crate::app::now_ms()
                .saturating_add(token.expires_in.unwrap_or(3600).saturating_mul(1000)),
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        token: &str,
    ) -> Result<T, SignInError> {
        let response = self
            .http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| SignInError::Provider(format!("{url}: {e}")))?;
        let status = response.status();
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(SignInError::TokenRefused {
                url: url.to_owned(),
                status,
            });
        }
        if !status.is_success() {
            return Err(SignInError::Provider(format!("{url} answered {status}")));
        }
        response
            .json()
            .await
            .map_err(|e| SignInError::Provider(format!("{url}: {e}")))
    }

    /// The account the token belongs to, if the tenant's site is among the token's sites.
    pub(super) async fn account(&self, token: &str) -> Result<String, SignInError> {
        #[derive(Deserialize)]
        struct Resource {
            url: String,
        }
        /// Atlassian's `/me` (`account_id`), or Jira's `myself`, which names the account
        /// like any user body of either dialect: `accountId`, else `name`, else `key`.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Me {
            #[serde(alias = "account_id")]
            account_id: Option<String>,
            name: Option<String>,
            key: Option<String>,
        }
        if let Some(resources_url) = &self.resources_url {
            let resources: Vec<Resource> = self.get(resources_url, token).await?;
            let site = self.site_url.trim_end_matches('/');
            if !resources
                .iter()
                .any(|r| r.url.trim_end_matches('/').eq_ignore_ascii_case(site))
            {
                return Err(SignInError::OtherSite(site.to_owned()));
            }
        }
        let me: Me = self.get(&self.me_url, token).await?;
        me.account_id
            .or(me.name)
            .or(me.key)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| SignInError::Provider("the account has no id".to_owned()))
    }
}

fn random_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// `GET /auth/signin`: off to the provider.
pub async fn start(State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(oauth) = &state.console.oauth else {
        return Ok(page(
            StatusCode::NOT_FOUND,
            "Sign-in with Jira is not set up",
            "Set console.oauth.client_id and console.oauth.client_secret_file in \
             postroom.toml, or print a one-time sign-in link with `postroom console link \
             --account-id ID`.",
        ));
    };
    let flow_state = random_hex();
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut query = form_urlencoded::Serializer::new(String::new());
    if oauth.provider == OauthProvider::Atlassian {
        query.extend_pairs([("audience", "api.atlassian.com"), ("prompt", "consent")]);
    }
    let scope = match oauth.provider {
        OauthProvider::Atlassian => ATLASSIAN_SCOPES,
        OauthProvider::DataCenter => DATA_CENTER_SCOPES,
    };
    let query = query
        .extend_pairs([
            ("client_id", oauth.client_id.as_str()),
            ("scope", scope),
            ("redirect_uri", oauth.redirect_uri.as_str()),
            ("state", flow_state.as_str()),
            ("response_type", "code"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .finish();
    let url = format!("{}?{query}", oauth.authorize_url);
    let cookie = state.console.cookie(
        FLOW_COOKIE,
        &format!("{flow_state}.{verifier}"),
        "/auth",
        FLOW_SECS,
    )?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&url)).into_response())
}

/// The provider's redirect back.
#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/callback`: finish the sign-in, or say why not.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(callback): Query<Callback>,
) -> Result<Response, ApiError> {
    let Some(oauth) = state.console.oauth.clone() else {
        return Err(ApiError::NotFound(
            "sign-in with Jira is not set up".to_owned(),
        ));
    };
    let cleared = state.console.cookie(FLOW_COOKIE, "", "/auth", 0)?;
    let outcome = finish(&oauth, &headers, &callback).await;
    let mut response = match outcome {
        Ok((account_id, grant)) => {
            let started = session::start(&state, &oauth.tenant, &account_id, Some(&grant)).await?;
            let mut redirect = Redirect::to("/#/").into_response();
            if let Some(cookie) = started.headers().get(header::SET_COOKIE) {
                redirect
                    .headers_mut()
                    .append(header::SET_COOKIE, cookie.clone());
            }
            redirect
        }
        Err(e @ SignInError::OtherSite(_)) => {
            tracing::info!("console sign-in refused: the account's sites do not include this one");
            page(
                StatusCode::FORBIDDEN,
                "You cannot sign in here",
                &e.to_string(),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "console sign-in failed");
            page(
                StatusCode::BAD_REQUEST,
                "You were not signed in",
                &e.to_string(),
            )
        }
    };
    response.headers_mut().append(header::SET_COOKIE, cleared);
    Ok(response)
}

async fn finish(
    oauth: &OauthClient,
    headers: &HeaderMap,
    callback: &Callback,
) -> Result<(String, Grant), SignInError> {
    if callback.error.is_some() {
        return Err(SignInError::Refused);
    }
    let (expected, verifier) = cookie(headers, FLOW_COOKIE)
        .and_then(|v| v.split_once('.'))
        .ok_or(SignInError::State)?;
    let given = callback.state.as_deref().ok_or(SignInError::State)?;
    if given.len() != expected.len()
        || given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
    {
        return Err(SignInError::State);
    }
    let code = callback.code.as_deref().ok_or(SignInError::Refused)?;
    let grant = oauth.exchange(code, verifier).await?;
    let account = oauth.account(&grant.access_token).await?;
    Ok((account, grant))
}

/// A small page of the sign-in's outcome: no script, the console's stylesheet.
pub(super) fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let html = format!(
        "<!doctype html><html lang=\"en\" data-theme=\"light:light dark:dark spacing:spacing \
         typography:typography shape:shape\" data-color-mode=\"light\"><head><meta \
         charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, \
         initial-scale=1\"><title>{title} · postroom</title><link rel=\"stylesheet\" \
         href=\"/assets/console.css\"></head><body><main class=\"signin\"><h1>{title}</h1>\
         <p>{}</p><p><a href=\"/\">Back to postroom</a></p></main></body></html>",
        escape(text),
        title = escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    super::console::secure_headers(response.headers_mut());
    response
}
