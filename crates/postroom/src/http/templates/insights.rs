//! `GET /api/v1/templates/insights`: how often the templates the caller administers are
//! used, per template, agent and week (counts only; see `postroom_engine::responses`'s
//! insights for who sees which figures).

use axum::Json;
use axum::extract::{Query, State};
use postroom_engine::responses::{Counts, Insights};
use postroom_store::usage::Usage;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::ScopeBody;
use super::{Ctx, api_error};
use crate::app::now_ms;
use crate::http::auth::ApiCaller;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState};

/// Narrowing of the Insights.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InsightsParams {
    /// Per agent and per week of this template only (one the caller administers).
    template: Option<String>,
}

/// Times inserted into a reply and times posted.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CountsBody {
    pub inserted: i64,
    pub posted: i64,
}

impl From<Counts> for CountsBody {
    fn from(c: Counts) -> Self {
        Self {
            inserted: c.inserted,
            posted: c.posted,
        }
    }
}

/// One template's use over the kept year.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateUseBody {
    pub id: String,
    pub name: String,
    pub folder: Option<String>,
    pub scope: ScopeBody,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    #[serde(flatten)]
    pub counts: CountsBody,
}

/// One agent's use of the templates shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentUseBody {
    pub account_id: String,
    #[serde(flatten)]
    pub counts: CountsBody,
}

/// One week's use of the templates shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekUseBody {
    /// Monday 00:00 UTC, Unix ms.
    pub week_ms: i64,
    #[serde(flatten)]
    pub counts: CountsBody,
}

/// A template nobody used in the last 90 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnusedBody {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
}

/// The most used template scoped to one project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectTopBody {
    pub project: String,
    pub template_id: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: CountsBody,
}

/// Insights of the last 365 days, of the templates the caller administers only.
#[derive(Debug, Serialize, ToSchema)]
pub struct InsightsBody {
    /// Every such template, most used first.
    pub templates: Vec<TemplateUseBody>,
    /// Per agent, most active first (of `template` only when asked).
    pub agents: Vec<AgentUseBody>,
    /// Per week, newest first (of `template` only when asked).
    pub weeks: Vec<WeekUseBody>,
    /// Templates older than 90 days that nobody used in the last 90 days.
    pub unused: Vec<UnusedBody>,
    /// Per project, its most used template.
    pub top_by_project: Vec<ProjectTopBody>,
}

impl From<Insights> for InsightsBody {
    fn from(i: Insights) -> Self {
        Self {
            templates: i
                .templates
                .into_iter()
                .map(|u| {
                    let t = u.template;
                    let shown = super::dto::DraftBody::of(t.draft);
                    TemplateUseBody {
                        id: t.id,
                        name: shown.name,
                        folder: shown.folder,
                        scope: shown.scope,
                        created_at_ms: t.created_ms,
                        last_used_at_ms: t.last_used_ms,
                        counts: u.counts.into(),
                    }
                })
                .collect(),
            agents: i
                .agents
                .into_iter()
                .map(|(account_id, c)| AgentUseBody {
                    account_id,
                    counts: c.into(),
                })
                .collect(),
            weeks: i
                .weeks
                .into_iter()
                .map(|(week_ms, c)| WeekUseBody {
                    week_ms,
                    counts: c.into(),
                })
                .collect(),
            unused: i
                .unused
                .into_iter()
                .map(|t| UnusedBody {
                    id: t.id,
                    name: t.draft.name,
                    created_at_ms: t.created_ms,
                    last_used_at_ms: t.last_used_ms,
                })
                .collect(),
            top_by_project: i
                .top_by_project
                .into_iter()
                .map(|p| ProjectTopBody {
                    project: p.project,
                    template_id: p.template_id,
                    name: p.name,
                    counts: p.counts.into(),
                })
                .collect(),
        }
    }
}

/// Uses of the templates the caller administers over the last 365 days: per template,
/// per agent and per week, the unused ones and the most used in each project. Counts only;
/// another person's personal template is never among them.
#[utoipa::path(get, path = "/api/v1/templates/insights", tag = "templates", params(InsightsParams),
    responses((status = 200, body = InsightsBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn insights(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<InsightsParams>,
) -> Result<Json<InsightsBody>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let now = now_ms();
    let weeks = Usage::new(state.tenant_of(&caller).await?)
        .weeks(now)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let only = params.template.as_deref().filter(|t| !t.is_empty());
    let found = service
        .insights(&weeks, only, now)
        .await
        .map_err(api_error)?;
    Ok(Json(found.into()))
}
