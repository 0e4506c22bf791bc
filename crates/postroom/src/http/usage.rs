//! `/api/v1/usage`: Insights (template uses per agent and week) and the local usage flags,
//! for administrators; and the one door through which the picker reports the flags only it
//! can see (picker opened, filters used, extension used or not).
//!
//! Everything stays in postroom's database: no request leaves the process for it.
//! `usage.flags = false` turns the flags off entirely (nothing is written); Insights are
//! part of canned responses and are always kept. A count that cannot be written is logged
//! and dropped: it never fails the agent's request it describes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use postroom_core::canned::Scope;
use postroom_core::usage::UsageFlag;
use postroom_store::templates::Templates;
use postroom_store::usage::Usage;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;

/// Counts `flag` when the flags are on.
pub(crate) async fn count(state: &AppState, caller: &ApiCaller, flag: UsageFlag, now_ms: i64) {
    if !state.usage_flags {
        return;
    }
    let result = match state.tenant_of(caller).await {
        Ok(tenant) => Usage::new(tenant)
            .count_flag(flag, now_ms)
            .await
            .map_err(anyhow::Error::from),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, flag = flag.as_str(), "cannot count a usage flag");
    }
}

/// Counts an insert (`posted` false) or post of template `id` by the caller for Insights,
/// and the matching usage flag.
pub(crate) async fn template_used(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
    posted: bool,
    now_ms: i64,
) {
    let result = match state.tenant_of(caller).await {
        Ok(tenant) => Usage::new(tenant)
            .record_template(id, &caller.account_id, posted, now_ms)
            .await
            .map_err(anyhow::Error::from),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot count a template use for Insights");
    }
    let flag = if posted {
        UsageFlag::CommentPosted
    } else {
        UsageFlag::TemplateInserted
    };
    count(state, caller, flag, now_ms).await;
}

/// A flag the picker reports.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FlagBody {
    /// `picker_opened`, `filters_used`, `extension_used` or `extension_not_used`
    /// (inserts and posts are counted by postroom itself).
    pub flag: String,
}

/// One flag's count over the kept year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlagCount {
    pub flag: String,
    pub count: i64,
}

/// One week's Insights of one template by one agent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WeekBody {
    /// Start of the week, Unix ms (Monday 00:00 UTC).
    pub week_ms: i64,
    pub template_id: String,
    pub account_id: String,
    /// Times inserted into a reply.
    pub inserted: i64,
    /// Times posted.
    pub posted: i64,
}

/// What postroom counted about its own use in the last 365 days.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageBody {
    /// Whether the usage flags are counted (`usage.flags`).
    pub flags_enabled: bool,
    pub flags: Vec<FlagCount>,
    /// Insights, newest week first.
    pub insights: Vec<WeekBody>,
}

/// Counts one use of a picker feature (when `usage.flags` is on; else nothing is written).
#[utoipa::path(post, path = "/api/v1/usage/flags", tag = "usage", request_body = FlagBody,
    responses((status = 204, description = "Counted (or usage flags are off)"),
              (status = 401, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<StatusCode, ApiError> {
    let body: FlagBody = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not a flag: {e}")))?;
    let flag = UsageFlag::parse(&body.flag)
        .filter(|f| !matches!(f, UsageFlag::TemplateInserted | UsageFlag::CommentPosted));
    let Some(flag) = flag else {
        return Err(ApiError::Unprocessable {
            errors: vec![FieldError {
                field: "flag".to_owned(),
                message: format!(
                    "{:?} is not a flag the picker reports; one of picker_opened, \
                     filters_used, extension_used, extension_not_used",
                    body.flag
                ),
            }],
        });
    };
    count(&state, &caller, flag, now_ms()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The usage flags and Insights of the last 365 days, but those of other people's
/// personal templates. Administrators only.
#[utoipa::path(get, path = "/api/v1/usage", tag = "usage",
    responses((status = 200, body = UsageBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<UsageBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let usage = Usage::new(tenant.clone());
    let now = now_ms();
    let internal = |e: postroom_store::StoreError| ApiError::Internal(e.into());
    let flags = usage.flags(now).await.map_err(internal)?;
    // Another person's personal template is theirs alone: not even its figures (nor its
    // id) reach an administrator.
    let others_personal: HashSet<String> = Templates::new(tenant)
        .list()
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|t| t.draft.scope == Scope::Personal && t.owner != caller.account_id)
        .map(|t| t.id)
        .collect();
    let mut insights = usage.weeks(now).await.map_err(internal)?;
    insights.retain(|w| !others_personal.contains(&w.template_id));
    Ok(Json(UsageBody {
        flags_enabled: state.usage_flags,
        flags: flags
            .into_iter()
            .map(|(flag, count)| FlagCount {
                flag: flag.as_str().to_owned(),
                count,
            })
            .collect(),
        insights: insights
            .into_iter()
            .map(|w| WeekBody {
                week_ms: w.week_ms,
                template_id: w.template_id,
                account_id: w.account_id,
                inserted: w.inserted,
                posted: w.posted,
            })
            .collect(),
    }))
}
