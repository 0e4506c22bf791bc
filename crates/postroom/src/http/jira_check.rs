//! `GET /api/v1/settings/jira/check`: the site's Jira connection tested — what `postroom
//! jira check` shows (deployment, version, the account postroom acts as, whether it sees
//! e-mail addresses, the projects it can create issues in and whether it may set their
//! reporter, the rate-limit headers Jira sent) — for the site's administrators.

use axum::Json;
use axum::extract::State;
use postroom_jira::CheckReport;
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::{ApiError, AppState};

/// The site's connection as recorded, and what testing it found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JiraCheckBody {
    /// The site's URL; null when the site has none.
    pub url: Option<String>,
    /// `api_token`, `pat`, `oauth`, or the Forge app's.
    pub auth: Option<String>,
    /// The account postroom acts as, where the connection names one.
    pub account: Option<String>,
    /// Whether the check reached Jira and read everything it asks.
    pub connected: bool,
    /// What Jira answered, when connected.
    #[schema(value_type = Option<Object>)]
    pub report: Option<CheckReport>,
    /// Why the check failed, when it did.
    pub problem: Option<String>,
}

/// Tests the site's Jira connection with read-only calls. A connection that fails is said
/// in the answer (`connected: false`, `problem`), not as an error. Administrators only.
#[utoipa::path(get, path = "/api/v1/settings/jira/check", tag = "settings",
    responses((status = 200, body = JiraCheckBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<JiraCheckBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let jira = tenant
        .record()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .jira;
    let outcome = match state.trackers.get(&caller.tenant) {
        None => Err("no Jira site is configured for this site".to_owned()),
        Some(site) => match site.client().await {
            Ok(client) => postroom_jira::check(client)
                .await
                .map_err(|e| format!("checking the connection failed: {e}")),
            Err(e) => Err(format!("Jira cannot be reached: {e}")),
        },
    };
    let (report, problem) = match outcome {
        Ok(report) => (Some(report), None),
        Err(problem) => (None, Some(problem)),
    };
    Ok(Json(JiraCheckBody {
        url: jira.url,
        auth: jira.auth,
        account: jira.account,
        connected: report.is_some(),
        report,
        problem,
    }))
}
