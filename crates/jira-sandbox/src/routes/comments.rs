//! Comments: add, list, get, edit; JSM visibility (`jsdPublic`) and `visibility` restrictions.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fields::FieldErrors;
use super::issues::{issue_id, property_list};
use super::json_body;
use crate::adf;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::render::{self, can_see};
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::{Comment, RichText, Visibility};
use crate::time::now_ms;
use crate::webhooks::{Event, emit};

/// Adds the comment routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/issue/{key}/comment", get(list).post(add))
        .route("/issue/{key}/comment/{id}", get(get_one).put(edit))
}

#[derive(Debug, Deserialize)]
struct Params {
    expand: Option<String>,
    #[serde(rename = "startAt", default)]
    start_at: usize,
    #[serde(rename = "maxResults", default = "default_max")]
    max_results: usize,
    /// `created` (the default), `+created` or `-created` (newest first), as Jira takes it.
    #[serde(rename = "orderBy")]
    order_by: Option<String>,
}

fn default_max() -> usize {
    5000
}

fn wants_properties(p: &Params) -> bool {
    p.expand
        .as_deref()
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "properties"))
}

fn body_of(v: ApiVersion, body: &Value) -> ApiResult<RichText> {
    match (v, body.get("body")) {
        (ApiVersion::V3, Some(doc)) if adf::validate(doc).is_ok() => {
            let empty = doc
                .get("content")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            if empty {
                return Err(ApiError::field("comment", "Comment body can not be empty!"));
            }
            Ok(RichText::Adf(doc.clone()))
        }
        (ApiVersion::V3, Some(_)) => Err(ApiError::field("comment", "Comment body is not valid!")),
        (ApiVersion::V2, Some(Value::String(s))) if !s.trim().is_empty() => {
            Ok(RichText::Wiki(s.clone()))
        }
        (_, _) => Err(ApiError::field("comment", "Comment body can not be empty!")),
    }
}

fn visibility_of(site: &Site, body: &Value) -> ApiResult<Option<Visibility>> {
    let Some(v) = body.get("visibility").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    let value = v
        .get("value")
        .or_else(|| v.get("identifier"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let known = match kind {
        "role" => site.roles.iter().any(|r| r.name == value),
        "group" => site.groups.iter().any(|g| g.name == value || g.id == value),
        _ => {
            return Err(ApiError::field(
                "commentLevel",
                "Visibility type must be 'group' or 'role'.",
            ));
        }
    };
    if !known {
        return Err(ApiError::field(
            "commentLevel",
            format!("The {kind} '{value}' does not exist."),
        ));
    }
    Ok(Some(Visibility {
        kind: kind.to_owned(),
        value: value.to_owned(),
    }))
}

async fn add(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    Query(p): Query<Params>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = json_body(&body)?;
    let (issue, comment, out) = {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        let text = body_of(v, &body)?;
        let visibility = visibility_of(&site, &body)?;
        let mut errors = FieldErrors::default();
        let properties = property_list(&body, &mut errors);
        errors.into_result()?;
        let now = now_ms();
        let comment = Comment {
            id: Site::take_id(&mut site.next_ids.comment),
            author: who.account_id.clone(),
            update_author: who.account_id.clone(),
            body: text,
            created: now,
            updated: now,
            visibility,
            properties,
        };
        let cid = comment.id;
        if let Some(issue) = site.issues.get_mut(&id) {
            issue.comments.push(comment);
            issue.updated = now;
        }
        let issue = &site.issues[&id];
        let c = issue
            .comments
            .last()
            .map(|c| render::comment(&app, &site, v, issue, c, wants_properties(&p)));
        (id, cid, c.unwrap_or(Value::Null))
    };
    app.store.persist();
    app.stats.effect("comment_created");
    emit(
        &app,
        vec![Event::CommentCreated {
            issue,
            comment,
            user: who.account_id,
        }],
    );
    Ok((StatusCode::CREATED, Json(out)))
}

async fn list(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    Query(p): Query<Params>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let issue = &site.issues[&issue_id(&site, &key)?];
    let mut visible: Vec<&Comment> = issue
        .comments
        .iter()
        .filter(|c| can_see(&site, &who.account_id, c))
        .collect();
    match p.order_by.as_deref() {
        None | Some("created" | "+created") => {}
        Some("-created") => visible.reverse(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "The orderBy value '{other}' is not supported; use created or -created."
            )));
        }
    }
    let page: Vec<Value> = visible
        .iter()
        .skip(p.start_at)
        .take(p.max_results)
        .map(|c| render::comment(&app, &site, v, issue, c, wants_properties(&p)))
        .collect();
    Ok(Json(
        json!({"startAt": p.start_at, "maxResults": p.max_results, "total": visible.len(), "comments": page}),
    ))
}

fn find_comment<'a>(site: &'a Site, who: &str, issue: u64, id: &str) -> ApiResult<&'a Comment> {
    site.issues[&issue]
        .comments
        .iter()
        .find(|c| c.id.to_string() == id && can_see(site, who, c))
        .ok_or_else(|| ApiError::not_found(format!("Can not find a comment for key: {id}.")))
}

async fn get_one(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path((key, id)): Path<(String, String)>,
    Query(p): Query<Params>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let issue = issue_id(&site, &key)?;
    let c = find_comment(&site, &who.account_id, issue, &id)?;
    Ok(Json(render::comment(
        &app,
        &site,
        v,
        &site.issues[&issue],
        c,
        wants_properties(&p),
    )))
}

async fn edit(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path((key, id)): Path<(String, String)>,
    Query(p): Query<Params>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = json_body(&body)?;
    let (issue, comment, out) = {
        let mut site = app.store.write();
        let issue = issue_id(&site, &key)?;
        let cid = find_comment(&site, &who.account_id, issue, &id)?.id;
        let text = body_of(v, &body)?;
        let visibility = visibility_of(&site, &body)?;
        let mut errors = FieldErrors::default();
        let properties = property_list(&body, &mut errors);
        errors.into_result()?;
        let now = now_ms();
        if let Some(c) = site
            .issues
            .get_mut(&issue)
            .and_then(|i| i.comments.iter_mut().find(|c| c.id == cid))
        {
            c.body = text;
            c.update_author = who.account_id.clone();
            c.updated = now;
            if body.get("visibility").is_some() {
                c.visibility = visibility;
            }
            c.properties.extend(properties);
        }
        let i = &site.issues[&issue];
        let out = i
            .comments
            .iter()
            .find(|c| c.id == cid)
            .map(|c| render::comment(&app, &site, v, i, c, wants_properties(&p)));
        (issue, cid, out.unwrap_or(Value::Null))
    };
    app.store.persist();
    app.stats.effect("comment_updated");
    emit(
        &app,
        vec![Event::CommentUpdated {
            issue,
            comment,
            user: who.account_id,
        }],
    );
    Ok(Json(out))
}
