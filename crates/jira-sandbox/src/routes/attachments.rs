//! Attachments: multipart upload (with Jira's XSRF header), metadata, and content, which
//! redirects to a Media Services style URL carrying the file's media id (the id ADF
//! `media` nodes use), as Jira Cloud does.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::issues::issue_id;
use crate::app::App;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::render;
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::Attachment;
use crate::time::now_ms;

/// Largest upload the sandbox accepts (Jira's default site limit is larger; tests never need it).
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// Adds attachment routes.
pub fn routes(r: Router<App>) -> Router<App> {
    r.route(
        "/issue/{key}/attachments",
        post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
    )
    .route("/attachment/{id}", get(metadata))
    .route("/attachment/content/{id}", get(content))
}

fn media_id() -> String {
    let n: u128 = rand::random();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

async fn upload(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Extension(who): Extension<Principal>,
    Path(key): Path<String>,
    headers: axum::http::HeaderMap,
    mut form: Multipart,
) -> ApiResult<Json<Value>> {
    let xsrf = headers
        .get("x-atlassian-token")
        .and_then(|h| h.to_str().ok());
    if !xsrf
        .is_some_and(|t| t.eq_ignore_ascii_case("no-check") || t.eq_ignore_ascii_case("nocheck"))
    {
        return Err(ApiError::forbidden("XSRF check failed"));
    }
    let mut files = Vec::new();
    loop {
        let field = form
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(format!("Invalid multipart body: {e}")))?;
        let Some(field) = field else { break };
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("attachment").to_owned();
        let mime = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::bad_request(format!("Invalid multipart body: {e}")))?;
        files.push((filename, mime, bytes));
    }
    if files.is_empty() {
        return Err(ApiError::bad_request(
            "No file was attached: send a multipart field named 'file'.",
        ));
    }
    let out = {
        let mut site = app.store.write();
        let issue = issue_id(&site, &key)?;
        let mut out = Vec::new();
        for (filename, mime_type, bytes) in files {
            let a = Attachment {
                id: Site::take_id(&mut site.next_ids.attachment),
                media_id: media_id(),
                issue_id: issue,
                filename,
                mime_type,
                author: who.account_id.clone(),
                created: now_ms(),
                content_base64: STANDARD.encode(&bytes),
                size: bytes.len() as u64,
            };
            out.push(render::attachment(&app, &site, v, &a));
            site.attachments.insert(a.id, a);
        }
        out
    };
    app.store.persist();
    app.stats.effect("attachment_created");
    Ok(Json(json!(out)))
}

fn find(site: &Site, id: &str) -> ApiResult<Attachment> {
    id.parse::<u64>()
        .ok()
        .and_then(|n| site.attachments.get(&n))
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("The attachment with id '{id}' does not exist")))
}

/// `GET /attachment/{id}`: the metadata shape has a numeric `id` (unlike the list shape,
/// where it is a string), as the OpenAPI description says.
async fn metadata(
    State(app): State<App>,
    Extension(v): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = app.store.read();
    let a = find(&site, &id)?;
    let mut body = render::attachment(&app, &site, v, &a);
    body["id"] = json!(a.id);
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
struct ContentQuery {
    redirect: Option<bool>,
}

async fn content(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(q): Query<ContentQuery>,
) -> ApiResult<Response> {
    let a = find(&app.store.read(), &id)?;
    if q.redirect == Some(false) {
        return bytes_response(&a);
    }
    Ok(Redirect::to(&format!(
        "{}/_sandbox/media/file/{}/binary",
        app.base_url, a.media_id
    ))
    .into_response())
}

/// The stored bytes of an attachment with its MIME type.
pub fn bytes_response(a: &Attachment) -> ApiResult<Response> {
    let bytes = STANDARD.decode(&a.content_base64).map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Attachment {} has corrupt stored content.", a.id),
        )
    })?;
    Ok((
        [(header::CONTENT_TYPE, a.mime_type.clone())],
        Body::from(bytes),
    )
        .into_response())
}
