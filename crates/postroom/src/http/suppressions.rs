//! `/api/v1/suppressions`: the site's suppression list — the addresses postroom stops
//! mailing after they bounced — for its administrators: find an address, see why, clear
//! it. The twins of `postroom suppression list` and `clear`.
//!
//! Addresses are shown opened, as the CLI shows them: the list is an administrator's tool.
//! An address to find or clear is hashed with the instance's key and matched against the
//! stored keyed hashes; to clear, it travels in the body, never in the path.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use postroom_core::message::EmailAddress;
use postroom_engine::outbound::open_address;
use postroom_engine::people::FoundSuppression;
use postroom_store::outbound::Suppression;
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::keys;

/// Which entries to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SuppressionQuery {
    /// One address (hashed to match); without it, every entry, most recent bounce first.
    address: Option<String>,
}

/// One entry of the suppression list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuppressionBody {
    /// The address, opened; `(erased; addr:…)` for the marker a person's erasure leaves.
    pub address: String,
    /// The keyed hash the entry is found by (as the audit lists senders).
    pub address_hash: String,
    /// Why: `suppressed` (outbound mail skips the address now; soft bounces count up to
    /// the profile's limit first), `hard` (some bounce was permanent), `bounces`,
    /// `withheld` (mails not sent because of it), the last `status` and `diagnostic`,
    /// `first_at_ms` and `last_at_ms` — as `person find` shows it.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub why: FoundSuppression,
}

/// The entries listed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuppressionList {
    pub entries: Vec<SuppressionBody>,
}

/// The address to clear.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearBody {
    pub address: String,
}

/// How many entries were cleared (1).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClearedBody {
    pub cleared: u64,
}

/// The suppression list, or one address's entry. Administrators only.
#[utoipa::path(get, path = "/api/v1/suppressions", tag = "people", params(SuppressionQuery),
    responses((status = 200, body = SuppressionList), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<SuppressionQuery>, QueryRejection>,
) -> Result<Json<SuppressionList>, ApiError> {
    caller.require_admin()?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tenant = state.tenant_of(&caller).await?;
    let entries = match query.address.as_deref().filter(|a| !a.trim().is_empty()) {
        Some(text) => {
            let hash = hash_of(&state, text)
                .map_err(|message| ApiError::BadRequest(format!("address: {message}")))?;
            tenant
                .suppression(&hash)
                .await
                .map_err(internal)?
                .into_iter()
                .collect()
        }
        None => tenant.suppressions().await.map_err(internal)?,
    };
    let cipher = state
        .intake
        .keyring()
        .cipher(&tenant)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(SuppressionList {
        entries: entries.iter().map(|e| body(&cipher, e)).collect(),
    }))
}

/// Lets an address get mail again: its entry is deleted, counts and all. Postroom mails it
/// from the next mail queued; if it bounces again it is listed again. Administrators only.
#[utoipa::path(post, path = "/api/v1/suppressions/clear", tag = "people",
    request_body = ClearBody,
    responses((status = 200, body = ClearedBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn clear(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<ClearedBody>, ApiError> {
    caller.require_admin()?;
    let unprocessable = |message: String| ApiError::Unprocessable {
        errors: vec![FieldError {
            field: "address".to_owned(),
            message,
        }],
    };
    let body: ClearBody =
        serde_json::from_slice(&bytes).map_err(|e| unprocessable(e.to_string()))?;
    let hash = hash_of(&state, &body.address).map_err(unprocessable)?;
    let tenant = state.tenant_of(&caller).await?;
    match tenant
        .clear_suppressions(Some(&hash))
        .await
        .map_err(internal)?
    {
        0 => Err(ApiError::NotFound(
            "that address is not on the suppression list".to_owned(),
        )),
        cleared => Ok(Json(ClearedBody { cleared })),
    }
}

/// The keyed hash of a typed address, or what is wrong with it (never the address itself,
/// which must not reach a log through an error).
fn hash_of(state: &AppState, text: &str) -> Result<String, String> {
    let address =
        EmailAddress::parse(text.trim()).map_err(|e| format!("not an e-mail address: {e}"))?;
    Ok(keys::redactor(state.intake.keyring())
        .address(&address)
        .to_string())
}

fn body(cipher: &postroom_store::crypto::TenantCipher, entry: &Suppression) -> SuppressionBody {
    SuppressionBody {
        address: open_address(cipher, entry).unwrap_or_else(|e| format!("(unreadable: {e})")),
        address_hash: entry.address_hash.clone(),
        why: FoundSuppression::open(cipher, entry),
    }
}

fn internal(e: postroom_store::StoreError) -> ApiError {
    ApiError::Internal(e.into())
}
