//! `/api/v1/tokens`: the site's API tokens — list, create, revoke — the twins of `postroom
//! token list`, `create` and `revoke`, for its administrators.
//!
//! A token made here acts as the administrator who makes it (their Jira account id): the
//! console never lets one person mint a token that speaks for another. Its secret is in
//! the answer to the create, once; postroom keeps only its SHA-256.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postroom_store::tokens::{ApiTokens, Scope, TokenInfo};
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;

/// The longest name a token may be given.
const MAX_NAME: usize = 100;

/// A token as listed: never its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenBody {
    /// The public id (`token revoke ID`).
    pub id: String,
    /// The Jira account the token acts as.
    pub account_id: String,
    pub name: String,
    /// `admin` or `agent`.
    #[schema(value_type = String)]
    pub scope: Scope,
    pub created_at_ms: i64,
}

impl From<TokenInfo> for TokenBody {
    fn from(info: TokenInfo) -> Self {
        Self {
            id: info.id,
            account_id: info.account_id,
            name: info.name,
            scope: info.scope,
            created_at_ms: info.created_at_ms,
        }
    }
}

/// The site's tokens, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenBody>,
}

/// A token to make.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, to recognise it in the list (1–100 characters).
    pub name: String,
    /// `admin` manages the site; `agent` uses the agent-facing API (canned responses).
    #[schema(value_type = String)]
    pub scope: Scope,
}

/// The new token, with its secret: shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MadeToken {
    pub token: TokenBody,
    /// `Authorization: Bearer <secret>`. postroom keeps only its hash.
    pub secret: String,
}

/// The site's API tokens (never their secrets). Administrators only.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = tokens(&state, &caller).await?;
    let listed = tokens.list().await.map_err(internal)?;
    Ok(Json(TokenList {
        tokens: listed.into_iter().map(TokenBody::from).collect(),
    }))
}

/// Makes a token acting as the caller; its secret is in this answer only. Administrators
/// only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = MadeToken), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<(StatusCode, Json<MadeToken>), ApiError> {
    let tokens = tokens(&state, &caller).await?;
    let invalid = |field: &str, message: String| ApiError::Unprocessable {
        errors: vec![FieldError {
            field: field.to_owned(),
            message,
        }],
    };
    let body: NewToken =
        serde_json::from_slice(&bytes).map_err(|e| invalid("body", e.to_string()))?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            format!("a name of 1 to {MAX_NAME} characters, on one line"),
        ));
    }
    let (info, secret) = tokens
        .create(&caller.account_id, name, body.scope, now_ms())
        .await
        .map_err(internal)?;
    Ok((
        StatusCode::CREATED,
        Json(MadeToken {
            token: info.into(),
            secret: secret.expose().to_owned(),
        }),
    ))
}

/// Revokes a token of the site: the next request with it answers 401. Administrators only.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token's public id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tokens = tokens(&state, &caller).await?;
    if tokens.revoke(&id).await.map_err(internal)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("this site has no token {id}")))
    }
}

async fn tokens(state: &AppState, caller: &ApiCaller) -> Result<ApiTokens, ApiError> {
    caller.require_admin()?;
    Ok(ApiTokens::new(state.tenant_of(caller).await?))
}

fn internal(e: postroom_store::StoreError) -> ApiError {
    ApiError::Internal(e.into())
}
