//! Jira Service Management: create customer, service desks, create request, request
//! participants. Shapes follow Atlassian's documentation; the OpenAPI file does not cover
//! `/rest/servicedeskapi`, so these bodies are unchecked (see the README).
//!
//! Every sandbox project is a service project (`projectTypeKey` `service_desk`), so each
//! has a service desk, whose id is the project's id. A project's request types are its
//! issue types, with the same ids: the sandbox has no request type of its own to map.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::issues::{create_issue, issue_id};
use super::json_body;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::{AccountType, User};

/// Routes nested under `/rest/servicedeskapi`.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/customer", post(create_customer))
        .route("/servicedesk", get(service_desks))
        .route("/request", post(create_request))
        .route(
            "/request/{key}/participant",
            get(list).post(add).delete(remove),
        )
}

fn customer_json(app: &App, u: &User) -> Value {
    let mut body = json!({
        "accountId": u.account_id, "displayName": u.display_name, "active": u.active, "timeZone": "Etc/UTC",
        "_links": {"self": format!("{}/rest/api/2/user?accountId={}", app.base_url, u.account_id)},
    });
    if app.config.show_email_addresses {
        body["emailAddress"] = json!(u.email);
    }
    body
}

async fn create_customer(
    State(app): State<App>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = json_body(&body)?;
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if !email.contains('@') {
        return Err(ApiError::bad_request("A valid email address is required."));
    }
    let name = body
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&email)
        .to_owned();
    let out = {
        let mut site = app.store.write();
        if site.user_by_email(&email).is_some() {
            return Err(ApiError::bad_request(
                "An account already exists for this email.",
            ));
        }
        let n: u128 = rand::random();
        let h = format!("{n:032x}");
        let u = User {
            account_id: format!(
                "qm:{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            ),
            email,
            display_name: name,
            account_type: AccountType::Customer,
            api_token: None,
            pat: None,
            site_admin: false,
            active: true,
        };
        let out = customer_json(&app, &u);
        if let Some(role) = site
            .roles
            .iter_mut()
            .find(|r| r.name == "Service Desk Customers")
        {
            role.members.push(u.account_id.clone());
        }
        site.users.push(u);
        out
    };
    app.store.persist();
    app.stats.effect("customer_created");
    Ok((StatusCode::CREATED, Json(out)))
}

/// Every project's service desk, paged like Jira's list.
async fn service_desks(
    State(app): State<App>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let desks: Vec<Value> = site
        .projects
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "projectId": p.id, "projectName": p.name, "projectKey": p.key,
                "_links": {"self": format!("{}/rest/servicedeskapi/servicedesk/{}", app.base_url, p.id)},
            })
        })
        .collect();
    Ok(Json(paged(desks, &paging)))
}

