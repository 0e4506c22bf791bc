//! `POST /api/v1/mail`: a raw message in, for providers' inbound routes and scripts.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use postroom_engine::intake::{IntakeError, Origin};
use postroom_store::intake::IntakeSource;
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::{ApiError, AppState};
use crate::app;

/// Where an upload is counted for deduplication, unless the caller names another mailbox.
const DEFAULT_MAILBOX: &str = "upload";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// The mailbox the message arrived at (for the audit); default `upload`.
    mailbox: Option<String>,
}

/// The message is safe: stored encrypted and queued for processing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The intake id of the message.
    pub id: String,
    /// True when the tenant had already taken the same message in (same Message-ID and
    /// content digest, or the same digest without a Message-ID); nothing new was stored.
    pub duplicate: bool,
}

/// Takes one raw RFC 5322 message in. Answers 202 only once the message is committed to
/// the blob store and the queue.
#[utoipa::path(
    post,
    path = "/api/v1/mail",
    params(UploadQuery),
    request_body(content = String, content_type = "message/rfc822",
                 description = "The raw message, headers and body, as received"),
    responses(
        (status = 202, description = "Taken in", body = Accepted),
        (status = 400, description = "Bad mailbox name", body = super::error::ErrorBody),
        (status = 401, description = "No valid token", body = super::error::ErrorBody),
        (status = 413, description = "Over the size limit", body = super::error::ErrorBody),
        (status = 410, description = "The site uninstalled the Forge app", body = super::error::ErrorBody),
        (status = 415, description = "Not a message", body = super::error::ErrorBody),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    check_content_type(&headers)?;
    let mailbox = query.mailbox.unwrap_or_else(|| DEFAULT_MAILBOX.to_owned());
    if mailbox.is_empty()
        || mailbox.len() > 64
        || !mailbox
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(ApiError::BadRequest(
            "mailbox must be 1-64 letters, digits, '-', '_' or '.'".to_owned(),
        ));
    }
    let tenant = state
        .store
        .tenant(&caller.tenant)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let installation = tenant
        .forge_installation()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    if installation.is_some_and(|i| i.uninstalled_at_ms.is_some()) {
        return Err(ApiError::Gone(
            "this site has uninstalled postroom's Jira app: uploads are no longer taken".to_owned(),
        ));
    }
    let origin = Origin {
        source: IntakeSource::Upload,
        mailbox,
        store_raw: state.upload_store_raw,
        recipients: Vec::new(),
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(refuse_too_large(&state, &tenant, &origin, &headers).await);
        }
        Err(rejection) => return Err(ApiError::BadRequest(rejection.body_text())),
    };
    if !looks_like_a_message(&body) {
        return Err(ApiError::UnsupportedMediaType(
            "the body is not an RFC 5322 message: it must start with header fields".to_owned(),
        ));
    }
    match state
        .intake
        .accept(&tenant, &origin, &body, app::now_ms())
        .await
    {
        Ok(receipt) => Ok((
            StatusCode::ACCEPTED,
            Json(Accepted {
                id: receipt.id,
                duplicate: receipt.duplicate,
            }),
        )),
        Err(e @ IntakeError::TooBig { .. }) => Err(ApiError::PayloadTooLarge(e.to_string())),
        Err(IntakeError::Empty) => Err(ApiError::UnsupportedMediaType(
            "the body is empty".to_owned(),
        )),
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}

/// A body over the limit was not read to its end; its refusal is recorded with the size
/// the client declared.
async fn refuse_too_large(
    state: &AppState,
    tenant: &postroom_store::TenantStore,
    origin: &Origin,
    headers: &HeaderMap,
) -> ApiError {
    let limit = state.intake.max_size();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let reason = match declared {
        Some(size) => format!("message of {size} bytes is over the limit of {limit} bytes"),
        None => format!("message is over the limit of {limit} bytes"),
    };
    let size = declared.unwrap_or(limit.saturating_add(1));
    if let Err(e) = state
        .intake
        .refuse(tenant, origin, size, &reason, app::now_ms())
        .await
    {
        tracing::warn!(error = %e, "cannot record a refused upload");
    }
    ApiError::PayloadTooLarge(reason)
}

pub(super) fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if super::json_body::essence(content_type) == "message/rfc822" {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type must be message/rfc822, not {:?}",
            content_type
        )))
    }
}

/// A message starts with a header field (`Name: value`, the name made of letters, digits
/// and dashes as every real header is) or an mbox `From ` line; anything else (JSON, HTML,
/// a file) is not one, whatever its Content-Type said.
pub(super) fn looks_like_a_message(body: &[u8]) -> bool {
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    if first_line.starts_with(b"From ") {
        return true;
    }
    match first_line.iter().position(|b| *b == b':') {
        Some(colon) if colon > 0 => first_line[..colon]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodies_that_start_with_a_header_are_messages() {
        assert!(looks_like_a_message(b"Subject: hi\r\n\r\nbody"));
        assert!(looks_like_a_message(b"Return-Path: <a@b>\r\n"));
        assert!(looks_like_a_message(
            b"From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n"
        ));
        assert!(!looks_like_a_message(b"{\"json\": true}"));
        assert!(!looks_like_a_message(b"<html><body>x</body></html>"));
        assert!(!looks_like_a_message(b": no name\r\n"));
        assert!(!looks_like_a_message(b"two words: x\r\n"));
        assert!(!looks_like_a_message(b""));
    }
}
