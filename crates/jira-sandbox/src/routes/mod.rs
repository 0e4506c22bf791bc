//! The HTTP surface: REST v2 and v3 (same handlers, dialect by path), Service Management,
//! admin webhooks, OAuth token endpoint, and the `/_sandbox` control endpoints.

pub mod admin;
pub mod attachments;
pub mod browse;
pub mod comments;
pub mod fields;
pub mod issues;
pub mod links;
pub mod membership;
pub mod meta;
pub mod oauth;
pub mod permissions;
pub mod properties;
pub mod search;
pub mod servicedesk;
pub mod signin;
pub mod users;
pub mod webhooks;
pub mod workflow;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::Value;

use crate::app::App;
use crate::auth::authenticate;
use crate::error::{ApiError, ApiResult};
use crate::middleware::{count, inject};
use crate::richtext::ApiVersion;

/// Parses a JSON request body, answering malformed JSON the way Jira does (400).
pub fn json_body(bytes: &Bytes) -> ApiResult<Value> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            "No content to map due to end-of-input",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "Unexpected character in request body at line {} column {}.",
            e.line(),
            e.column()
        ))
    })
}

fn api(version: ApiVersion) -> Router<App> {
    let r = Router::new()
        .route("/serverInfo", get(meta::server_info))
        .route("/myself", get(users::myself));
    let r = meta::routes(r);
    let r = issues::routes(r);
    let r = comments::routes(r);
    let r = properties::routes(r);
    let r = workflow::routes(r);
    let r = attachments::routes(r);
    let r = users::routes(r);
    let r = membership::routes(r);
    let r = permissions::routes(r);
    let r = links::routes(r);
    let r = search::routes(r, version);
    let r = webhooks::dynamic_routes(r);
    r.layer(Extension(version))
}

/// Adds counting and fault injection to a sub-router (inside, so routes are matched and the
/// counters can key on the route template).
fn instrumented(r: Router<App>, app: &App) -> Router<App> {
    r.layer(from_fn_with_state(app.clone(), inject))
        .layer(from_fn_with_state(app.clone(), count))
}

async fn not_found() -> impl IntoResponse {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "The sandbox has no resource at this path.",
    )
}

/// The full site router, with state applied.
pub fn router(app: App) -> Router {
    let token_path = app.config.oauth_token_path.clone();
    Router::new()
        .nest("/rest/api/3", instrumented(api(ApiVersion::V3), &app))
        .nest("/rest/api/2", instrumented(api(ApiVersion::V2), &app))
        .nest(
            "/rest/servicedeskapi",
            instrumented(servicedesk::routes(), &app),
        )
        .nest(
            "/rest/webhooks/1.0",
            instrumented(webhooks::admin_routes(), &app),
        )
        .nest("/_sandbox", admin::routes())
        .route(&token_path, post(oauth::token))
        .route(
            "/oauth/authorize",
            get(signin::authorize).post(signin::consent),
        )
        .route(
            "/oauth/token/accessible-resources",
            get(signin::accessible_resources),
        )
        .route("/me", get(signin::me))
        // The stand-in for Jira's issue page (browser extension tests).
        .route("/browse/{key}", get(browse::issue_page))
        .route("/issues/", get(browse::navigator_page))
        // Jira Data Center's own OAuth 2.0 provider, at its documented paths.
        .route(
            "/rest/oauth2/latest/authorize",
            get(signin::authorize).post(signin::consent),
        )
        .route("/rest/oauth2/latest/token", post(oauth::token))
        .fallback(not_found)
        .layer(from_fn_with_state(app.clone(), authenticate))
        .with_state(app)
}
