//! `/api/v1/templates`: canned responses over HTTP — CRUD, search, render (preview), apply,
//! import and export, for the agent the API token speaks for; and `/api/v1/agent`, the
//! picker's issue lookup and favourites.
//!
//! Every handler works on the token's tenant only: a template id of another tenant is not
//! found (404), exactly like an id that does not exist. A template outside the caller's
//! scope is 404 as well; one they may use but not change answers 403 to a change.

mod agent;
mod dto;
mod editor;
mod handlers;
mod insights;

use axum::Router;
use axum::routing::{get, post, put};
use postroom_core::template::CalendarDate;
use postroom_engine::responses::{Responses, ResponsesError};
use postroom_jira::JiraClient;
use postroom_store::templates::Templates;
use std::sync::Arc;

use super::auth::ApiCaller;
use super::{ApiError, AppState, FieldError};
use crate::trackers::TenantJira;

pub use agent::{__path_favour, __path_favourites, __path_issue, __path_issues, __path_unfavour};
pub use agent::{
    AnswerableBody, IssueBody, TransitionBody, favour, favourites, issue, issues, unfavour,
};
pub use editor::{__path_preview, __path_variables, DraftPreviewRequest, preview, variables};
pub use handlers::__path_apply;
pub use handlers::__path_create;
pub use handlers::__path_delete;
pub use handlers::__path_export;
pub use handlers::__path_get_one;
pub use handlers::__path_import;
pub use handlers::__path_list;
pub use handlers::__path_render;
pub use handlers::__path_search;
pub use handlers::__path_update;
pub use handlers::{apply, create, delete, export, get_one, import, list, render, search, update};

/// The schemas of the OpenAPI document.
pub use dto::{
    AppliedBody, ApplyRequestBody, DraftBody, ExportBody, ImportedBody, PreviewBody, RenderRequest,
    ScopeBody, ScopeKind, TemplateBody,
};
pub use insights::{
    __path_insights, AgentUseBody, CountsBody, InsightsBody, ProjectTopBody, TemplateUseBody,
    UnusedBody, WeekUseBody, insights,
};

/// The template routes, relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/templates", get(list).post(create))
        .route("/templates/search", get(search))
        .route("/templates/export", get(export))
        .route("/templates/import", post(import))
        .route("/templates/preview", post(preview))
        .route("/templates/variables", get(variables))
        .route("/templates/insights", get(insights))
        .route("/templates/{id}", get(get_one).put(update).delete(delete))
        .route("/templates/{id}/render", post(render))
        .route("/templates/{id}/apply", post(apply))
        .route("/templates/{id}/favourite", put(favour).delete(unfavour))
        .route("/agent/issues", get(issues))
        .route("/agent/issues/{key}", get(issue))
        .route("/agent/favourites", get(favourites))
}

/// What a handler needs to build the service: the tenant's Jira and its templates, and
/// for a person calling from inside Jira, a client that acts as them.
struct Ctx {
    site: Arc<TenantJira>,
    templates: Templates,
    as_person: Option<JiraClient>,
}

impl Ctx {
    async fn load(state: &AppState, caller: &ApiCaller) -> Result<Self, ApiError> {
        let site = state.trackers.get(&caller.tenant).ok_or_else(|| {
            ApiError::ServiceUnavailable(
                "no Jira site is configured for this tenant: canned responses need one \
                 (set [jira] in postroom.toml, or run `postroom serve --sandbox`)"
                    .to_owned(),
            )
        })?;
        let tenant = state
            .store
            .tenant(&caller.tenant)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        // From inside Jira the person's own user token comes with the call: reading issues,
        // previewing and posting are then done as them, within the call.
        let as_person = match &caller.forge_user {
            Some(user) => Some(Self::connected(&site).await?.acting_as(user.auth())),
            None => None,
        };
        Ok(Self {
            site,
            templates: Templates::new(tenant),
            as_person,
        })
    }

    async fn connected(site: &TenantJira) -> Result<&JiraClient, ApiError> {
        site.client().await.map_err(|e| {
            tracing::warn!(error = %e, "cannot connect to Jira");
            ApiError::ServiceUnavailable("Jira is not answering; try again later".to_owned())
        })
    }

    async fn service<'a>(
        &'a self,
        state: &'a AppState,
        caller: &ApiCaller,
    ) -> Result<Responses<'a, JiraClient>, ApiError> {
        let client = match &self.as_person {
            Some(client) => client,
            None => Self::connected(&self.site).await?,
        };
        Ok(Responses::new(
            client,
            self.templates.clone(),
            state.trackers.facts(),
            caller.tenant.as_str(),
            self.site.site_url(),
            &caller.account_id,
        ))
    }
}

/// Today in UTC: the API does not know the reader's time zone.
fn today(now_ms: i64) -> Result<CalendarDate, ApiError> {
    CalendarDate::from_unix_seconds(now_ms.div_euclid(1000), 0)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the clock reads no date: {e}")))
}

fn field(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        errors: vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }],
    }
}

/// The service's errors as API answers.
fn api_error(e: ResponsesError) -> ApiError {
    use postroom_core::ports::tracker::TrackerError;
    match e {
        ResponsesError::NotFound(id) => ApiError::NotFound(format!("no template {id}")),
        ResponsesError::Forbidden(why) => ApiError::Forbidden(why),
        ResponsesError::Invalid(problems) => ApiError::Unprocessable {
            errors: problems
                .into_iter()
                .map(|p| FieldError {
                    field: p.field,
                    message: p.message,
                })
                .collect(),
        },
        ResponsesError::Render(e) => field("body", e.to_string()),
        ResponsesError::IssueNotFound(key) => field("issue", format!("issue {key} was not found")),
        e @ ResponsesError::TransitionUnavailable { .. } => ApiError::Conflict(e.to_string()),
        ResponsesError::Tracker(TrackerError::Invalid { what, .. }) => {
            field("issue", format!("Jira refused {what}"))
        }
        ResponsesError::Tracker(TrackerError::Forbidden { what, .. }) => {
            ApiError::Forbidden(format!("Jira refused permission for {what}"))
        }
        e @ ResponsesError::PartlyApplied { .. } => ApiError::Conflict(e.to_string()),
        e @ ResponsesError::Tracker(_) => {
            tracing::warn!(error = %e, "Jira failed during a canned-response request");
            ApiError::ServiceUnavailable(e.to_string())
        }
        ResponsesError::Store(e) => ApiError::Internal(e.into()),
    }
}
