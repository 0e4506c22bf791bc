//! Signing a person in with the site's OAuth 2.0 (3LO) authorization code flow, as a web
//! app such as postroom's console does it against Atlassian:
//!
//! - `GET /oauth/authorize` — the consent page (Atlassian's `auth.atlassian.com/authorize`;
//!   also at Data Center's `/rest/oauth2/latest/authorize`, whose token endpoint is
//!   `/rest/oauth2/latest/token`).
//!   There are no passwords in the sandbox: the page lists the accounts one may sign in as,
//!   including [`OUTSIDER_ACCOUNT_ID`], an account of another site. `POST` of its form
//!   redirects to `redirect_uri` with `code` and `state`, or `error=access_denied`.
//! - `GET /oauth/token/accessible-resources` — the sites the bearer token reaches
//!   (`api.atlassian.com/oauth/token/accessible-resources`): `[{id, url, name, scopes,
//!   avatarUrl}]`.
//! - `GET /me` — the token's account (`api.atlassian.com/me`): `account_id`, `email`,
//!   `name`, `account_status`.
//!
//! As on Atlassian, these take the OAuth access token themselves (a token of an outsider
//! reaches them but not the site's REST API), and an unknown client or a non-loopback
//! `redirect_uri` gets an error page, never a redirect.

use axum::Form;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::oauth::random_token;
use crate::app::App;
use crate::state::Site;
use crate::state::model::{AccountType, CodeGrant};
use crate::state::seed::{OTHER_CLOUD_ID, OTHER_SITE_URL, OUTSIDER_ACCOUNT_ID, OUTSIDER_EMAIL};
use crate::time::now_ms;

/// The scopes the sandbox grants, whatever was asked for.
const SCOPES: [&str; 4] = [
    "read:jira-work",
    "write:jira-work",
    "read:jira-user",
    "read:me",
];

/// The authorization request, as Atlassian's documentation spells it.
#[derive(Debug, Deserialize)]
pub struct AuthorizeRequest {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    code_challenge: Option<String>,
    #[serde(default)]
    code_challenge_method: Option<String>,
}

/// The consent form's answer: the request again, plus who signs in or a refusal.
#[derive(Debug, Deserialize)]
pub struct Consent {
    #[serde(flatten)]
    request: AuthorizeRequest,
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    decision: String,
}

fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in \
             error</title></head><body><main><h1>Something went wrong</h1><p>{}</p></main>\
             </body></html>",
            escape(message)
        )),
    )
        .into_response()
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What makes a request unusable before anything is shown to the person.
fn check(app: &App, request: &AuthorizeRequest) -> Result<(), &'static str> {
    if !app
        .store
        .read()
        .oauth
        .clients
        .contains_key(&request.client_id)
    {
        return Err("The app that sent you here is not registered (unknown client_id).");
    }
    if request.response_type != "code" {
        return Err("Only response_type=code is supported.");
    }
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
    if !loopback.iter().any(|p| request.redirect_uri.starts_with(p)) {
        return Err("The redirect_uri does not match the app's callback URL.");
    }
    match request
        .code_challenge_method
        .as_deref()
        .filter(|m| !m.is_empty())
    {
        None | Some("S256") => Ok(()),
        Some(_) => Err("code_challenge_method must be S256."),
    }
}

