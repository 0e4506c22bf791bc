//! Users and groups: myself, get by account id, search, a user's groups, group members.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::render::user;
use crate::richtext::ApiVersion;
use crate::state::model::Group;

/// Adds user and group routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/mypermissions", get(my_permissions))
        .route("/user", get(get_user))
        .route("/user/search", get(search))
        .route("/user/groups", get(groups_of))
        .route("/group/member", get(members))
}

/// `GET /myself`.
pub async fn myself(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let u = site
        .user(&who.account_id)
        .ok_or_else(ApiError::unauthorized)?;
    let mut body = user(&app, v, u);
    body["locale"] = json!("en_US");
    Ok(Json(body))
}

/// The project permissions the sandbox knows; licensed accounts hold all of them, portal
/// customers only browse, comment and attach.
const PERMISSIONS: [(&str, bool); 9] = [
    ("BROWSE_PROJECTS", true),
    ("CREATE_ISSUES", true),
    ("ADD_COMMENTS", true),
    ("CREATE_ATTACHMENTS", true),
    ("EDIT_ISSUES", false),
    ("ASSIGN_ISSUES", false),
    ("MODIFY_REPORTER", false),
    ("TRANSITION_ISSUES", false),
    ("ADMINISTER_PROJECTS", false),
];

#[derive(Debug, Deserialize)]
struct PermissionQuery {
    permissions: Option<String>,
    #[serde(rename = "projectKey")]
    project_key: Option<String>,
}

/// `GET /mypermissions?permissions=A,B[&projectKey=K]`: like Jira Cloud, the list of keys is
/// required, an unknown key is a 400 and an unknown project a 404.
async fn my_permissions(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    Query(q): Query<PermissionQuery>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let Some(wanted) = q.permissions.as_deref().filter(|p| !p.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            "The 'permissions' query parameter is required.",
        ));
    };
    if let Some(key) = &q.project_key
        && site.project(key).is_none()
    {
        return Err(ApiError::not_found(format!(
            "No project could be found with key '{key}'."
        )));
    }
    let licensed = site
        .user(&who.account_id)
        .is_some_and(|u| u.account_type != crate::state::model::AccountType::Customer);
    let mut out = serde_json::Map::new();
    for key in wanted.split(',').map(str::trim) {
        let Some((_, customers_too)) = PERMISSIONS.iter().find(|(k, _)| *k == key) else {
            return Err(ApiError::bad_request(format!(
                "Invalid permission key: {key}"
            )));
        };
        out.insert(
            key.to_owned(),
            json!({ "key": key, "name": key, "type": "PROJECT", "havePermission": licensed || *customers_too }),
        );
    }
    Ok(Json(json!({ "permissions": out })))
}

#[derive(Debug, Deserialize)]
struct UserQuery {
    #[serde(rename = "accountId")]
    account_id: Option<String>,
    /// Data Center names users by `username` where Cloud uses `accountId`.
    username: Option<String>,
    query: Option<String>,
    #[serde(rename = "startAt", default)]
    start_at: usize,
    #[serde(rename = "maxResults", default = "fifty")]
    max_results: usize,
}

/// The user a query names: `accountId` on v3, `username` (or `accountId`) on v2.
fn named(q: &UserQuery, v: ApiVersion) -> ApiResult<String> {
    let id = match v {
        ApiVersion::V3 => q.account_id.clone(),
        ApiVersion::V2 => q.username.clone().or_else(|| q.account_id.clone()),
    };
    id.ok_or_else(|| ApiError::bad_request("The accountId query parameter needs to be provided."))
}

fn fifty() -> usize {
    50
}

async fn get_user(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Query(q): Query<UserQuery>,
) -> ApiResult<Json<Value>> {
    let id = named(&q, v)?;
    let site = app.store.read();
    let u = site.user(&id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Specified user does not exist or you do not have required permissions: {id}"
        ))
    })?;
    Ok(Json(user(&app, v, u)))
}

/// Matches display names by substring and e-mail addresses by prefix, case-insensitively
/// (Cloud matches addresses even when it hides them).
async fn search(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Query(q): Query<UserQuery>,
) -> ApiResult<Json<Value>> {
    if q.query.is_none() && q.account_id.is_none() {
        return Err(ApiError::bad_request(
            "One of 'query' or 'accountId' query parameters must be provided.",
        ));
    }
    let site = app.store.read();
    let needle = q.query.unwrap_or_default().to_lowercase();
    let found: Vec<Value> = site
        .users
        .iter()
        .filter(|u| q.account_id.as_ref().is_none_or(|id| *id == u.account_id))
        .filter(|u| {
            needle.is_empty()
                || u.display_name.to_lowercase().contains(&needle)
                || u.email.to_lowercase().starts_with(&needle)
        })
        .skip(q.start_at)
        .take(q.max_results)
        .map(|u| user(&app, v, u))
        .collect();
    Ok(Json(json!(found)))
}

fn group_json(app: &App, v: ApiVersion, g: &Group) -> Value {
    json!({"name": g.name, "groupId": g.id, "self": app.api_url(v, &format!("group?groupId={}", g.id))})
}

async fn groups_of(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Query(q): Query<UserQuery>,
) -> ApiResult<Json<Value>> {
    let id = named(&q, v)?;
    let site = app.store.read();
    if site.user(&id).is_none() {
        return Err(ApiError::not_found(format!(
            "Specified user does not exist or you do not have required permissions: {id}"
        )));
    }
    Ok(Json(json!(
        site.groups
            .iter()
            .filter(|g| g.members.contains(&id))
            .map(|g| group_json(&app, v, g))
            .collect::<Vec<_>>()
    )))
}

#[derive(Debug, Deserialize)]
struct GroupQuery {
    groupname: Option<String>,
    #[serde(rename = "groupId")]
    group_id: Option<String>,
    #[serde(rename = "startAt", default)]
    start_at: usize,
    #[serde(rename = "maxResults", default = "fifty")]
    max_results: usize,
}

async fn members(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Query(q): Query<GroupQuery>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let g = site
        .groups
        .iter()
        .find(|g| q.groupname.as_ref() == Some(&g.name) || q.group_id.as_ref() == Some(&g.id))
        .ok_or_else(|| ApiError::not_found("Specified group does not exist."))?;
    let all: Vec<Value> = g
        .members
        .iter()
        .filter_map(|m| site.user(m))
        .map(|u| user(&app, v, u))
        .collect();
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(q.start_at)
        .take(q.max_results)
        .collect();
    let is_last = q.start_at + page.len() >= total;
    Ok(Json(json!({
        "self": app.api_url(v, &format!("group/member?groupId={}", g.id)),
        "maxResults": q.max_results, "startAt": q.start_at, "total": total, "isLast": is_last, "values": page,
    })))
}
