//! Issue create, get and edit.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::fields::{FieldErrors, apply, merge_update};
use super::json_body;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::render::{self, FieldSelection};
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::Issue;
use crate::time::now_ms;
use crate::webhooks::{Event, emit};

/// Adds the issue routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/issue", post(create))
        .route("/issue/{key}", get(get_issue).put(edit))
}

/// Resolves an issue id or key, or answers Jira's 404.
pub fn issue_id(site: &Site, key: &str) -> ApiResult<u64> {
    site.issue_id(key).ok_or_else(ApiError::issue_not_found)
}

/// Largest entity property value Jira accepts (32 KB of JSON).
pub const MAX_PROPERTY_BYTES: usize = 32_768;

/// Reads a `properties: [{key, value}]` list (issue create, comment add).
pub fn property_list(body: &Value, errors: &mut FieldErrors) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(list) = body.get("properties") else {
        return out;
    };
    let Some(items) = list.as_array() else {
        errors.0.insert(
            "properties".into(),
            "properties must be an array of {key, value}".into(),
        );
        return out;
    };
    for item in items {
        match (item.get("key").and_then(Value::as_str), item.get("value")) {
            (Some(k), Some(v))
                if !k.is_empty() && k.len() <= 255 && v.to_string().len() <= MAX_PROPERTY_BYTES =>
            {
                out.insert(k.to_owned(), v.clone());
            }
            (Some(k), Some(_)) if k.len() <= 255 && !k.is_empty() => {
                errors.0.insert(
                    "properties".into(),
                    format!("The property '{k}' exceeds the maximum size of 32768 bytes."),
                );
            }
            _ => {
                errors.0.insert(
                    "properties".into(),
                    "Each property needs a key (1-255 characters) and a value.".into(),
                );
            }
        }
    }
    out
}

async fn create(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_body(&body)?;
    let (id, key) = create_issue(&app, v, &who, &body)?;
    let body =
        json!({"id": id.to_string(), "key": key, "self": app.api_url(v, &format!("issue/{id}"))});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Creates an issue from a create body (`fields`, `update`, `properties`) as `who`, with
/// its event; returns its id and key. Shared by the REST create and JSM's request create,
/// which Jira makes an ordinary issue of.
pub(super) fn create_issue(
    app: &App,
    v: ApiVersion,
    who: &Principal,
    body: &Value,
) -> ApiResult<(u64, String)> {
    let fields = merge_update(body, &[])?;
    let mut errors = FieldErrors::default();
    let (id, key) = {
        let mut site = app.store.write();
        let project = fields
            .get("project")
            .and_then(|p| p.get("key").or_else(|| p.get("id")))
            .and_then(Value::as_str)
            .and_then(|k| site.project(k))
            .map(|p| p.key.clone());
        let Some(project) = project else {
            return Err(ApiError::field(
                "project",
                "Specify a valid project ID or key",
            ));
        };
        let now = now_ms();
        let mut issue = Issue {
            id: 0,
            key: String::new(),
            project: project.clone(),
            issue_type: String::new(),
            summary: String::new(),
            description: None,
            status: "1".into(),
            priority: site.default_priority.clone(),
            labels: Vec::new(),
            creator: who.account_id.clone(),
            reporter: who.account_id.clone(),
            assignee: None,
            created: now,
            updated: now,
            resolved: None,
            custom: BTreeMap::new(),
            properties: BTreeMap::new(),
            comments: Vec::new(),
            watchers: vec![who.account_id.clone()],
            participants: Vec::new(),
        };
        if !fields.contains_key("summary") {
            errors.0.insert(
                "summary".into(),
                "You must specify a summary of the issue.".into(),
            );
        }
        if !fields.contains_key("issuetype") {
            errors
                .0
                .insert("issuetype".into(), "Specify an issue type".into());
        }
        apply(&site, v, &fields, &mut issue, true, &mut errors);
        issue.properties = property_list(body, &mut errors);
        errors.into_result()?;
        issue.id = Site::take_id(&mut site.next_ids.issue);
        let number = site
            .next_ids
            .issue_number
            .entry(project.clone())
            .or_insert(1);
        issue.key = format!("{project}-{number}");
        *number += 1;
        let out = (issue.id, issue.key.clone());
        site.issues.insert(issue.id, issue);
        out
    };
    app.store.persist();
    app.stats.effect("issue_created");
    emit(
        app,
        vec![Event::IssueCreated {
            issue: id,
            user: who.account_id.clone(),
        }],
    );
    Ok((id, key))
}

#[derive(Debug, Deserialize)]
struct GetParams {
    fields: Option<String>,
    expand: Option<String>,
    properties: Option<String>,
}

fn split(list: Option<&str>) -> Vec<&str> {
    list.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

async fn get_issue(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    Query(q): Query<GetParams>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let issue = &site.issues[&issue_id(&site, &key)?];
    let selection = FieldSelection::parse(split(q.fields.as_deref()), FieldSelection::All);
    let props: Vec<String> = split(q.properties.as_deref())
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut body = render::issue(&app, &site, v, &who.account_id, issue, &selection, &props);
    let expand = split(q.expand.as_deref());
    if expand.contains(&"names") {
        let mut names = Map::new();
        if let Some(fields) = body.get("fields").and_then(Value::as_object) {
            for id in fields.keys() {
                let name = site
                    .custom_fields
                    .iter()
                    .find(|f| &f.id == id)
                    .map_or_else(|| id.clone(), |f| f.name.clone());
                names.insert(id.clone(), json!(name));
            }
        }
        body["names"] = Value::Object(names);
    }
    if expand.contains(&"changelog") {
        body["changelog"] = json!({"startAt": 0, "maxResults": 0, "total": 0, "histories": []});
    }
    Ok(Json(body))
}

async fn edit(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body = json_body(&body)?;
    let mut errors = FieldErrors::default();
    let (id, changes) = {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        let fields = merge_update(&body, &site.issues[&id].labels)?;
        let mut issue = site.issues[&id].clone();
        let changes = apply(&site, v, &fields, &mut issue, false, &mut errors);
        let props = property_list(&body, &mut errors);
        errors.into_result()?;
        issue.properties.extend(props);
        issue.updated = now_ms();
        site.issues.insert(id, issue);
        (id, changes)
    };
    app.store.persist();
    app.stats.effect("issue_updated");
    emit(
        &app,
        vec![Event::IssueUpdated {
            issue: id,
            user: who.account_id,
            changes,
        }],
    );
    Ok(StatusCode::NO_CONTENT)
}
