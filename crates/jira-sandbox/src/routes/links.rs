//! Issue links and link types.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};

use super::json_body;
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::{IssueLink, LinkType};

/// Adds issue link routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/issueLink", post(create))
        .route("/issueLink/{id}", get(get_link).delete(delete))
}

/// A link type body.
pub fn link_type(app: &App, v: ApiVersion, t: &LinkType) -> Value {
    json!({"id": t.id, "name": t.name, "inward": t.inward, "outward": t.outward, "self": app.api_url(v, &format!("issueLinkType/{}", t.id))})
}

fn issue_ref(app: &App, site: &Site, v: ApiVersion, id: u64) -> Value {
    let Some(i) = site.issues.get(&id) else {
        return Value::Null;
    };
    json!({"id": i.id.to_string(), "key": i.key, "self": app.api_url(v, &format!("issue/{}", i.id)),
           "fields": {"summary": i.summary}})
}

fn link_json(app: &App, site: &Site, v: ApiVersion, l: &IssueLink, from: Option<u64>) -> Value {
    let t = site
        .link_types
        .iter()
        .find(|t| t.id == l.type_id)
        .map_or(Value::Null, |t| link_type(app, v, t));
    let mut body = json!({"id": l.id.to_string(), "self": app.api_url(v, &format!("issueLink/{}", l.id)), "type": t});
    if from != Some(l.inward) {
        body["inwardIssue"] = issue_ref(app, site, v, l.inward);
    }
    if from != Some(l.outward) {
        body["outwardIssue"] = issue_ref(app, site, v, l.outward);
    }
    body
}

/// The `issuelinks` field of an issue: each link seen from that issue.
pub fn links_of(app: &App, site: &Site, v: ApiVersion, issue: u64) -> Vec<Value> {
    site.links
        .iter()
        .filter(|l| l.inward == issue || l.outward == issue)
        .map(|l| link_json(app, site, v, l, Some(issue)))
        .collect()
}

fn referenced(site: &Site, body: &Value, side: &str) -> ApiResult<u64> {
    body.get(side)
        .and_then(|s| s.get("key").or_else(|| s.get("id")))
        .and_then(Value::as_str)
        .and_then(|k| site.issue_id(k))
        .ok_or_else(|| ApiError::not_found(format!("Issue Does Not Exist: {side}")))
}

async fn create(State(app): State<App>, body: Bytes) -> ApiResult<StatusCode> {
    let body = json_body(&body)?;
    {
        let mut site = app.store.write();
        let wanted = body
            .get("type")
            .and_then(|t| t.get("name").or_else(|| t.get("id")))
            .and_then(Value::as_str)
            .unwrap_or("");
        let type_id = site
            .link_types
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(wanted) || t.id == wanted)
            .map(|t| t.id.clone())
            .ok_or_else(|| {
                ApiError::not_found(format!("No issue link type with name '{wanted}' found."))
            })?;
        let inward = referenced(&site, &body, "inwardIssue")?;
        let outward = referenced(&site, &body, "outwardIssue")?;
        let id = Site::take_id(&mut site.next_ids.link);
        site.links.push(IssueLink {
            id,
            type_id,
            inward,
            outward,
        });
    }
    app.store.persist();
    app.stats.effect("issue_link_created");
    Ok(StatusCode::CREATED)
}

async fn get_link(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let l = site
        .links
        .iter()
        .find(|l| l.id.to_string() == id)
        .ok_or_else(|| ApiError::not_found(format!("No issue link with id '{id}' exists.")))?;
    Ok(Json(link_json(&app, &site, v, l, None)))
}

async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    {
        let mut site = app.store.write();
        let before = site.links.len();
        site.links.retain(|l| l.id.to_string() != id);
        if site.links.len() == before {
            return Err(ApiError::not_found(format!(
                "No issue link with id '{id}' exists."
            )));
        }
    }
    app.store.persist();
    Ok(StatusCode::NO_CONTENT)
}