/// `POST /request`: raises a request as an issue of the service desk's project, reported
/// by `raiseOnBehalfOf` when given (else by the caller), with `requestParticipants`.
async fn create_request(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = json_body(&body)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let (project, request_type) = {
        let site = app.store.read();
        let desk = text("serviceDeskId").unwrap_or_default();
        let Some(project) = site.projects.iter().find(|p| p.id == desk) else {
            return Err(ApiError::not_found(format!(
                "The service desk with id '{desk}' does not exist."
            )));
        };
        let wanted = text("requestTypeId").unwrap_or_default();
        if !project.issue_types.iter().any(|t| t.id == wanted) {
            return Err(ApiError::bad_request(format!(
                "The request type with id '{wanted}' does not exist in this service desk."
            )));
        }
        (project.key.clone(), wanted)
    };
    let mut fields = body
        .get("requestFieldValues")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    fields.insert("project".into(), json!({ "key": project }));
    fields.insert("issuetype".into(), json!({ "id": request_type }));
    let reporter = text("raiseOnBehalfOf").unwrap_or_else(|| who.account_id.clone());
    fields.insert("reporter".into(), json!({ "accountId": reporter }));
    let participants = match body.get("requestParticipants") {
        Some(list) => account_ids(&json!({ "accountIds": list }))?,
        None => Vec::new(),
    };
    {
        let site = app.store.read();
        if let Some(bad) = participants.iter().find(|a| site.user(a).is_none()) {
            return Err(ApiError::bad_request(format!(
                "The user '{bad}' does not exist."
            )));
        }
    }
    // The servicedeskapi takes plain text (wiki markup) descriptions, as REST v2 does.
    let (id, key) = create_issue(&app, ApiVersion::V2, &who, &json!({ "fields": fields }))?;
    let out = {
        let mut site = app.store.write();
        if let Some(issue) = site.issues.get_mut(&id) {
            issue.participants = participants;
        }
        let reporter = site.user(&reporter).map(|u| customer_json(&app, u));
        let desk = site.project(&project).map(|p| p.id.clone());
        json!({
            "issueId": id.to_string(), "issueKey": key, "requestTypeId": request_type,
            "serviceDeskId": desk, "reporter": reporter,
            "_links": {"self": format!("{}/rest/servicedeskapi/request/{id}", app.base_url)},
        })
    };
    app.store.persist();
    app.stats.effect("request_created");
    Ok((StatusCode::CREATED, Json(out)))
}

/// `start` and `limit` of a paged servicedeskapi list (Jira's default limit is 50).
#[derive(Debug, Deserialize)]
struct Paging {
    #[serde(default)]
    start: usize,
    #[serde(default = "fifty")]
    limit: usize,
}

fn fifty() -> usize {
    50
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            start: 0,
            limit: fifty(),
        }
    }
}

fn page(app: &App, site: &Site, ids: &[String], paging: &Paging) -> Value {
    let users: Vec<Value> = ids
        .iter()
        .filter_map(|id| site.user(id))
        .map(|u| customer_json(app, u))
        .collect();
    paged(users, paging)
}

/// One page of `values` in servicedeskapi's paged shape.
fn paged(values: Vec<Value>, paging: &Paging) -> Value {
    let limit = paging.limit.max(1);
    let total = values.len();
    let values: Vec<Value> = values.into_iter().skip(paging.start).take(limit).collect();
    let last = paging.start.saturating_add(limit) >= total;
    json!({"size": values.len(), "start": paging.start, "limit": limit, "isLastPage": last, "values": values})
}

fn account_ids(body: &Value) -> ApiResult<Vec<String>> {
    body.get("accountIds")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .ok_or_else(|| ApiError::bad_request("accountIds must be a list of account ids."))
}

async fn list(
    State(app): State<App>,
    Path(key): Path<String>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let id = issue_id(&site, &key)?;
    Ok(Json(page(
        &app,
        &site,
        &site.issues[&id].participants,
        &paging,
    )))
}

async fn add(
    State(app): State<App>,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let wanted = account_ids(&json_body(&body)?)?;
    let out = {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        if let Some(bad) = wanted.iter().find(|a| site.user(a).is_none()) {
            return Err(ApiError::bad_request(format!(
                "The user '{bad}' does not exist."
            )));
        }
        if let Some(issue) = site.issues.get_mut(&id) {
            for a in wanted {
                if !issue.participants.contains(&a) {
                    issue.participants.push(a);
                }
            }
        }
        page(
            &app,
            &site,
            &site.issues[&id].participants,
            &Paging::default(),
        )
    };
    app.store.persist();
    app.stats.effect("participants_added");
    Ok(Json(out))
}

async fn remove(
    State(app): State<App>,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let wanted = account_ids(&json_body(&body)?)?;
    let out = {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        if let Some(issue) = site.issues.get_mut(&id) {
            issue.participants.retain(|p| !wanted.contains(p));
        }
        page(
            &app,
            &site,
            &site.issues[&id].participants,
            &Paging::default(),
        )
    };
    app.store.persist();
    Ok(Json(out))
}
