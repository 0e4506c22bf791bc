//! The agent's picker's own calls: find the issue to answer, see what can be done on it,
//! and keep favourites. Templates themselves are searched, rendered and applied through
//! the template routes beside this.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use postroom_engine::responses::{Answerable, IssueBrief};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Ctx, api_error, field};
use crate::app::now_ms;
use crate::http::auth::ApiCaller;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState};

/// Longest query taken: a key or a JQL an agent types.
const MAX_QUERY_CHARS: usize = 1_000;

/// An issue in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueBody {
    pub key: String,
    pub summary: String,
    pub project: String,
    pub status: String,
}

impl From<IssueBrief> for IssueBody {
    fn from(b: IssueBrief) -> Self {
        Self {
            key: b.key,
            summary: b.summary,
            project: b.project,
            status: b.status,
        }
    }
}

/// A transition available on an issue now.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionBody {
    pub id: String,
    pub name: String,
}

/// An issue ready to be answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerableBody {
    #[serde(flatten)]
    pub issue: IssueBody,
    /// A Jira Service Management project: a reply is public or an internal note.
    pub service_desk: bool,
    pub transitions: Vec<TransitionBody>,
}

impl From<Answerable> for AnswerableBody {
    fn from(a: Answerable) -> Self {
        Self {
            issue: a.brief.into(),
            service_desk: a.service_desk,
            transitions: a
                .transitions
                .into_iter()
                .map(|(id, name)| TransitionBody { id, name })
                .collect(),
        }
    }
}

/// Issue lookup parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IssueQuery {
    /// An issue key (`SUP-12`) or a JQL query.
    #[serde(default)]
    q: String,
}

/// Issues the caller may browse that match a key or JQL (at most 20).
#[utoipa::path(get, path = "/api/v1/agent/issues", tag = "agent", params(IssueQuery),
    responses((status = 200, body = [IssueBody]), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn issues(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<IssueQuery>,
) -> Result<Json<Vec<IssueBody>>, ApiError> {
    let q = query.q.trim();
    if q.is_empty() {
        return Err(field("q", "type an issue key (SUP-12) or a JQL query"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(field(
            "q",
            format!("is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let found = service.find_issues(q).await.map_err(|e| {
        match api_error(e) {
            // Jira's refusal of a query is the agent's JQL at fault, not the issue.
            ApiError::Unprocessable { errors } => ApiError::Unprocessable {
                errors: errors
                    .into_iter()
                    .map(|mut e| {
                        e.field = "q".to_owned();
                        e.message =
                            "Jira did not take this JQL; check it, or type an issue key".to_owned();
                        e
                    })
                    .collect(),
            },
            other => other,
        }
    })?;
    Ok(Json(found.into_iter().map(IssueBody::from).collect()))
}

/// One issue the caller may browse, with its transitions and whether replies on it are
/// public or internal.
#[utoipa::path(get, path = "/api/v1/agent/issues/{key}", tag = "agent",
    params(("key" = String, Path, description = "Issue key")),
    responses((status = 200, body = AnswerableBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> Result<Json<AnswerableBody>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let found = service
        .answerable(&key)
        .await
        .map_err(|e| match api_error(e) {
            ApiError::Unprocessable { .. } => ApiError::NotFound(format!("no issue {key} for you")),
            other => other,
        })?;
    Ok(Json(found.into()))
}

/// The ids of the caller's favourite templates.
#[utoipa::path(get, path = "/api/v1/agent/favourites", tag = "agent",
    responses((status = 200, body = [String]), (status = 401, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn favourites(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<String>>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let mut ids: Vec<String> = service
        .favourites()
        .await
        .map_err(api_error)?
        .into_iter()
        .collect();
    ids.sort();
    Ok(Json(ids))
}

/// Marks a template the caller may use as a favourite.
#[utoipa::path(put, path = "/api/v1/templates/{id}/favourite", tag = "agent",
    params(("id" = String, Path, description = "Template id")),
    responses((status = 204, description = "Marked"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn favour(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    mark(&state, &caller, &id, true).await
}

/// Unmarks a favourite.
#[utoipa::path(delete, path = "/api/v1/templates/{id}/favourite", tag = "agent",
    params(("id" = String, Path, description = "Template id")),
    responses((status = 204, description = "Unmarked"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn unfavour(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    mark(&state, &caller, &id, false).await
}

async fn mark(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
    favourite: bool,
) -> Result<StatusCode, ApiError> {
    let ctx = Ctx::load(state, caller).await?;
    let service = ctx.service(state, caller).await?;
    service
        .set_favourite(id, favourite, now_ms())
        .await
        .map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT)
}
