//! Who may browse what: the permission schemes a project can be given
//! (`GET /permissionscheme`, `PUT /project/{key}/permissionscheme`) and the users who may
//! browse an issue (`GET /user/viewissue/search`), which an app asks before it trusts a
//! reply from someone who is not on the issue.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, put};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use super::meta::{find, no_project};
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::render::user;
use crate::richtext::ApiVersion;
use crate::state::model::PermissionScheme;

/// Adds the permission routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/permissionscheme", get(schemes))
        .route("/project/{key}/permissionscheme", put(assign).get(assigned))
        .route("/user/viewissue/search", get(viewers))
}

fn scheme_json(app: &App, v: ApiVersion, scheme: PermissionScheme) -> Value {
    json!({
        "id": scheme.id(),
        "name": scheme.name(),
        "self": app.api_url(v, &format!("permissionscheme/{}", scheme.id())),
    })
}

/// `GET /permissionscheme`.
async fn schemes(State(app): State<App>, Extension(v): Extension<ApiVersion>) -> Json<Value> {
    let all: Vec<Value> = PermissionScheme::ALL
        .into_iter()
        .map(|s| scheme_json(&app, v, s))
        .collect();
    Json(json!({ "permissionSchemes": all }))
}

/// `GET /project/{key}/permissionscheme`.
async fn assigned(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let project = find(&site, &key)?;
    Ok(Json(scheme_json(&app, v, project.permission_scheme)))
}

/// `PUT /project/{key}/permissionscheme` with `{"id": N}`: Jira administrators only; an
/// unknown scheme is a 404, as on Jira.
async fn assign(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    if !who.site_admin {
        return Err(ApiError::forbidden(
            "You do not have the permission to assign a permission scheme.",
        ));
    }
    let body = json_body(&body)?;
    let id = body
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::bad_request("The permission scheme id is required."))?;
    let scheme = PermissionScheme::by_id(id)
        .ok_or_else(|| ApiError::not_found(format!("Permission scheme {id} does not exist.")))?;
    {
        let mut site = app.store.write();
        site.project_mut(&key)
            .ok_or_else(|| no_project(&key))?
            .permission_scheme = scheme;
    }
    app.store.persist();
    Ok(Json(scheme_json(&app, v, scheme)))
}

#[derive(Debug, Deserialize)]
struct ViewerQuery {
    #[serde(rename = "issueKey")]
    issue_key: Option<String>,
    #[serde(rename = "projectKey")]
    project_key: Option<String>,
    #[serde(rename = "accountId")]
    account_id: Option<String>,
    /// Data Center names users by `username` where Cloud uses `accountId`.
    username: Option<String>,
    query: Option<String>,
}

/// `GET /user/viewissue/search?issueKey=K&accountId=A` (or `username=` on v2): the users
/// who may browse the issue, narrowed to the one named or to those matching `query`. Like
/// Jira, one of `issueKey` and `projectKey` is required, an unknown issue is a 404, and a
/// caller who may not browse users gets an empty list.
async fn viewers(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Query(q): Query<ViewerQuery>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let caller_customer = site
        .user(&who.account_id)
        .is_none_or(|u| u.account_type == crate::state::model::AccountType::Customer);
    let issues: Vec<_> = match (&q.issue_key, &q.project_key) {
        (Some(key), _) => {
            let id = site.issue_id(key).ok_or_else(|| {
                ApiError::not_found("Issue does not exist or you do not have permission to see it.")
            })?;
            site.issues.get(&id).into_iter().collect()
        }
        (None, Some(project)) => {
            let project = find(&site, project)?;
            site.issues
                .values()
                .filter(|i| i.project == project.key)
                .collect()
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "Either an issue key or a project key must be provided.",
            ));
        }
    };
    if caller_customer {
        return Ok(Json(json!([])));
    }
    let named = match v {
        ApiVersion::V3 => q.account_id.as_deref(),
        ApiVersion::V2 => q.username.as_deref().or(q.account_id.as_deref()),
    };
    let needle = q.query.as_deref().map(str::to_lowercase);
    let found: Vec<Value> = site
        .users
        .iter()
        .filter(|u| named.is_none_or(|n| u.account_id == n))
        .filter(|u| {
            needle.as_deref().is_none_or(|n| {
                u.display_name.to_lowercase().contains(n) || u.email.to_lowercase().starts_with(n)
            })
        })
        .filter(|u| issues.iter().any(|i| site.may_browse(&u.account_id, i)))
        .map(|u| user(&app, v, u))
        .collect();
    Ok(Json(Value::Array(found)))
}
