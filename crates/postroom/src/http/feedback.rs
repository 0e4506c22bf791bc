//! `POST /api/v1/feedback`: an administrator's feedback to the people who run postroom,
//! sent to the operator's webhook (see [`postroom_engine::operator`]).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use postroom_engine::operator::{OperatorError, OperatorEvent};
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;

/// What the administrator writes to the operator.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FeedbackBody {
    /// The feedback (at most 4,000 characters).
    pub text: String,
    /// An address the operator may answer at; sent only when given here.
    #[serde(default)]
    pub include_address: Option<String>,
}

/// The queued feedback's job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedbackQueued {
    pub job_id: Option<i64>,
}

/// Sends feedback to the operator's webhook (queued, retried). Administrators only; the
/// address goes along only when `include_address` holds one.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "console", request_body = FeedbackBody,
    responses((status = 202, body = FeedbackQueued, description = "Queued for the operator"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 409, body = ErrorBody,
               description = "This postroom sends no feedback: [operator] webhook_url_file is unset")))]
pub async fn send(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<(StatusCode, Json<FeedbackQueued>), ApiError> {
    caller.require_admin()?;
    let body: FeedbackBody =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Unprocessable {
            errors: vec![FieldError {
                field: "text".to_owned(),
                message: e.to_string(),
            }],
        })?;
    let invalid = |field: &str, e: OperatorError| ApiError::Unprocessable {
        errors: vec![FieldError {
            field: field.to_owned(),
            message: e.to_string(),
        }],
    };
    let event = OperatorEvent::feedback(&body.text, body.include_address.as_deref()).map_err(
        |e| match e {
            OperatorError::BadAddress => invalid("include_address", e),
            other => invalid("text", other),
        },
    )?;
    if !state.operator_events {
        return Err(ApiError::Conflict(
            "this postroom sends no feedback: its operator has not set [operator] \
             webhook_url_file"
                .to_owned(),
        ));
    }
    let tenant = state.tenant_of(&caller).await?;
    let job_id =
        postroom_engine::operator::queue(&tenant, state.intake.keyring(), &event, now_ms())
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
    Ok((StatusCode::ACCEPTED, Json(FeedbackQueued { job_id })))
}
