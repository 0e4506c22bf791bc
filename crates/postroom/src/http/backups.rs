//! `/api/v1/backups`: the instance's backups — list, back up now, verify — the twins of
//! `postroom backup list`, `create` and `verify`.
//!
//! A backup holds every site of the instance, so only the administrators of the instance's
//! own site (tenant `default`, the self-hosted one) reach these routes; on a hosted service
//! the backups are the operator's, and every other site's administrators answer 403.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postroom_core::tenant::TenantId;
use postroom_store::backup::{BackupError, BackupInfo, Contents};
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::{ApiError, AppState};
use crate::app::now_ms;
use crate::backup::ScheduledBackups;

/// One backup at the target.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BackupBody {
    pub id: String,
    /// When it was made; null for an incomplete one.
    pub created_at_ms: Option<i64>,
    /// Bytes written at the target; null when the manifest cannot be opened.
    pub stored_bytes: Option<u64>,
    pub blobs: Option<u64>,
    /// How the database was taken (SQLite's online backup, `pg_dump`, or postroom's
    /// table export).
    pub method: Option<String>,
    /// Why it cannot be used (incomplete, made with another master key), if so.
    pub problem: Option<String>,
}

/// The backups and how they are made.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BackupsBody {
    /// Where backups go (`[backup] to`, else DATA_DIR/backups).
    pub target: String,
    /// `[backup] schedule`: how often `serve` makes one (`off`: never by itself).
    pub schedule: String,
    /// `[backup] keep`: how many of the newest are kept after each scheduled one.
    pub keep: u32,
    /// When the newest complete backup was made: the last run that worked.
    pub last_backup_at_ms: Option<i64>,
    /// Oldest first.
    pub backups: Vec<BackupBody>,
}

/// The outcome of a verification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifiedBody {
    pub id: String,
    /// Every file has the length and SHA-256 of the manifest, and every part decrypts.
    pub intact: bool,
    /// The first difference found, naming the file; null when intact.
    pub problem: Option<String>,
    /// What the backup holds, when intact.
    pub backup: Option<BackupBody>,
}

/// The backups at the target, oldest first. Administrators of the instance's own site.
#[utoipa::path(get, path = "/api/v1/backups", tag = "backups",
    responses((status = 200, body = BackupsBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<BackupsBody>, ApiError> {
    let backups = access(&state, &caller)?;
    Ok(Json(listing(backups).await?))
}

/// Makes a backup now, as the schedule would: at the target, then keeps the newest
/// `[backup] keep`. Answers with the list. Administrators of the instance's own site.
#[utoipa::path(post, path = "/api/v1/backups", tag = "backups",
    responses((status = 201, body = BackupsBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody,
               description = "No usable target, or a backup was made this second already")))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<(StatusCode, Json<BackupsBody>), ApiError> {
    let backups = access(&state, &caller)?;
    let (id, contents, deleted) = backups.make_and_prune(now_ms()).await.map_err(|e| {
        // The target is unusable, or a backup was made this very second: said, not a 500.
        if let Some(BackupError::Target { .. }) = e.downcast_ref::<BackupError>() {
            ApiError::Conflict(e.to_string())
        } else {
            ApiError::Internal(e)
        }
    })?;
    tracing::info!(backup = %id, method = %contents.method, deleted = deleted.len(),
        "backup made from the API");
    Ok((StatusCode::CREATED, Json(listing(backups).await?)))
}

/// Checks a backup through: its manifest opens with this instance's master key, every file
/// has the length and SHA-256 the manifest records, and every part decrypts. A damaged
/// backup answers 200 with `intact: false` and the first difference. Reads the whole
/// backup: slow for a large one. Administrators of the instance's own site.
#[utoipa::path(post, path = "/api/v1/backups/{id}/verify", tag = "backups",
    params(("id" = String, Path, description = "The backup's id, as listed")),
    responses((status = 200, body = VerifiedBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<VerifiedBody>, ApiError> {
    let backups = access(&state, &caller)?;
    if !plausible_id(&id) {
        return Err(no_backup(&id));
    }
    let target = backups.target()?;
    match target.verify(&id, backups.keyring()).await {
        Ok(contents) => Ok(Json(VerifiedBody {
            intact: true,
            problem: None,
            backup: Some(body(BackupInfo {
                id: id.clone(),
                created_at_ms: None,
                contents: Some(contents),
                problem: None,
            })),
            id,
        })),
        Err(BackupError::NotFound(_)) => Err(no_backup(&id)),
        Err(e) => Ok(Json(VerifiedBody {
            id,
            intact: false,
            problem: Some(e.to_string()),
            backup: None,
        })),
    }
}

/// The backups, for the administrators of tenant `default` only.
fn access<'a>(state: &'a AppState, caller: &ApiCaller) -> Result<&'a ScheduledBackups, ApiError> {
    caller.require_admin()?;
    if caller.tenant != TenantId::default_tenant() {
        return Err(ApiError::Forbidden(
            "backups hold every site of this postroom: they are its operator's".to_owned(),
        ));
    }
    state.backups.as_ref().ok_or_else(|| {
        ApiError::Conflict(
            "this postroom cannot make backups: its [backup] to is invalid (see its log)"
                .to_owned(),
        )
    })
}

async fn listing(backups: &ScheduledBackups) -> Result<BackupsBody, ApiError> {
    let target = backups.target()?;
    let listed = target
        .list(backups.keyring())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let (schedule, keep) = backups.policy();
    Ok(BackupsBody {
        target: target.description().to_owned(),
        schedule: schedule.to_owned(),
        keep,
        last_backup_at_ms: listed
            .iter()
            .filter(|b| b.contents.is_some())
            .filter_map(|b| b.created_at_ms)
            .max(),
        backups: listed.into_iter().map(body).collect(),
    })
}

fn body(info: BackupInfo) -> BackupBody {
    let contents: Option<&Contents> = info.contents.as_ref();
    BackupBody {
        stored_bytes: contents.map(Contents::stored_bytes),
        blobs: contents.map(|c| c.blobs),
        method: contents.map(|c| c.method.to_string()),
        id: info.id,
        created_at_ms: info.created_at_ms,
        problem: info.problem,
    }
}

/// Backup ids are made by postroom of letters, digits, `-`, `_` and `.`; anything else
/// (a path) names no backup.
fn plausible_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn no_backup(id: &str) -> ApiError {
    ApiError::NotFound(format!("no backup {id} at this postroom's target"))
}
