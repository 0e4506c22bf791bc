//! What the console's template editor asks while a template is written: the variables a
//! body may use, and a live preview of an unsaved body against an issue.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::PreviewBody;
use super::handlers::body;
use super::{Ctx, api_error, today};
use crate::app::now_ms;
use crate::http::auth::ApiCaller;
use crate::http::error::ErrorBody;
use crate::http::json_body::JsonBody;
use crate::http::{ApiError, AppState};

/// An unsaved body to preview.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DraftPreviewRequest {
    /// The body as written so far (Markdown subset with template variables).
    pub body: String,
    /// Issue key to fill it from, e.g. `SUP-12`.
    pub issue: String,
}

/// The variables a body may use on this site, sorted (custom fields by id and by name).
#[utoipa::path(get, path = "/api/v1/templates/variables", tag = "templates",
    responses((status = 200, body = [String]), (status = 401, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn variables(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<String>>, ApiError> {
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    Ok(Json(service.variables().await.map_err(api_error)?))
}

/// Renders an unsaved body for an issue: the editor's live preview. A body that would be
/// refused on save is refused here the same way (422, `body`, with the line and the
/// reason); nothing is saved, counted or kept.
#[utoipa::path(post, path = "/api/v1/templates/preview", tag = "templates",
    request_body = DraftPreviewRequest,
    responses((status = 200, body = PreviewBody), (status = 401, body = ErrorBody),
              (status = 415, description = "The body is not JSON", body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<PreviewBody>, ApiError> {
    let request: DraftPreviewRequest = body(&bytes)?;
    let ctx = Ctx::load(&state, &caller).await?;
    let service = ctx.service(&state, &caller).await?;
    let preview = service
        .preview_body(&request.body, request.issue.trim(), today(now_ms())?)
        .await
        .map_err(api_error)?;
    Ok(Json(preview.into()))
}