/// `GET /oauth/authorize`: the consent page.
pub async fn authorize(
    State(app): State<App>,
    Query(request): Query<AuthorizeRequest>,
) -> Response {
    if let Err(message) = check(&app, &request) {
        return error_page(message);
    }
    let site = app.store.read();
    let mut accounts: Vec<(String, String)> = site
        .users
        .iter()
        .filter(|u| u.active && u.account_type == AccountType::Atlassian)
        .map(|u| {
            (
                u.account_id.clone(),
                format!("{} <{}>", u.display_name, u.email),
            )
        })
        .collect();
    accounts.push((
        OUTSIDER_ACCOUNT_ID.to_owned(),
        format!("Olive Outsider <{OUTSIDER_EMAIL}> (another site)"),
    ));
    drop(site);
    let hidden = [
        ("client_id", request.client_id.as_str()),
        ("redirect_uri", request.redirect_uri.as_str()),
        ("state", request.state.as_str()),
        ("response_type", request.response_type.as_str()),
        (
            "code_challenge",
            request.code_challenge.as_deref().unwrap_or(""),
        ),
        (
            "code_challenge_method",
            request.code_challenge_method.as_deref().unwrap_or(""),
        ),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect::<String>();
    let options = accounts
        .iter()
        .enumerate()
        .map(|(i, (id, label))| {
            format!(
                "<p><input type=\"radio\" name=\"account_id\" id=\"a{i}\" value=\"{}\"{}>\
                 <label for=\"a{i}\">{}</label></p>",
                escape(id),
                if i == 0 { " checked" } else { "" },
                escape(label)
            )
        })
        .collect::<String>();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Jira sandbox: allow access</title></head><body><main>\
         <h1>Allow the app access to your Atlassian account?</h1>\
         <form method=\"post\"><fieldset><legend>Sign in as</legend>{options}</fieldset>\
         {hidden}<button type=\"submit\" name=\"decision\" value=\"accept\">Accept</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></form>\
         </main></body></html>"
    ))
    .into_response()
}

/// `POST /oauth/authorize`: the person's answer, sent back to the app.
pub async fn consent(State(app): State<App>, Form(consent): Form<Consent>) -> Response {
    let request = &consent.request;
    if let Err(message) = check(&app, request) {
        return error_page(message);
    }
    let separator = if request.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let state: String = form_urlencoded::byte_serialize(request.state.as_bytes()).collect();
    if consent.decision != "accept" {
        return Redirect::to(&format!(
            "{}{separator}error=access_denied&error_description=User%20did%20not%20authorize%20the%20request&state={state}",
            request.redirect_uri
        ))
        .into_response();
    }
    let code = random_token("sbx-code-");
    {
        let mut site = app.store.write();
        let known = site.user(&consent.account_id).is_some_and(|u| u.active)
            || consent.account_id == OUTSIDER_ACCOUNT_ID;
        if !known {
            drop(site);
            return error_page("Choose an account to sign in as.");
        }
        site.oauth
            .codes
            .insert(code.clone(), consent.account_id.clone());
        site.oauth.grants.insert(
            code.clone(),
            CodeGrant {
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone().filter(|c| !c.is_empty()),
            },
        );
    }
    app.store.persist();
    app.stats.effect("oauth_code_issued");
    Redirect::to(&format!(
        "{}{separator}code={code}&state={state}",
        request.redirect_uri
    ))
    .into_response()
}

/// The account of a valid OAuth access token, whether or not it belongs to this site.
fn token_account(site: &Site, headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let (account, expires) = site.oauth.access_tokens.get(token.trim())?;
    (*expires > now_ms()).then(|| account.clone())
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"code": 401, "message": "Unauthorized"})),
    )
        .into_response()
}

/// `GET /oauth/token/accessible-resources`.
pub async fn accessible_resources(State(app): State<App>, headers: HeaderMap) -> Response {
    let site = app.store.read();
    let Some(account) = token_account(&site, &headers) else {
        return unauthorized();
    };
    let resource = |id: &str, url: &str, name: &str| -> Value {
        json!({"id": id, "url": url, "name": name, "scopes": SCOPES,
               "avatarUrl": format!("{url}/images/site-avatar.png")})
    };
    let list = if site.user(&account).is_some_and(|u| u.active) {
        vec![resource(&app.config.cloud_id, &app.base_url, "sandbox")]
    } else {
        vec![resource(OTHER_CLOUD_ID, OTHER_SITE_URL, "elsewhere")]
    };
    Json(list).into_response()
}

/// `GET /me`.
pub async fn me(State(app): State<App>, headers: HeaderMap) -> Response {
    let site = app.store.read();
    let Some(account) = token_account(&site, &headers) else {
        return unauthorized();
    };
    let (email, name) = match site.user(&account) {
        Some(user) => (user.email.clone(), user.display_name.clone()),
        None => (OUTSIDER_EMAIL.to_owned(), "Olive Outsider".to_owned()),
    };
    Json(json!({
        "account_id": account, "account_type": "atlassian", "account_status": "active",
        "email": email, "email_verified": true, "name": name, "nickname": name,
        "picture": format!("{}/images/avatar.png", app.base_url),
    }))
    .into_response()
}
