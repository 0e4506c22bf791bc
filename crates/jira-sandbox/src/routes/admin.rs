//! `/_sandbox`: the control surface tests and demos use — faults, stats, OAuth consent
//! codes, extra accounts, indexed property declarations,
//! media downloads.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};

use super::attachments::bytes_response;
use super::json_body;
use super::oauth::random_token;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::faults::FaultConfig;
use crate::state::model::{AccountType, User};
use crate::state::seed::API_TOKEN;
use crate::stats::{LoggedRequest, StatsSnapshot};

/// Routes nested under `/_sandbox`.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/faults", get(get_faults).put(set_faults))
        .route("/stats", get(stats).delete(reset_stats))
        .route("/requests", get(requests))
        .route("/oauth/codes", post(code))
        .route("/oauth/revoke", post(revoke))
        .route("/accounts", post(account))
        .route("/indexed-properties", put(indexed))
        .route("/media/file/{id}/binary", get(media))
}

fn admin(who: &Principal) -> ApiResult<()> {
    if who.site_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Only a site administrator may use /_sandbox.",
        ))
    }
}

async fn get_faults(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
) -> ApiResult<Json<FaultConfig>> {
    admin(&who)?;
    Ok(Json(app.faults.get()))
}

async fn set_faults(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<Json<FaultConfig>> {
    admin(&who)?;
    let config: FaultConfig = serde_json::from_value(json_body(&body)?)
        .map_err(|e| ApiError::bad_request(format!("Invalid fault configuration: {e}")))?;
    app.faults.set(config.clone());
    Ok(Json(config))
}

async fn stats(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
) -> ApiResult<Json<StatsSnapshot>> {
    admin(&who)?;
    Ok(Json(app.stats.snapshot()))
}

/// `GET /_sandbox/requests`: the request log, oldest first (emptied with the stats).
async fn requests(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
) -> ApiResult<Json<Vec<LoggedRequest>>> {
    admin(&who)?;
    Ok(Json(app.stats.requests()))
}

async fn reset_stats(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
) -> ApiResult<StatusCode> {
    admin(&who)?;
    app.stats.reset();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_sandbox/accounts {"email", "displayName", "roles": [...]}`: adds an Atlassian
/// account (API token `sandbox`) holding the named project roles in `SUP`, such as a
/// project administrator (`"roles": ["Administrators"]`) who is no site administrator.
async fn account(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    admin(&who)?;
    let body = json_body(&body)?;
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let (email, name) = (text("email"), text("displayName"));
    if !email.contains('@') || name.is_empty() {
        return Err(ApiError::bad_request("email and displayName are required."));
    }
    let roles: Vec<String> = body
        .get("roles")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let n: u64 = rand::random::<u64>() % 1_000_000_000_000;
    let account_id = format!("557058:0b5e0000-0000-4000-8000-{n:012}");
    {
        let mut site = app.store.write();
        if site.user_by_email(&email).is_some() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("An account with e-mail '{email}' exists."),
            ));
        }
        if let Some(unknown) = roles
            .iter()
            .find(|r| !site.roles.iter().any(|x| &x.name == *r))
        {
            return Err(ApiError::bad_request(format!("Unknown role '{unknown}'.")));
        }
        site.users.push(User {
            account_id: account_id.clone(),
            email,
            display_name: name,
            account_type: AccountType::Atlassian,
            api_token: Some(API_TOKEN.to_owned()),
            pat: None,
            site_admin: false,
            active: true,
        });
        for role in site.roles.iter_mut().filter(|r| roles.contains(&r.name)) {
            role.members.push(account_id.clone());
        }
    }
    app.store.persist();
    Ok((StatusCode::CREATED, Json(json!({"accountId": account_id}))))
}

async fn code(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    admin(&who)?;
    let body = if body.is_empty() {
        json!({})
    } else {
        json_body(&body)?
    };
    let account = body
        .get("accountId")
        .and_then(Value::as_str)
        .unwrap_or(&who.account_id)
        .to_owned();
    let code = random_token("sbx-code-");
    {
        let mut site = app.store.write();
        if site.user(&account).is_none() {
            return Err(ApiError::bad_request(format!(
                "Unknown account '{account}'."
            )));
        }
        site.oauth.codes.insert(code.clone(), account);
    }
    app.store.persist();
    Ok(Json(json!({"code": code})))
}

/// `POST /_sandbox/oauth/revoke {"accountId"}`: what a person does under "Connected apps"
/// of their Atlassian account (or a Data Center administrator on the user's tokens):
/// every access and refresh token of the account stops working at once. Answers how many
/// went.
async fn revoke(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    admin(&who)?;
    let body = json_body(&body)?;
    let account = body
        .get("accountId")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("Send {\"accountId\": \"...\"}."))?
        .to_owned();
    let revoked = {
        let mut site = app.store.write();
        let before = site.oauth.access_tokens.len() + site.oauth.refresh_tokens.len();
        site.oauth
            .access_tokens
            .retain(|_, (owner, _)| *owner != account);
        site.oauth
            .refresh_tokens
            .retain(|_, owner| *owner != account);
        before - site.oauth.access_tokens.len() - site.oauth.refresh_tokens.len()
    };
    app.store.persist();
    Ok(Json(json!({"revoked": revoked})))
}

async fn indexed(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    admin(&who)?;
    let keys: Vec<String> = serde_json::from_value(json_body(&body)?)
        .map_err(|_| ApiError::bad_request("Send a JSON array of property keys."))?;
    app.store.write().indexed_properties = keys.clone();
    app.store.persist();
    Ok(Json(json!(keys)))
}

async fn media(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Response> {
    let found = app
        .store
        .read()
        .attachments
        .values()
        .find(|a| a.media_id == id)
        .cloned();
    let a = found.ok_or_else(|| ApiError::not_found(format!("No media file with id '{id}'.")))?;
    bytes_response(&a)
}
