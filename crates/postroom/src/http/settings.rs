//! `/api/v1/settings/…`: a site's own data settings, for its administrators — its
//! retention periods within the operator's bounds, and its raw-mail audit opt-out. The
//! twins of `postroom tenant set --intake-days/--reports-days/--sent-mail-days` and
//! `--store-raw`.

use axum::Json;
use axum::extract::State;
use postroom_engine::retention::Periods;
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;
use crate::retention::{RetentionChange, RetentionError};

/// Days per kind of audit data.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KindDaysBody {
    /// Intake records and raw mail.
    pub intake: u32,
    /// Processing results with their reports.
    pub reports: u32,
    /// Records of mail postroom sent.
    pub sent_mail: u32,
}

impl From<Periods> for KindDaysBody {
    fn from(p: Periods) -> Self {
        Self {
            intake: p.intake,
            reports: p.reports,
            sent_mail: p.sent_mail,
        }
    }
}

/// The site's periods: in force, its own choices, and the operator's bounds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RetentionBody {
    /// The days each kind is kept now.
    pub in_force: KindDaysBody,
    /// The days the site chose itself; null where it keeps the instance's.
    pub own: OwnBody,
    /// The shortest period a site may choose (`[retention] min_days`).
    pub min_days: KindDaysBody,
    /// The longest period a site may choose (`[retention] max_days`).
    pub max_days: KindDaysBody,
    /// The instance's period for a site that chose none (`[inbound] retention_days`).
    pub default_days: u32,
}

/// A site's own choices; null: the instance's period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnBody {
    pub intake: Option<u32>,
    pub reports: Option<u32>,
    pub sent_mail: Option<u32>,
}

/// A change of the site's periods: a kind left out stays as it is, `0` returns it to the
/// instance's period, any other number is the days to keep it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionUpdate {
    pub intake: Option<u32>,
    pub reports: Option<u32>,
    pub sent_mail: Option<u32>,
}

/// Whether the site keeps raw mail for the audit.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMailBody {
    /// `true` (the default): raw mail is kept for the audit for the intake period, where
    /// the mailbox or listener keeps it. `false`: each raw mail is deleted as soon as it
    /// is processed — nothing can then be diagnosed from the original, reprocessed,
    /// replayed, released after a hold, made a test case of or downloaded; the processing
    /// report stays.
    pub store_raw: bool,
}

/// The site's retention periods, its own choices and the operator's bounds.
/// Administrators only.
#[utoipa::path(get, path = "/api/v1/settings/retention", tag = "settings",
    responses((status = 200, body = RetentionBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn retention(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<RetentionBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let own = tenant.record().await.map_err(internal)?.retention;
    Ok(Json(body(&state, &own)))
}

/// Changes the site's retention periods, each within the operator's `[retention]
/// min_days` and `max_days`; a period out of bounds is refused (422, naming the kind and
/// the bounds) and nothing changes. The purge uses the new periods from its next run.
/// Administrators only.
#[utoipa::path(put, path = "/api/v1/settings/retention", tag = "settings",
    request_body = RetentionUpdate,
    responses((status = 200, body = RetentionBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_retention(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<RetentionBody>, ApiError> {
    caller.require_admin()?;
    let update: RetentionUpdate = parse(&bytes, "retention")?;
    let tenant = state.tenant_of(&caller).await?;
    let change = RetentionChange {
        intake: update.intake,
        reports: update.reports,
        sent_mail: update.sent_mail,
    };
    crate::retention::apply(&state.retention, &tenant, change, now_ms())
        .await
        .map_err(|e| match e {
            RetentionError::OutOfBounds(e) => ApiError::Unprocessable {
                errors: vec![FieldError {
                    field: e.kind.name().to_owned(),
                    message: e.to_string(),
                }],
            },
            RetentionError::Store(e) => internal(e),
        })?;
    let own = tenant.record().await.map_err(internal)?.retention;
    Ok(Json(body(&state, &own)))
}

/// Whether the site keeps raw mail for the audit. Administrators only.
#[utoipa::path(get, path = "/api/v1/settings/raw-mail", tag = "settings",
    responses((status = 200, body = RawMailBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn raw_mail(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<RawMailBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    Ok(Json(RawMailBody {
        store_raw: tenant.keeps_raw_mail().await.map_err(internal)?,
    }))
}

/// Switches the site's raw-mail audit on or off. Off (`store_raw: false`): each raw mail
/// is deleted as soon as it is processed, whatever its mailbox or listener says, so there
/// is no raw mail to diagnose or replay — no reprocessing, no release after a hold, no
/// test case made from it, no download; the processing report stays. Mail taken in before
/// keeps its raw copy until its retention ends. Administrators only.
#[utoipa::path(put, path = "/api/v1/settings/raw-mail", tag = "settings",
    request_body = RawMailBody,
    responses((status = 200, body = RawMailBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_raw_mail(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<RawMailBody>, ApiError> {
    caller.require_admin()?;
    let body: RawMailBody = parse(&bytes, "store_raw")?;
    let tenant = state.tenant_of(&caller).await?;
    tenant
        .set_store_raw(body.store_raw, now_ms())
        .await
        .map_err(internal)?;
    Ok(Json(body))
}

fn body(state: &AppState, own: &postroom_store::OwnRetention) -> RetentionBody {
    let policy = &state.retention;
    RetentionBody {
        in_force: policy.periods(own).into(),
        own: OwnBody {
            intake: own.intake,
            reports: own.reports,
            sent_mail: own.sent_mail,
        },
        min_days: policy.min.into(),
        max_days: policy.max.into(),
        default_days: policy.default_days,
    }
}

fn internal(e: postroom_store::StoreError) -> ApiError {
    ApiError::Internal(e.into())
}

fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8], field: &str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::Unprocessable {
        errors: vec![FieldError {
            field: field.to_owned(),
            message: e.to_string(),
        }],
    })
}
