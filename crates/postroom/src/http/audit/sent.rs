//! What postroom sent (notifications, acknowledgements, notices): the list, one record and
//! its MIME as it went out. Administrators only.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use postroom_engine::audit::Audit;
use serde::{Deserialize, Serialize};

use super::{api_error, tenant};
use crate::http::auth::ApiCaller;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState};
use crate::{app, audit};

/// Filters of the list of sent mail; every one optional.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SentQuery {
    /// Only mail queued since then: RFC 3339, a date or an age (`24h`, `7d`).
    since: Option<String>,
    /// `notification`, `acknowledgement`, `notice` or `test` (an administrator's test of the
    /// notification templates).
    kind: Option<String>,
    /// At most this many, newest first (1–10000, default 100).
    limit: Option<i64>,
}

/// One message postroom sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SentEntry {
    pub id: String,
    /// `notification`, `acknowledgement`, `notice` or `test`.
    pub kind: String,
    /// `queued`, `sent`, `skipped` or `failed`.
    pub status: String,
    /// Why it was skipped or failed.
    pub detail: Option<String>,
    pub issue_key: Option<String>,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
    /// The recipient's address.
    pub to: Option<String>,
    pub subject: Option<String>,
    /// The Jira event a notification told.
    pub event: Option<String>,
    pub notes: Vec<String>,
    /// Whether `GET /api/v1/audit/sent/{id}/mime` has the full message.
    pub mime_kept: bool,
}

impl From<postroom_engine::audit::SentItem> for SentEntry {
    fn from(i: postroom_engine::audit::SentItem) -> Self {
        Self {
            id: i.id,
            kind: i.kind,
            status: i.status,
            detail: i.detail,
            issue_key: i.issue_key,
            created_at_ms: i.created_at_ms,
            sent_at_ms: i.sent_at_ms,
            to: i.to,
            subject: i.subject,
            event: i.event,
            notes: i.notes,
            mime_kept: i.mime_kept,
        }
    }
}

/// The list of sent mail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SentList {
    pub entries: Vec<SentEntry>,
}

/// What postroom sent (notifications, acknowledgements, notices), newest first.
#[utoipa::path(get, path = "/api/v1/audit/sent", tag = "audit", params(SentQuery),
    responses((status = 200, body = SentList), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sent_list(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<SentQuery>, QueryRejection>,
) -> Result<Json<SentList>, ApiError> {
    caller.require_admin()?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let limit = query.limit.unwrap_or(100);
    let (kind, since_ms) = audit::sent_filter(
        query.kind.as_deref(),
        query.since.as_deref(),
        limit,
        app::now_ms(),
    )
    .map_err(ApiError::BadRequest)?;
    let tenant = tenant(&state, &caller).await?;
    let items = Audit::new(state.intake.clone())
        .sent_list(&tenant, kind, since_ms, limit)
        .await
        .map_err(api_error)?;
    Ok(Json(SentList {
        entries: items.into_iter().map(SentEntry::from).collect(),
    }))
}

/// One message postroom sent.
#[utoipa::path(get, path = "/api/v1/audit/sent/{id}", tag = "audit",
    params(("id" = String, Path, description = "Sent-mail id (its VERP token)")),
    responses((status = 200, body = SentEntry), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sent_show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SentEntry>, ApiError> {
    caller.require_admin()?;
    let tenant = tenant(&state, &caller).await?;
    let item = Audit::new(state.intake.clone())
        .sent(&tenant, &id)
        .await
        .map_err(api_error)?;
    Ok(Json(SentEntry::from(item)))
}

/// The full MIME of a sent notification, as it went out (kept 7 days).
#[utoipa::path(get, path = "/api/v1/audit/sent/{id}/mime", tag = "audit",
    params(("id" = String, Path, description = "Sent-mail id")),
    responses((status = 200, content_type = "message/rfc822", body = String,
               description = "The message as sent"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody,
               description = "Unknown id, or its MIME is not kept (not a sent notification, or past 7 days)")))]
pub async fn sent_mime(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = mime_of(&state, &caller, &id).await?;
    Ok(([(header::CONTENT_TYPE, "message/rfc822")], bytes).into_response())
}

/// The kept MIME of sent message `id`, for an administrator.
async fn mime_of(state: &AppState, caller: &ApiCaller, id: &str) -> Result<Vec<u8>, ApiError> {
    caller.require_admin()?;
    let tenant = tenant(state, caller).await?;
    Audit::new(state.intake.clone())
        .sent_mime(&tenant, id)
        .await
        .map_err(api_error)
}

/// A sent notification's HTML as it went out (its text as HTML when it has none), for the
/// console's sandboxed frame: under the same policy as a mail taken in (no script, no
/// request anywhere). Kept as long as its MIME (7 days).
#[utoipa::path(get, path = "/api/v1/audit/sent/{id}/html", tag = "audit",
    params(("id" = String, Path, description = "Sent-mail id")),
    responses((status = 200, content_type = "text/html", body = String,
               description = "The message's HTML, under a sandboxing Content-Security-Policy"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody,
               description = "Unknown id, or its MIME is not kept")))]
pub async fn sent_html(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = mime_of(&state, &caller, &id).await?;
    super::mail::html_of(&bytes, &id)
}
