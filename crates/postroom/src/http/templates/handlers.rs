//! The handlers of `/api/v1/templates`, one per operation, each documented for OpenAPI.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use super::dto::{
    AppliedBody, ApplyRequestBody, DraftBody, ExportBody, ImportedBody, PreviewBody, RenderRequest,
    TemplateBody,
};
use super::{Ctx, api_error, field, today};
use crate::app::now_ms;
use crate::http::auth::ApiCaller;
use crate::http::error::ErrorBody;
use crate::http::json_body::JsonBody;
use crate::http::{ApiError, AppState, usage};
use postroom_engine::responses::{ApplyRequest, Visible};
use std::collections::BTreeMap;

/// Most results one search returns.
const MAX_LIMIT: usize = 100;

/// A JSON body, with a field error naming where it does not fit the schema.
pub(super) fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::BadRequest(format!("the body is not valid JSON: {inner}"));
        }
        field(if path == "." { "" } else { &path }, inner.to_string())
    })
}

fn listed(list: Vec<Visible>) -> Json<Vec<TemplateBody>> {
    Json(list.into_iter().map(TemplateBody::from).collect())
}

/// Every template the caller may see, by name.
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates",
    responses((status = 200, body = [TemplateBody]), (status = 401, body = ErrorBody),
              (status = 503, description = "No Jira configured or reachable", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<TemplateBody>>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    Ok(listed(service.list().await.map_err(api_error)?))
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words to find in the name, tags or body (all must match); empty lists by use.
    #[serde(default)]
    q: String,
    /// Only templates that fit this issue (project templates of other projects are left out).
    issue: Option<String>,
    /// Only templates that fit this project (a key; what the picker sends once it knows the
    /// issue's project, saving Jira a lookup per key stroke). Ignored when `issue` is given.
    project: Option<String>,
    /// At most this many results (1–100, default 20).
    limit: Option<usize>,
}

/// Templates in the caller's scope matching `q`, ranked by the caller's recent use and
/// overall use.
#[utoipa::path(get, path = "/api/v1/templates/search", tag = "templates", params(SearchParams),
    responses((status = 200, body = [TemplateBody]), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<TemplateBody>>, ApiError> {
    let limit = params.limit.unwrap_or(20).clamp(1, MAX_LIMIT);
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let found = match (&params.issue, &params.project) {
        (None, Some(project)) => {
            service
                .search_in(&params.q, Some(project.trim()), limit, now_ms())
                .await
        }
        (issue, _) => {
            service
                .search(&params.q, issue.as_deref(), limit, now_ms())
                .await
        }
    }
    .map_err(api_error)?;
    Ok(listed(found))
}

/// Creates a template owned by the caller.
#[utoipa::path(post, path = "/api/v1/templates", tag = "templates", request_body = DraftBody,
    responses((status = 201, body = TemplateBody), (status = 401, body = ErrorBody),
              (status = 415, description = "The body is not JSON", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<(StatusCode, Json<TemplateBody>), ApiError> {
    let draft = body::<DraftBody>(&bytes)?
        .into_draft()
        .map_err(|e| ApiError::Unprocessable { errors: vec![e] })?;
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let made = service.create(draft, now_ms()).await.map_err(api_error)?;
    let shown = service.get(&made.id).await.map_err(api_error)?;
    Ok((StatusCode::CREATED, Json(shown.into())))
}

/// One template.
#[utoipa::path(get, path = "/api/v1/templates/{id}", tag = "templates",
    params(("id" = String, Path, description = "Template id")),
    responses((status = 200, body = TemplateBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<TemplateBody>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    Ok(Json(service.get(&id).await.map_err(api_error)?.into()))
}

/// Replaces a template's name, body, description, folder, tags and scope.
#[utoipa::path(put, path = "/api/v1/templates/{id}", tag = "templates", request_body = DraftBody,
    params(("id" = String, Path, description = "Template id")),
    responses((status = 200, body = TemplateBody), (status = 401, body = ErrorBody),
              (status = 415, description = "The body is not JSON", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(bytes): JsonBody,
) -> Result<Json<TemplateBody>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    service.get(&id).await.map_err(api_error)?;
    let draft = body::<DraftBody>(&bytes)?
        .into_draft()
        .map_err(|e| ApiError::Unprocessable { errors: vec![e] })?;
    service
        .update(&id, draft, now_ms())
        .await
        .map_err(api_error)?;
    Ok(Json(service.get(&id).await.map_err(api_error)?.into()))
}

/// Deletes a template.
#[utoipa::path(delete, path = "/api/v1/templates/{id}", tag = "templates",
    params(("id" = String, Path, description = "Template id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    service.delete(&id).await.map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Most variables one request may fill, and the longest text for one.
const MAX_VALUES: usize = 50;
const MAX_VALUE_CHARS: usize = 2_000;

/// Refuses more variable values than a template could need, or overlong ones.
fn check_values(values: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if values.len() > MAX_VALUES {
        return Err(field("values", format!("more than {MAX_VALUES} values")));
    }
    match values
        .iter()
        .find(|(_, v)| v.chars().count() > MAX_VALUE_CHARS)
    {
        Some((path, _)) => Err(field(
            &format!("values.{path}"),
            format!("is longer than {MAX_VALUE_CHARS} characters"),
        )),
        None => Ok(()),
    }
}

/// Renders a template for an issue without posting anything (a preview). With
/// `inserted`, the agent put it into a reply: counted for Insights.
#[utoipa::path(post, path = "/api/v1/templates/{id}/render", tag = "templates",
    request_body = RenderRequest, params(("id" = String, Path, description = "Template id")),
    responses((status = 200, body = PreviewBody), (status = 401, body = ErrorBody),
              (status = 415, description = "The body is not JSON", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn render(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(bytes): JsonBody,
) -> Result<Json<PreviewBody>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    service.get(&id).await.map_err(api_error)?;
    let request: RenderRequest = body(&bytes)?;
    check_values(&request.values)?;
    let now = now_ms();
    let preview = service
        .render_with(&id, &request.issue, &request.values, today(now)?)
        .await
        .map_err(api_error)?;
    if request.inserted {
        usage::template_used(&state, &caller, &id, false, now).await;
    }
    Ok(Json(preview.into()))
}

/// Posts a template as a comment on an issue (public or internal), optionally with a
/// transition, and counts the use (for ranking and Insights).
#[utoipa::path(post, path = "/api/v1/templates/{id}/apply", tag = "templates",
    request_body = ApplyRequestBody, params(("id" = String, Path, description = "Template id")),
    responses((status = 200, body = AppliedBody), (status = 401, body = ErrorBody),
              (status = 415, description = "The body is not JSON", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(bytes): JsonBody,
) -> Result<Json<AppliedBody>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    service.get(&id).await.map_err(api_error)?;
    let request: ApplyRequestBody = body(&bytes)?;
    check_values(&request.values)?;
    let request = ApplyRequest {
        issue: request.issue,
        public: request.public,
        transition: request.transition,
        values: request.values,
    };
    let now = now_ms();
    let applied = service
        .apply(&id, &request, today(now)?, now)
        .await
        .map_err(api_error)?;
    usage::template_used(&state, &caller, &id, true, now).await;
    Ok(Json(applied.into()))
}

/// The caller's visible templates in the exchange format (personal templates are never
/// exported).
#[utoipa::path(get, path = "/api/v1/templates/export", tag = "templates",
    responses((status = 200, body = ExportBody), (status = 401, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<ExportBody>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    Ok(Json(service.export().await.map_err(api_error)?.into()))
}

/// Imports an export file as new templates owned by the caller: all or none, with every
/// problem reported by position (`templates[3].body`).
#[utoipa::path(post, path = "/api/v1/templates/import", tag = "templates",
    request_body = ExportBody,
    responses((status = 201, body = ImportedBody), (status = 401, body = ErrorBody),
              (status = 415, description = "The body is not JSON", body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<(StatusCode, Json<ImportedBody>), ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let made = service.import(&bytes, now_ms()).await.map_err(api_error)?;
    let mut imported = Vec::with_capacity(made.len());
    for template in made {
        imported.push(service.get(&template.id).await.map_err(api_error)?.into());
    }
    Ok((StatusCode::CREATED, Json(ImportedBody { imported })))
}
