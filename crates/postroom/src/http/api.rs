//! `/api/v1`: the REST API and its OpenAPI document, generated from the handlers.

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use super::{ApiError, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "postroom",
        description = "The REST API of postroom, the mail room of a Jira site."
    ),
    paths(super::auth::whoami),
    components(schemas(super::error::ErrorBody, super::FieldError, super::auth::WhoAmI))
)]
struct ApiDoc;

/// The `/api/v1` router. Later features add their routes here and their paths to
/// [`ApiDoc`], so the document always matches what is served.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/whoami", get(super::auth::whoami))
        .fallback(unknown_route)
}

/// An API path that does not exist answers in the API's own error format.
async fn unknown_route(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no API endpoint at {}", uri.path()))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
