//! Site metadata: serverInfo, projects, roles, issue types (createmeta), fields, priorities.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::render::{issue_type, user_ref};
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::Project;
use crate::time::{format_jira, now_ms};

/// Adds the metadata routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/project", get(projects))
        .route("/project/{key}", get(project))
        .route("/project/{key}/role", get(roles))
        .route(
            "/project/{key}/role/{id}",
            get(role).post(super::membership::add_role_actors),
        )
        .route("/issue/createmeta/{key}/issuetypes", get(createmeta_types))
        .route(
            "/issue/createmeta/{key}/issuetypes/{type_id}",
            get(createmeta_fields),
        )
        .route("/field", get(fields))
        .route("/priority", get(priorities))
        .route("/issueLinkType", get(link_types))
}

/// `GET /serverInfo`: answered without credentials, as on Jira.
pub async fn server_info(State(app): State<App>) -> Json<Value> {
    let now = now_ms();
    Json(json!({
        "baseUrl": app.base_url,
        "displayUrl": app.base_url,
        "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0],
        "deploymentType": "Cloud",
        "buildNumber": 100_280,
        "buildDate": format_jira(now - now % 86_400_000),
        "serverTime": format_jira(now),
        "scmInfo": "0000000000000000000000000000000000000000",
        "serverTitle": "Jira (postroom sandbox)",
        "serverTimeZone": "Etc/UTC",
    }))
}

/// A project by key or id, or Jira's 404.
pub(crate) fn find<'a>(site: &'a Site, key: &str) -> ApiResult<&'a Project> {
    site.project(key).ok_or_else(|| no_project(key))
}

/// Jira's answer for an unknown project.
pub(crate) fn no_project(key: &str) -> ApiError {
    ApiError::not_found(format!("No project could be found with key '{key}'."))
}

fn project_json(app: &App, site: &Site, v: ApiVersion, p: &Project) -> Value {
    let types: Vec<Value> = p
        .issue_types
        .iter()
        .map(|t| issue_type(app, v, &t.id, &t.name))
        .collect();
    json!({
        "self": app.api_url(v, &format!("project/{}", p.id)),
        "id": p.id, "key": p.key, "name": p.name, "description": "",
        "lead": user_ref(app, site, v, Some(&p.lead)),
        "issueTypes": types,
        "projectTypeKey": "service_desk", "simplified": false, "style": "classic",
        "isPrivate": false, "properties": {},
        "roles": role_links(app, site, v, p),
    })
}

fn role_links(app: &App, site: &Site, v: ApiVersion, p: &Project) -> Value {
    let map: serde_json::Map<String, Value> = site
        .roles
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                json!(app.api_url(v, &format!("project/{}/role/{}", p.id, r.id))),
            )
        })
        .collect();
    Value::Object(map)
}

async fn projects(State(app): State<App>, Extension(v): Extension<ApiVersion>) -> Json<Value> {
    let site = app.store.read();
    Json(json!(
        site.projects
            .iter()
            .map(|p| project_json(&app, &site, v, p))
            .collect::<Vec<_>>()
    ))
}

async fn project(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    Ok(Json(project_json(&app, &site, v, find(&site, &key)?)))
}

async fn roles(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    Ok(Json(role_links(&app, &site, v, find(&site, &key)?)))
}

pub(super) async fn role(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path((key, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let p = find(&site, &key)?;
    let r = site
        .roles
        .iter()
        .find(|r| r.id.to_string() == id)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Can not retrieve a role actor for a null project role with id {id}."
            ))
        })?;
    let actors: Vec<Value> = r
        .members
        .iter()
        .filter_map(|m| site.user(m))
        .enumerate()
        .map(|(n, u)| json!({
            "id": 20_000 + n, "displayName": u.display_name, "type": "atlassian-user-role-actor",
            "actorUser": {"accountId": u.account_id},
        }))
        .collect();
    Ok(Json(json!({
        "self": app.api_url(v, &format!("project/{}/role/{}", p.id, r.id)),
        "name": r.name, "id": r.id, "description": "", "actors": actors,
    })))
}

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(rename = "startAt", default)]
    start_at: usize,
    #[serde(rename = "maxResults", default = "fifty")]
    max_results: usize,
}

fn fifty() -> usize {
    50
}

async fn createmeta_types(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(key): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let p = find(&site, &key)?;
    let all: Vec<Value> = p
        .issue_types
        .iter()
        .map(|t| issue_type(&app, v, &t.id, &t.name))
        .collect();
    let total = all.len();
    let slice: Vec<Value> = all
        .into_iter()
        .skip(page.start_at)
        .take(page.max_results)
        .collect();
    Ok(Json(
        json!({"issueTypes": slice, "maxResults": page.max_results, "startAt": page.start_at, "total": total}),
    ))
}

