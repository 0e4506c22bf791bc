//! Changing who is in a group or a project role, as Jira's REST API does it: create a group
//! (`POST /group`), add a user to a group (`POST /group/user`), add actors to a project
//! role (`POST /project/{key}/role/{id}`). Site administrators only, as on Jira. Tests use
//! these to give the seeded agent the standing a scenario needs.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::richtext::ApiVersion;
use crate::state::model::Group;

/// Adds the group-membership routes (the role route is added by `meta`).
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/group", post(create_group))
        .route("/group/user", post(add_to_group))
}

fn site_admin(who: &Principal) -> ApiResult<()> {
    if who.site_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "You do not have the permission to manage groups and project roles.",
        ))
    }
}

/// The user a body names: `accountId` (Cloud) or `name` (Data Center).
fn named_user(body: &Value) -> Option<&str> {
    body.get("accountId")
        .or_else(|| body.get("name"))
        .and_then(Value::as_str)
}

async fn create_group(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    site_admin(&who)?;
    let body = json_body(&body)?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("You must specify a group name."))?
        .to_owned();
    let id = {
        let mut site = app.store.write();
        if site
            .groups
            .iter()
            .any(|g| g.name.eq_ignore_ascii_case(&name))
        {
            return Err(ApiError::bad_request(format!(
                "Group name '{name}' already exists."
            )));
        }
        let id = format!("0b5e0000-0000-4000-9000-{:012}", site.groups.len() + 1);
        site.groups.push(Group {
            id: id.clone(),
            name: name.clone(),
            members: Vec::new(),
        });
        id
    };
    app.store.persist();
    let self_url = app.api_url(v, &format!("group?groupId={id}"));
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"name": name, "groupId": id, "self": self_url, "users": {"size": 0, "items": []}}),
        ),
    ))
}

#[derive(Debug, Deserialize)]
struct GroupQuery {
    groupname: Option<String>,
    #[serde(rename = "groupId")]
    group_id: Option<String>,
}

async fn add_to_group(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Query(q): Query<GroupQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    site_admin(&who)?;
    let body = json_body(&body)?;
    let user = named_user(&body)
        .ok_or_else(|| ApiError::bad_request("You must specify the accountId of a user."))?
        .to_owned();
    let (name, id) = {
        let mut site = app.store.write();
        if site.user(&user).is_none() {
            return Err(ApiError::not_found(format!(
                "User '{user}' does not exist."
            )));
        }
        let g = site
            .groups
            .iter_mut()
            .find(|g| q.groupname.as_ref() == Some(&g.name) || q.group_id.as_ref() == Some(&g.id))
            .ok_or_else(|| ApiError::not_found("Specified group does not exist."))?;
        if g.members.contains(&user) {
            return Err(ApiError::bad_request(format!(
                "Cannot add user. '{user}' is already a member of '{}'",
                g.name
            )));
        }
        g.members.push(user);
        (g.name.clone(), g.id.clone())
    };
    app.store.persist();
    let self_url = app.api_url(v, &format!("group?groupId={id}"));
    Ok((
        StatusCode::CREATED,
        Json(json!({"name": name, "groupId": id, "self": self_url})),
    ))
}

/// `POST /project/{key}/role/{id}` with `{"user": [accountId…]}`: adds users as actors and
/// answers with the role, as `GET` does.
pub async fn add_role_actors(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path((key, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    site_admin(&who)?;
    let body = json_body(&body)?;
    let users: Vec<String> = body
        .get("user")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if body
        .get("group")
        .is_some_and(|g| g.as_array().is_some_and(|a| !a.is_empty()))
    {
        return Err(ApiError::bad_request(
            "The sandbox models users as role actors, not groups.",
        ));
    }
    {
        let mut site = app.store.write();
        if site.project(&key).is_none() {
            return Err(ApiError::not_found(format!(
                "No project could be found with key '{key}'."
            )));
        }
        if let Some(missing) = users.iter().find(|u| site.user(u).is_none()) {
            return Err(ApiError::bad_request(format!(
                "User '{missing}' does not exist."
            )));
        }
        let role = site
            .roles
            .iter_mut()
            .find(|r| r.id.to_string() == id)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Can not retrieve a role actor for a null project role with id {id}."
                ))
            })?;
        for user in users {
            if !role.members.contains(&user) {
                role.members.push(user);
            }
        }
    }
    app.store.persist();
    super::meta::role(State(app), Extension(v), Path((key, id))).await
}
