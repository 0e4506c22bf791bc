//! Transitions (list, do) and watchers (list, add, remove).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::issues::issue_id;
use super::json_body;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::render;
use crate::richtext::ApiVersion;
use crate::time::now_ms;
use crate::webhooks::{Event, change, emit};

/// Adds transition and watcher routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route("/issue/{key}/transitions", get(list).post(transition))
        .route(
            "/issue/{key}/watchers",
            get(watchers).post(watch).delete(unwatch),
        )
}

async fn list(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let issue = &site.issues[&issue_id(&site, &key)?];
    let transitions: Vec<Value> = site
        .transitions_from(&issue.status)
        .into_iter()
        .map(|t| {
            let to = site.status(&t.to).map_or(Value::Null, |s| json!({
                "self": app.api_url(v, &format!("status/{}", s.id)), "id": s.id, "name": s.name, "description": "",
                "statusCategory": {"key": s.category},
            }));
            json!({
                "id": t.id, "name": t.name, "to": to, "hasScreen": false, "isGlobal": t.from.is_empty(),
                "isInitial": false, "isAvailable": true, "isConditional": false, "isLooped": false,
            })
        })
        .collect();
    Ok(Json(
        json!({"expand": "transitions", "transitions": transitions}),
    ))
}

async fn transition(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body = json_body(&body)?;
    let wanted = body
        .get("transition")
        .and_then(|t| t.get("id"))
        .and_then(|id| {
            id.as_str()
                .map(str::to_owned)
                .or_else(|| id.as_u64().map(|n| n.to_string()))
        })
        .ok_or_else(|| ApiError::bad_request("Missing 'transition' identifier"))?;
    // The seeded workflow has no transition screens, so, as on Jira, no field can be set
    // while transitioning.
    if let Some(field) = body
        .get("fields")
        .and_then(Value::as_object)
        .and_then(|f| f.keys().next())
    {
        return Err(ApiError::field(
            field.clone(),
            format!(
                "Field '{field}' cannot be set. It is not on the appropriate screen, or unknown."
            ),
        ));
    }
    let (id, changes) = {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        let status = site.issues[&id].status.clone();
        let Some(t) = site
            .transitions_from(&status)
            .into_iter()
            .find(|t| t.id == wanted)
            .cloned()
        else {
            return Err(ApiError::bad_request(format!(
                "Transition id '{wanted}' is not valid for this issue."
            )));
        };
        let name = |sid: &str| site.status(sid).map(|s| s.name.clone());
        let mut changes = vec![change("status", Some(status.clone()), Some(t.to.clone()))];
        changes[0].from_string = name(&status);
        changes[0].to_string = name(&t.to);
        let done = site.status(&t.to).is_some_and(|s| s.category == "done");
        let now = now_ms();
        if let Some(issue) = site.issues.get_mut(&id) {
            if done && issue.resolved.is_none() {
                issue.resolved = Some(now);
                changes.push(change("resolution", None, Some("Done".into())));
            } else if !done && issue.resolved.is_some() {
                issue.resolved = None;
                changes.push(change("resolution", Some("Done".into()), None));
            }
            issue.status = t.to.clone();
            issue.updated = now;
        }
        (id, changes)
    };
    app.store.persist();
    app.stats.effect("issue_transitioned");
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

async fn watchers(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let issue = &site.issues[&issue_id(&site, &key)?];
    let list: Vec<Value> = issue
        .watchers
        .iter()
        .filter_map(|w| site.user(w))
        .map(|u| render::user(&app, v, u))
        .collect();
    Ok(Json(json!({
        "self": app.api_url(v, &format!("issue/{}/watchers", issue.key)),
        "isWatching": issue.watchers.contains(&who.account_id),
        "watchCount": list.len(),
        "watchers": list,
    })))
}

async fn watch(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let account = if body.is_empty() {
        who.account_id.clone()
    } else {
        json_body(&body)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "The request body must be a JSON string holding an account id.",
                )
            })?
    };
    {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        if site.user(&account).is_none() {
            return Err(ApiError::bad_request(format!(
                "The user \"{account}\" does not exist."
            )));
        }
        if let Some(issue) = site.issues.get_mut(&id)
            && !issue.watchers.contains(&account)
        {
            issue.watchers.push(account);
        }
    }
    app.store.persist();
    app.stats.effect("watcher_added");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct Unwatch {
    #[serde(rename = "accountId")]
    account_id: Option<String>,
}

async fn unwatch(
    State(app): State<App>,
    Path(key): Path<String>,
    Query(q): Query<Unwatch>,
) -> ApiResult<StatusCode> {
    let account = q
        .account_id
        .ok_or_else(|| ApiError::bad_request("accountId is required."))?;
    {
        let mut site = app.store.write();
        let id = issue_id(&site, &key)?;
        if let Some(issue) = site.issues.get_mut(&id) {
            issue.watchers.retain(|w| *w != account);
        }
    }
    app.store.persist();
    Ok(StatusCode::NO_CONTENT)
}