fn field_meta(
    key: &str,
    name: &str,
    required: bool,
    schema: Value,
    allowed: Option<Value>,
) -> Value {
    let mut f = json!({
        "fieldId": key, "key": key, "name": name, "required": required, "schema": schema,
        "hasDefaultValue": false, "operations": ["set"],
    });
    if let Some(a) = allowed {
        f["allowedValues"] = a;
    }
    f
}

async fn createmeta_fields(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path((key, type_id)): Path<(String, String)>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let p = find(&site, &key)?;
    if !p.issue_types.iter().any(|t| t.id == type_id) {
        return Err(ApiError::not_found(format!(
            "Issue type with id '{type_id}' does not exist in project '{}'.",
            p.key
        )));
    }
    let priorities: Vec<Value> = site.priorities.iter().map(|pr| json!({"id": pr.id, "name": pr.name, "self": app.api_url(v, &format!("priority/{}", pr.id))})).collect();
    let mut all = vec![
        field_meta(
            "summary",
            "Summary",
            true,
            json!({"type": "string", "system": "summary"}),
            None,
        ),
        field_meta(
            "issuetype",
            "Issue Type",
            true,
            json!({"type": "issuetype", "system": "issuetype"}),
            None,
        ),
        field_meta(
            "project",
            "Project",
            true,
            json!({"type": "project", "system": "project"}),
            None,
        ),
        field_meta(
            "description",
            "Description",
            false,
            json!({"type": "string", "system": "description"}),
            None,
        ),
        field_meta(
            "priority",
            "Priority",
            false,
            json!({"type": "priority", "system": "priority"}),
            Some(json!(priorities)),
        ),
        field_meta(
            "labels",
            "Labels",
            false,
            json!({"type": "array", "items": "string", "system": "labels"}),
            None,
        ),
        field_meta(
            "reporter",
            "Reporter",
            false,
            json!({"type": "user", "system": "reporter"}),
            None,
        ),
        field_meta(
            "assignee",
            "Assignee",
            false,
            json!({"type": "user", "system": "assignee"}),
            None,
        ),
    ];
    for cf in &site.custom_fields {
        let number: i64 = cf
            .id
            .trim_start_matches("customfield_")
            .parse()
            .unwrap_or(0);
        all.push(field_meta(&cf.id, &cf.name, false, json!({"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield", "customId": number}), None));
    }
    let total = all.len();
    let slice: Vec<Value> = all
        .into_iter()
        .skip(page.start_at)
        .take(page.max_results)
        .collect();
    Ok(Json(
        json!({"fields": slice, "maxResults": page.max_results, "startAt": page.start_at, "total": total}),
    ))
}

async fn fields(State(app): State<App>) -> Json<Value> {
    let site = app.store.read();
    let system = [
        ("summary", "Summary", "string"),
        ("description", "Description", "string"),
        ("issuetype", "Issue Type", "issuetype"),
        ("project", "Project", "project"),
        ("status", "Status", "status"),
        ("priority", "Priority", "priority"),
        ("labels", "Labels", "array"),
        ("creator", "Creator", "user"),
        ("reporter", "Reporter", "user"),
        ("assignee", "Assignee", "user"),
        ("created", "Created", "datetime"),
        ("updated", "Updated", "datetime"),
        ("comment", "Comment", "comments-page"),
        ("attachment", "Attachment", "array"),
        ("issuelinks", "Linked Issues", "array"),
        ("watches", "Watchers", "watches"),
    ];
    let mut out: Vec<Value> = system.iter().map(|(id, name, ty)| json!({
        "id": id, "key": id, "name": name, "custom": false, "orderable": true, "navigable": true,
        "searchable": true, "clauseNames": [id], "schema": {"type": ty, "system": id},
    })).collect();
    for cf in &site.custom_fields {
        let number: i64 = cf
            .id
            .trim_start_matches("customfield_")
            .parse()
            .unwrap_or(0);
        out.push(json!({
            "id": cf.id, "key": cf.id, "name": cf.name, "custom": true, "orderable": true,
            "navigable": true, "searchable": true,
            "clauseNames": [format!("cf[{number}]"), cf.name],
            "schema": {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield", "customId": number},
        }));
    }
    Json(json!(out))
}

async fn priorities(State(app): State<App>, Extension(v): Extension<ApiVersion>) -> Json<Value> {
    let site = app.store.read();
    Json(json!(site.priorities.iter().map(|p| json!({
        "self": app.api_url(v, &format!("priority/{}", p.id)), "id": p.id, "name": p.name,
        "statusColor": p.color, "description": "", "isDefault": p.id == site.default_priority,
        "iconUrl": format!("{}/_sandbox/priority.png", app.base_url),
    })).collect::<Vec<_>>()))
}

async fn link_types(State(app): State<App>, Extension(v): Extension<ApiVersion>) -> Json<Value> {
    let site = app.store.read();
    Json(
        json!({"issueLinkTypes": site.link_types.iter().map(|t| crate::routes::links::link_type(&app, v, t)).collect::<Vec<_>>()}),
    )
}
