//! `/api/v1/audit`: the processing audit. Administrators (admin tokens, Jira administrators
//! signed in to the console) see every entry; project administrators and leads see the
//! entries whose issue is in one of their projects (an entry with no issue is
//! administrators' only; another's entry is 404, as if it did not exist); everyone else gets
//! 403. The list names senders only by their keyed hash; one message's report names its
//! sender, and its raw mail is the mail itself, for administrators only.

mod mail;
mod sent;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use postroom_engine::audit::{Audit, AuditError};
use postroom_store::TenantStore;
use postroom_store::audit::AuditEntry;
use serde::{Deserialize, Serialize};

use super::auth::{ApiCaller, AuditScope};
use super::error::ErrorBody;
use super::{ApiError, AppState};
use crate::{app, audit, keys};

pub(crate) use mail::framed;
pub use mail::{__path_bundle, __path_html, __path_testcase, TestCaseMade, bundle, html, testcase};
pub use sent::{
    __path_sent_html, __path_sent_list, __path_sent_mime, __path_sent_show, SentEntry, SentList,
    sent_html, sent_list, sent_mime, sent_show,
};

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

/// A reprocess or a release was queued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reprocessing {
    /// The new job's id (null when an identical request was queued already: the same
    /// hold is being released).
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
    let scope = caller.audit_scope()?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let redactor = keys::redactor(state.intake.keyring());
    let mut filter = audit::filter(
        query.since.as_deref(),
        query.status.as_deref(),
        query.from.as_deref(),
        query.limit.unwrap_or(100),
        &redactor,
        app::now_ms(),
    )
    .map_err(ApiError::BadRequest)?;
    if let AuditScope::Projects(keys) = scope {
        filter.projects = Some(keys.into_iter().collect());
    }
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
    let scope = caller.audit_scope()?;
    let tenant = tenant(&state, &caller).await?;
    let audit = Audit::new(state.intake.clone());
    let (entry, report) = audit.record(&tenant, &id).await.map_err(api_error)?;
    in_scope(&scope, &entry, &id)?;
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
    let bytes = raw_mail(&state, &caller, &id).await?;
    Ok(([(header::CONTENT_TYPE, "message/rfc822")], bytes).into_response())
}

/// The raw mail of message `id`, for administrators only.
async fn raw_mail(state: &AppState, caller: &ApiCaller, id: &str) -> Result<Vec<u8>, ApiError> {
    caller.require_admin()?;
    let tenant = tenant(state, caller).await?;
    let audit = Audit::new(state.intake.clone());
    let entry = audit.entry(&tenant, id).await.map_err(api_error)?;
    audit.raw(&tenant, &entry).await.map_err(api_error)
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
    queue_again(&state, &caller, &id, Again::Reprocess).await
}

/// Releases one reply held under `people.strangers: hold`: it is queued to be carried out
/// as a comment on the issue it named (still adding nobody to the issue), and its new
/// result replaces the hold in the audit.
#[utoipa::path(post, path = "/api/v1/audit/{id}/release", tag = "audit",
    params(("id" = String, Path, description = "Intake id")),
    responses((status = 202, body = Reprocessing), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody,
               description = "Not a held reply, or its raw mail is not kept")))]
pub async fn release(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Reprocessing>), ApiError> {
    let queued = queue_again(&state, &caller, &id, Again::Release).await?;
    tracing::info!(intake = %id, job = ?queued.1.job_id, "held mail released by an administrator");
    Ok(queued)
}

/// Which new job an administrator asks for.
enum Again {
    Reprocess,
    Release,
}

/// Queues message `id` again (202); 409 when its raw mail is not kept or, for a release,
/// it is not a held reply.
async fn queue_again(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
    again: Again,
) -> Result<(StatusCode, Json<Reprocessing>), ApiError> {
    let scope = caller.audit_scope()?;
    let tenant = tenant(state, caller).await?;
    let audit = Audit::new(state.intake.clone());
    in_scope(
        &scope,
        &audit.entry(&tenant, id).await.map_err(api_error)?,
        id,
    )?;
    let now = app::now_ms();
    let queued = match again {
        Again::Reprocess => audit.reprocess(&tenant, id, now).await,
        Again::Release => audit.release(&tenant, id, now).await,
    };
    let job_id = queued.map_err(|e| match e {
        AuditError::NoRawMail { .. } | AuditError::NotHeld { .. } => {
            ApiError::Conflict(e.to_string())
        }
        other => api_error(other),
    })?;
    Ok((StatusCode::ACCEPTED, Json(Reprocessing { job_id })))
}

/// The issue an entry's result names, which decides whose entry it is.
fn issue_of(entry: &AuditEntry) -> Option<&str> {
    entry.result.as_ref().and_then(|r| r.issue_key.as_deref())
}

/// 404 for an entry outside the caller's projects, exactly as for an unknown id.
fn in_scope(scope: &AuditScope, entry: &AuditEntry, id: &str) -> Result<(), ApiError> {
    if scope.covers(issue_of(entry)) {
        Ok(())
    } else {
        Err(api_error(AuditError::NotFound(id.to_owned())))
    }
}

async fn tenant(state: &AppState, caller: &ApiCaller) -> Result<TenantStore, ApiError> {
    state.tenant_of(caller).await
}

fn api_error(e: AuditError) -> ApiError {
    match e {
        AuditError::NotFound(_) | AuditError::NoRawMail { .. } | AuditError::NoMime(_) => {
            ApiError::NotFound(e.to_string())
        }
        other => ApiError::Internal(other.into()),
    }
}
