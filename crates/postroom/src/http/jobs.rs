//! `/api/v1/jobs`: the tenant's job queue — depth by kind, dead jobs with their last
//! error, and retrying one. Administrators only; payloads are never shown.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postroom_core::tenant::TenantId;
use postroom_store::QueueError;
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::{ApiError, AppState};
use crate::app;

/// How many dead jobs are listed at most.
const DEAD_LISTED: u32 = 200;

/// The jobs of one kind.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepthBody {
    /// `inbound.mail`, `outbound.notification`, …
    pub kind: String,
    /// Waiting or being carried out.
    pub ready: i64,
    /// Parked after a permanent failure; wait for a retry.
    pub dead: i64,
    /// Run time of the oldest job that is due and not taken, if any.
    pub oldest_due_ms: Option<i64>,
}

/// One dead job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobBody {
    pub id: i64,
    pub kind: String,
    /// `ready` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub run_at_ms: i64,
    /// Why it failed the last time (Jira's or the mail server's words).
    pub last_error: Option<String>,
    pub created_at_ms: i64,
}

/// The queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobsBody {
    pub depth: Vec<DepthBody>,
    /// Dead jobs, oldest first (at most 200).
    pub dead: Vec<JobBody>,
}

/// The tenant's queue depth by kind, from the instance-wide depth query.
pub(super) async fn depth_of(
    state: &AppState,
    tenant: &TenantId,
    now_ms: i64,
) -> Result<Vec<DepthBody>, ApiError> {
    Ok(state
        .store
        .queue()
        .depth(now_ms)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .into_iter()
        .filter(|row| row.tenant == *tenant)
        .map(|row| DepthBody {
            kind: row.kind,
            ready: row.ready,
            dead: row.dead,
            oldest_due_ms: row.oldest_due_ms,
        })
        .collect())
}

/// Depth by kind and the dead jobs.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    responses((status = 200, body = JobsBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<JobsBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let dead = tenant
        .jobs()
        .list(true, DEAD_LISTED)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .into_iter()
        .map(|job| JobBody {
            id: job.id,
            kind: job.kind,
            state: job.state.as_str().to_owned(),
            attempts: job.attempts,
            run_at_ms: job.run_at_ms,
            last_error: job.last_error,
            created_at_ms: job.created_at_ms,
        })
        .collect();
    Ok(Json(JobsBody {
        depth: depth_of(&state, &caller.tenant, app::now_ms()).await?,
        dead,
    }))
}

/// Puts a dead job back in the queue with a fresh attempt count (after fixing what made
/// it fail: the profile, Jira, the relay).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 204, description = "Queued again"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No dead job with this id")))]
pub async fn retry(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    match tenant.jobs().retry(id, app::now_ms()).await {
        Ok(()) => {
            tracing::info!(job = id, "dead job retried from the API");
            Ok(StatusCode::NO_CONTENT)
        }
        Err(QueueError::NotFound { .. }) => Err(ApiError::NotFound(format!("no dead job {id}"))),
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}
