//! Webhook registration: admin webhooks (`/rest/webhooks/1.0/webhook`, with an optional
//! HMAC secret) and dynamic webhooks (`/rest/api/3/webhook`, as apps register them).
//! Receivers must be loopback URLs: the sandbox never calls anything else.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::json_body;
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::state::Site;
use crate::state::model::Webhook;
use crate::time::now_ms;
use crate::webhooks::is_loopback_url;

const EVENTS: &[&str] = &[
    "jira:issue_created",
    "jira:issue_updated",
    "comment_created",
    "comment_updated",
];
/// Dynamic webhooks expire after 30 days unless refreshed, as on Jira.
const THIRTY_DAYS_MS: i64 = 30 * 86_400_000;

/// Admin webhook routes, nested under `/rest/webhooks/1.0`.
pub fn admin_routes() -> Router<App> {
    Router::new()
        .route("/webhook", get(admin_list).post(admin_create))
        .route("/webhook/{id}", get(admin_get).delete(admin_delete))
}

/// Dynamic webhook routes, under `/rest/api/{2,3}`.
pub fn dynamic_routes(r: Router<App>) -> Router<App> {
    r.route(
        "/webhook",
        get(dynamic_list)
            .post(dynamic_create)
            .delete(dynamic_delete),
    )
    .route("/webhook/refresh", put(dynamic_refresh))
}

fn check_url(url: &str) -> ApiResult<()> {
    if is_loopback_url(url) {
        Ok(())
    } else {
        Err(ApiError::field(
            "url",
            "The sandbox delivers webhooks to loopback URLs only (127.0.0.1, ::1, localhost).",
        ))
    }
}

fn check_events(events: &[String]) -> ApiResult<()> {
    match events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        Some(bad) => Err(ApiError::field(
            "events",
            format!("The sandbox does not emit the event '{bad}'."),
        )),
        None if events.is_empty() => {
            Err(ApiError::field("events", "At least one event is required."))
        }
        None => Ok(()),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn admin_json(app: &App, w: &Webhook) -> Value {
    json!({
        "self": format!("{}/rest/webhooks/1.0/webhook/{}", app.base_url, w.id),
        "name": w.name, "url": w.url, "events": w.events, "enabled": true, "excludeBody": false,
        "filters": {"issue-related-events-section": w.jql.clone().unwrap_or_default()},
        "lastUpdated": now_ms(),
    })
}

async fn admin_create(State(app): State<App>, body: Bytes) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = json_body(&body)?;
    let url = body
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    check_url(&url)?;
    let events = strings(body.get("events"));
    check_events(&events)?;
    let jql = body
        .get("filters")
        .and_then(|f| f.get("issue-related-events-section"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let out = {
        let mut site = app.store.write();
        let w = Webhook {
            id: Site::take_id(&mut site.next_ids.webhook),
            name: body
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("webhook")
                .to_owned(),
            url,
            events,
            jql,
            secret: body
                .get("secret")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            dynamic: false,
        };
        let out = admin_json(&app, &w);
        site.webhooks.push(w);
        out
    };
    app.store.persist();
    Ok((StatusCode::CREATED, Json(out)))
}

async fn admin_list(State(app): State<App>) -> Json<Value> {
    let site = app.store.read();
    Json(json!(
        site.webhooks
            .iter()
            .filter(|w| !w.dynamic)
            .map(|w| admin_json(&app, w))
            .collect::<Vec<_>>()
    ))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Webhook with id {id} does not exist."))
}

async fn admin_get(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let w = site
        .webhooks
        .iter()
        .find(|w| !w.dynamic && w.id.to_string() == id)
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(admin_json(&app, w)))
}

async fn admin_delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    {
        let mut site = app.store.write();
        let before = site.webhooks.len();
        site.webhooks
            .retain(|w| w.dynamic || w.id.to_string() != id);
        if site.webhooks.len() == before {
            return Err(not_found(&id));
        }
    }
    app.store.persist();
    Ok(StatusCode::NO_CONTENT)
}

async fn dynamic_create(State(app): State<App>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = json_body(&body)?;
    let url = body
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    check_url(&url)?;
    let specs = body
        .get("webhooks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if specs.is_empty() {
        return Err(ApiError::field(
            "webhooks",
            "At least one webhook is required.",
        ));
    }
    let mut results = Vec::new();
    {
        let mut site = app.store.write();
        for spec in specs {
            let events = strings(spec.get("events"));
            let jql = spec
                .get("jqlFilter")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let problem = check_events(&events)
                .err()
                .map(|e| e.fields.into_values().collect::<Vec<_>>())
                .or_else(|| {
                    jql.is_none()
                        .then(|| vec!["jqlFilter is required.".to_owned()])
                });
            if let Some(errors) = problem {
                results.push(json!({"errors": errors}));
                continue;
            }
            let id = Site::take_id(&mut site.next_ids.webhook);
            site.webhooks.push(Webhook {
                id,
                name: String::new(),
                url: url.clone(),
                events,
                jql,
                secret: None,
                dynamic: true,
            });
            results.push(json!({"createdWebhookId": id}));
        }
    }
    app.store.persist();
    Ok(Json(json!({"webhookRegistrationResult": results})))
}

async fn dynamic_list(State(app): State<App>) -> Json<Value> {
    let site = app.store.read();
    let expiry = now_ms() + THIRTY_DAYS_MS;
    let values: Vec<Value> = site
        .webhooks
        .iter()
        .filter(|w| w.dynamic)
        .map(|w| json!({"id": w.id, "url": w.url, "jqlFilter": w.jql, "events": w.events, "expirationDate": expiry}))
        .collect();
    let total = values.len();
    Json(json!({"isLast": true, "maxResults": 100, "startAt": 0, "total": total, "values": values}))
}

fn ids(body: &Value) -> ApiResult<Vec<u64>> {
    body.get("webhookIds")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .ok_or_else(|| ApiError::field("webhookIds", "webhookIds must be a list of webhook ids."))
}

async fn dynamic_delete(State(app): State<App>, body: Bytes) -> ApiResult<StatusCode> {
    let wanted = ids(&json_body(&body)?)?;
    app.store
        .write()
        .webhooks
        .retain(|w| !(w.dynamic && wanted.contains(&w.id)));
    app.store.persist();
    Ok(StatusCode::ACCEPTED)
}

async fn dynamic_refresh(body: Bytes) -> ApiResult<Json<Value>> {
    ids(&json_body(&body)?)?;
    Ok(Json(json!({"expirationDate": now_ms() + THIRTY_DAYS_MS})))
}
