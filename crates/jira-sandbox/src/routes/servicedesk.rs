//! Jira Service Management: create customer, request participants. Shapes follow
//! Atlassian's documentation; the OpenAPI file does not cover `/rest/servicedeskapi`, so
//! these bodies are unchecked (see the README).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::issues::issue_id;
use super::json_body;
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::state::Site;
use crate::state::model::{AccountType, User};

/// Routes nested under `/rest/servicedeskapi`.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/customer", post(create_customer))
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
    let users: Vec<&User> = ids.iter().filter_map(|id| site.user(id)).collect();
    let limit = paging.limit.max(1);
    let values: Vec<Value> = users
        .iter()
        .skip(paging.start)
        .take(limit)
        .map(|u| customer_json(app, u))
        .collect();
    let last = paging.start.saturating_add(limit) >= users.len();
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
