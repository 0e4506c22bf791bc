//! JQL search: `/search/jql` (token paging, both dialects), v2 `/search` (offset paging),
//! and v3 `/search`, which Jira has removed (410).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::jql::{self, JqlError, SearchContext};
use crate::render::{self, FieldSelection};
use crate::richtext::ApiVersion;
use crate::time::now_ms;

/// Adds the search routes for one dialect.
pub fn routes(r: Router<App>, version: ApiVersion) -> Router<App> {
    let r = r.route("/search/jql", get(jql_get).post(jql_post));
    match version {
        ApiVersion::V2 => r.route("/search", get(legacy_get).post(legacy_post)),
        ApiVersion::V3 => r.route("/search", get(removed).post(removed)),
    }
}

async fn removed() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.",
    )
}

/// A search request, whichever way it arrived.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchRequest {
    #[serde(default)]
    jql: String,
    next_page_token: Option<String>,
    start_at: Option<usize>,
    max_results: Option<usize>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    properties: Vec<String>,
}

/// GET parameters: lists are comma-separated strings.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    #[serde(default)]
    jql: String,
    next_page_token: Option<String>,
    start_at: Option<usize>,
    max_results: Option<usize>,
    fields: Option<String>,
    properties: Option<String>,
}

fn list(s: Option<String>) -> Vec<String> {
    s.map(|s| {
        s.split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

impl From<SearchQuery> for SearchRequest {
    fn from(q: SearchQuery) -> Self {
        Self {
            jql: q.jql,
            next_page_token: q.next_page_token,
            start_at: q.start_at,
            max_results: q.max_results,
            fields: list(q.fields),
            properties: list(q.properties),
        }
    }
}

fn parse_body(bytes: &Bytes) -> ApiResult<SearchRequest> {
    let value = json_body(bytes)?;
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("Invalid search request: {e}")))
}

fn run(app: &App, who: &Principal, jql: &str) -> ApiResult<Vec<u64>> {
    let site = app.store.read();
    let ctx = SearchContext {
        site: &site,
        account_id: &who.account_id,
        now_ms: now_ms(),
        index_lag_ms: app.faults.index_lag_ms(),
    };
    jql::search(jql, &ctx).map_err(|e: JqlError| ApiError::bad_request(e.to_string()))
}

fn render_page(
    app: &App,
    v: ApiVersion,
    who: &Principal,
    ids: &[u64],
    req: &SearchRequest,
    default: FieldSelection,
) -> Vec<Value> {
    let site = app.store.read();
    let selection = FieldSelection::parse(req.fields.iter().map(String::as_str), default);
    ids.iter()
        .filter_map(|id| site.issues.get(id))
        .map(|i| {
            render::issue(
                app,
                &site,
                v,
                &who.account_id,
                i,
                &selection,
                &req.properties,
            )
        })
        .collect()
}

fn decode_token(token: &str) -> ApiResult<usize> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("sandbox:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| ApiError::bad_request("The provided next page token is invalid or expired."))
}

fn enhanced(
    app: &App,
    v: ApiVersion,
    who: &Principal,
    req: &SearchRequest,
) -> ApiResult<Json<Value>> {
    if jql::parse(&req.jql)
        .map_err(|e| ApiError::bad_request(e.to_string()))?
        .expr
        .is_none()
    {
        return Err(ApiError::bad_request(
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        ));
    }
    let ids = run(app, who, &req.jql)?;
    let start = req
        .next_page_token
        .as_deref()
        .map(decode_token)
        .transpose()?
        .unwrap_or(0);
    let max = req.max_results.unwrap_or(50).clamp(1, 5000);
    let page: Vec<u64> = ids.iter().skip(start).take(max).copied().collect();
    let end = start + page.len();
    let mut body = json!({"issues": render_page(app, v, who, &page, req, FieldSelection::None), "isLast": end >= ids.len()});
    if end < ids.len() {
        body["nextPageToken"] = json!(URL_SAFE_NO_PAD.encode(format!("sandbox:{end}")));
    }
    app.stats.effect("search");
    Ok(Json(body))
}

fn legacy(
    app: &App,
    v: ApiVersion,
    who: &Principal,
    req: &SearchRequest,
) -> ApiResult<Json<Value>> {
    let ids = run(app, who, &req.jql)?;
    let start = req.start_at.unwrap_or(0);
    let max = req.max_results.unwrap_or(50).min(1000);
    let page: Vec<u64> = ids.iter().skip(start).take(max).copied().collect();
    app.stats.effect("search");
    Ok(Json(json!({
        "expand": "schema,names", "startAt": start, "maxResults": max, "total": ids.len(),
        "issues": render_page(app, v, who, &page, req, FieldSelection::All),
    })))
}

async fn jql_get(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    enhanced(&app, v, &who, &q.into())
}

async fn jql_post(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    enhanced(&app, v, &who, &parse_body(&body)?)
}

async fn legacy_get(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    legacy(&app, v, &who, &q.into())
}

async fn legacy_post(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    legacy(&app, v, &who, &parse_body(&body)?)
}
