//! `/api/v1/audit`: the processing audit, for admin tokens only (403 for others). The list
//! names senders only by their keyed hash; one message's report names its sender, and its
//! raw mail is the mail itself.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use postroom_engine::audit::{Audit, AuditError};
use postroom_store::TenantStore;
use postroom_store::audit::AuditEntry;
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::{ApiError, AppState};
use crate::{app, audit, keys};

/// Filters of the audit list; every one optional.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only messages taken in since then: RFC 3339, a date (`2026-11-01`) or an age
    /// (`24h`, `7d`).
    since: Option<String>,
    /// `pending`, `refused`, `created`, `commented`, `ignored`, `held`, `rejected` or `failed`.
    status: Option<String>,
    /// A sender: an e-mail address (hashed to match) or a sender hash as listed (`addr:…`).
    from: Option<String>,
    /// At most this many, newest first (1–10000, default 100).
    limit: Option<i64>,
}

/// One message of the audit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditItem {
    /// The intake id.
    pub id: String,
    /// Received, in milliseconds since the epoch.
    pub received_at_ms: i64,
    /// The mailbox or listener it came through.
    pub mailbox: String,
    /// `listener`, `upload`, `file` or `mailbox`.
    pub source: String,
    pub size: i64,
    /// `pending`, `refused`, `created`, `commented`, `ignored`, `held`, `rejected` or `failed`.
    pub status: String,
    /// Why it was refused at intake.
    pub reason: Option<String>,
    /// False when its raw mail is deleted once processed (`store_raw = false`).
    pub store_raw: bool,
    pub issue_key: Option<String>,
    pub comment_id: Option<String>,
    /// The keyed hash of the sender's address.
    pub sender_hash: Option<String>,
    pub processed_at_ms: Option<i64>,
}

impl From<&AuditEntry> for AuditItem {
    fn from(entry: &AuditEntry) -> Self {
        let result = entry.result.as_ref();
        Self {
            id: entry.intake.id.clone(),
            received_at_ms: entry.intake.received_at_ms,
            mailbox: entry.intake.mailbox.clone(),
            source: entry.intake.source.as_str().to_owned(),
            size: entry.intake.size,
            status: entry.status().as_str().to_owned(),
            reason: entry.intake.reason.clone(),
            store_raw: entry.intake.store_raw,
            issue_key: result.and_then(|r| r.issue_key.clone()),
            comment_id: result.and_then(|r| r.comment_id.clone()),
            sender_hash: result.and_then(|r| r.sender_hash.clone()),
            processed_at_ms: result.map(|r| r.processed_at_ms),
        }
    }
}

/// The audit list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditList {
    pub entries: Vec<AuditItem>,
}

/// One message with its processing report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditDetail {
    #[serde(flatten)]
    pub item: AuditItem,
    /// The processing report (what was read, the plan and its reasons, Jira's answers);
    /// null before the message has a result.
    #[schema(value_type = Option<Object>)]
    pub report: Option<serde_json::Value>,
}

/// A reprocess was queued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reprocessing {
    /// The new job's id (null when an identical request was queued already).
    pub job_id: Option<i64>,
}

/// The messages taken in, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditList>, ApiError> {
    caller.require_admin()?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let redactor = keys::redactor(state.intake.keyring());
    let filter = audit::filter(
        query.since.as_deref(),
        query.status.as_deref(),
        query.from.as_deref(),
        query.limit.unwrap_or(100),
        &redactor,
        app::now_ms(),
    )
    .map_err(ApiError::BadRequest)?;
    let tenant = tenant(&state, &caller).await?;
    let entries = tenant
        .audit_list(&filter)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(AuditList {
        entries: entries.iter().map(AuditItem::from).collect(),
    }))
}

/// One message: its record and its processing report.
#[utoipa::path(get, path = "/api/v1/audit/{id}", tag = "audit",
    params(("id" = String, Path, description = "Intake id")),
    responses((status = 200, body = AuditDetail), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<AuditDetail>, ApiError> {
    caller.require_admin()?;
    let tenant = tenant(&state, &caller).await?;
    let audit = Audit::new(state.intake.clone());
    let entry = audit.entry(&tenant, &id).await.map_err(api_error)?;
    let report = audit.report(&tenant, &id).await.map_err(api_error)?;
    Ok(Json(AuditDetail {
        item: AuditItem::from(&entry),
        report,
    }))
}

/// The original bytes of one message, as taken in.
#[utoipa::path(get, path = "/api/v1/audit/{id}/raw", tag = "audit",
    params(("id" = String, Path, description = "Intake id")),
    responses((status = 200, content_type = "message/rfc822", body = String,
               description = "The raw message"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody,
               description = "Unknown id, or the raw mail is not kept (refused, store_raw = false, purged)")))]
pub async fn raw(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let tenant = tenant(&state, &caller).await?;
    let audit = Audit::new(state.intake.clone());
    let entry = audit.entry(&tenant, &id).await.map_err(api_error)?;
    let bytes = audit.raw(&tenant, &entry).await.map_err(api_error)?;
    Ok(([(header::CONTENT_TYPE, "message/rfc822")], bytes).into_response())
}

/// Queues one message to be processed again, as a new attempt: a mail that created an
/// issue creates another one, and its new result replaces the old one in the audit.
#[utoipa::path(post, path = "/api/v1/audit/{id}/reprocess", tag = "audit",
    params(("id" = String, Path, description = "Intake id")),
    responses((status = 202, body = Reprocessing), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Its raw mail is not kept")))]
pub async fn reprocess(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Reprocessing>), ApiError> {
    caller.require_admin()?;
    let tenant = tenant(&state, &caller).await?;
    let audit = Audit::new(state.intake.clone());
    let job_id = audit
        .reprocess(&tenant, &id, app::now_ms())
        .await
        .map_err(|e| match e {
            AuditError::NoRawMail { .. } => ApiError::Conflict(e.to_string()),
            other => api_error(other),
        })?;
    Ok((StatusCode::ACCEPTED, Json(Reprocessing { job_id })))
}

async fn tenant(state: &AppState, caller: &ApiCaller) -> Result<TenantStore, ApiError> {
    state
        .store
        .tenant(&caller.tenant)
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

fn api_error(e: AuditError) -> ApiError {
    match e {
        AuditError::NotFound(_) | AuditError::NoRawMail { .. } => ApiError::NotFound(e.to_string()),
        other => ApiError::Internal(other.into()),
    }
}
