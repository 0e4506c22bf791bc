//! Entity properties of issues and comments (get, list keys, set, delete).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{Value, json};

use super::issues::{MAX_PROPERTY_BYTES, issue_id};
use super::json_body;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::render::can_see;
use crate::richtext::ApiVersion;
use crate::state::Site;

/// Adds the property routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/issue/{key}/properties", get(issue_keys))
        .route(
            "/issue/{key}/properties/{prop}",
            get(issue_get).put(issue_set).delete(issue_delete),
        )
        .route("/comment/{id}/properties", get(comment_keys))
        .route(
            "/comment/{id}/properties/{prop}",
            get(comment_get).put(comment_set).delete(comment_delete),
        )
}

fn missing(prop: &str) -> ApiError {
    ApiError::not_found(format!("The property with key '{prop}' does not exist."))
}

fn checked_value(bytes: &Bytes, prop: &str) -> ApiResult<Value> {
    if prop.is_empty() || prop.len() > 255 {
        return Err(ApiError::bad_request(
            "The property key must be between 1 and 255 characters.",
        ));
    }
    if bytes.len() > MAX_PROPERTY_BYTES {
        return Err(ApiError::bad_request(format!(
            "The property '{prop}' exceeds the maximum size of 32768 bytes."
        )));
    }
    json_body(bytes)
}

fn keys(map: &BTreeMap<String, Value>, url: impl Fn(&str) -> String) -> Json<Value> {
    Json(json!({"keys": map.keys().map(|k| json!({"self": url(k), "key": k})).collect::<Vec<_>>()}))
}

async fn issue_keys(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let id = issue_id(&site, &key)?;
    Ok(keys(&site.issues[&id].properties, |k| {
        app.api_url(v, &format!("issue/{id}/properties/{k}"))
    }))
}

async fn issue_get(
    State(app): State<App>,
    Path((key, prop)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let id = issue_id(&site, &key)?;
    let value = site.issues[&id]
        .properties
        .get(&prop)
        .ok_or_else(|| missing(&prop))?;
    Ok(Json(json!({"key": prop, "value": value})))
}

async fn issue_set(
    State(app): State<App>,
    Path((key, prop)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let value = checked_value(&body, &prop)?;
    let created = {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        site.issues
            .get_mut(&id)
            .map(|i| i.properties.insert(prop, value).is_none())
            .unwrap_or(false)
    };
    app.store.persist();
    app.stats.effect("issue_property_set");
    Ok(if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

async fn issue_delete(
    State(app): State<App>,
    Path((key, prop)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        site.issues
            .get_mut(&id)
            .and_then(|i| i.properties.remove(&prop))
            .ok_or_else(|| missing(&prop))?;
    }
    app.store.persist();
    Ok(StatusCode::NO_CONTENT)
}

/// (issue id, comment index) of a comment the viewer may see.
fn locate(site: &Site, who: &str, comment: &str) -> ApiResult<(u64, usize)> {
    for issue in site.issues.values() {
        if let Some(pos) = issue
            .comments
            .iter()
            .position(|c| c.id.to_string() == comment && can_see(site, who, c))
        {
            return Ok((issue.id, pos));
        }
    }
    Err(ApiError::not_found(format!(
        "Can not find a comment for key: {comment}."
    )))
}

async fn comment_keys(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(comment): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let (issue, pos) = locate(&site, &who.account_id, &comment)?;
    Ok(keys(&site.issues[&issue].comments[pos].properties, |k| {
        app.api_url(v, &format!("comment/{comment}/properties/{k}"))
    }))
}

async fn comment_get(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    Path((comment, prop)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let (issue, pos) = locate(&site, &who.account_id, &comment)?;
    let value = site.issues[&issue].comments[pos]
        .properties
        .get(&prop)
        .ok_or_else(|| missing(&prop))?;
    Ok(Json(json!({"key": prop, "value": value})))
}

async fn comment_set(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    Path((comment, prop)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let value = checked_value(&body, &prop)?;
    let created = {
        let mut site = app.store.write();
        let (issue, pos) = locate(&site, &who.account_id, &comment)?;
        site.issues
            .get_mut(&issue)
            .map(|i| i.comments[pos].properties.insert(prop, value).is_none())
            .unwrap_or(false)
    };
    app.store.persist();
    app.stats.effect("comment_property_set");
    Ok(if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

async fn comment_delete(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    Path((comment, prop)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    {
        let mut site = app.store.write();
        let (issue, pos) = locate(&site, &who.account_id, &comment)?;
        site.issues
            .get_mut(&issue)
            .and_then(|i| i.comments[pos].properties.remove(&prop))
            .ok_or_else(|| missing(&prop))?;
    }
    app.store.persist();
    Ok(StatusCode::NO_CONTENT)
}
