//! `POST /api/v1/settings/outbound/test`: sends one short test message through the site's
//! transport in force (see [`crate::test_mail`]) and answers what happened. Administrators
//! only.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::test_mail::{self, TestMailError};

/// Whom to send the test to: one address.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMailRequest {
    pub to: String,
}

/// What became of the test.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestMailBody {
    /// The test's record in the sent-mail audit (kind `test`).
    pub id: String,
    /// `accepted`, `refused` (the server said no), `unreachable` (no session came about),
    /// `broken` (the session broke off), `misconfigured` or `failed` (the local side).
    pub outcome: String,
    /// The step it failed at: `connect`, `tls`, `login`, `sender`, `recipient`, `data`,
    /// `settings` or `local`; null when accepted.
    pub step: Option<String>,
    /// The server's reply code, when it gave one.
    pub code: Option<u16>,
    /// The server's reply (on acceptance its last, often with a queue id; the file for the
    /// file transport), or what went wrong.
    pub reply: String,
}

/// Sends a short plain test message to one address through the site's transport in force,
/// with its bounce address and DKIM key, and answers what the server said at which step.
/// A refusal is an answer (200), not an error. A suppressed address is refused (422), and
/// a site may send 10 tests an hour (then 429 with `Retry-After`). Administrators only.
#[utoipa::path(post, path = "/api/v1/settings/outbound/test", tag = "settings",
    request_body = TestMailRequest,
    responses((status = 200, body = TestMailBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<TestMailBody>, ApiError> {
    caller.require_admin()?;
    let request: TestMailRequest =
        serde_json::from_slice(&bytes).map_err(|e| field("to", e.to_string()))?;
    let tenant = state.tenant_of(&caller).await?;
    let outcome = test_mail::send(
        &tenant,
        state.intake.keyring(),
        &state.outbound,
        &request.to,
        crate::app::now_ms(),
    )
    .await
    .map_err(|e| match e {
        TestMailError::BadAddress(_) | TestMailError::Suppressed(_) => field("to", e.to_string()),
        TestMailError::NoFrom => ApiError::Conflict(e.to_string()),
        TestMailError::RateLimited { retry_after_secs } => ApiError::TooManyRequests {
            message: e.to_string(),
            retry_after_secs,
        },
        TestMailError::Internal(e) => ApiError::Internal(e),
    })?;
    Ok(Json(TestMailBody {
        id: outcome.id,
        outcome: outcome.outcome.to_owned(),
        step: outcome.step.map(str::to_owned),
        code: outcome.code,
        reply: outcome.reply,
    }))
}

fn field(name: &str, message: String) -> ApiError {
    ApiError::Unprocessable {
        errors: vec![FieldError {
            field: name.to_owned(),
            message,
        }],
    }
}
