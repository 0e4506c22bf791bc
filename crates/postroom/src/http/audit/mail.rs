//! One message's extras for administrators: its HTML for the console's sandboxed frame, a
//! test case made of it, and its support bundle.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use postroom_core::testcase::Snapshot;
use postroom_engine::audit::Audit;
use postroom_engine::testcases::TestCases;
use serde::{Deserialize, Serialize};

use super::{api_error, raw_mail, tenant};
use crate::app;
use crate::http::auth::ApiCaller;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState};

/// The policy of a mail's HTML: a sandbox with no permission at all (no script, no form,
/// no navigation of the console, its own opaque origin), nothing loaded from anywhere but
/// inline images, and framed only by the console.
const MAIL_HTML_POLICY: &str = "sandbox; default-src 'none'; img-src data:; \
     style-src 'unsafe-inline'; frame-ancestors 'self'";

/// One message's HTML as its sender wrote it (its text as HTML when it has none), for the
/// console's sandboxed frame; administrators only, like the raw mail.
#[utoipa::path(get, path = "/api/v1/audit/{id}/html", tag = "audit",
    params(("id" = String, Path, description = "Intake id")),
    responses((status = 200, content_type = "text/html", body = String,
               description = "The mail's HTML, under a sandboxing Content-Security-Policy"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody,
               description = "Unknown id, its raw mail is not kept, or it has no body")))]
pub async fn html(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = raw_mail(&state, &caller, &id).await?;
    html_of(&bytes, &id)
}

/// A message's HTML (its text as HTML when it has none) under [`MAIL_HTML_POLICY`]: for
/// the console's sandboxed frame, of a mail taken in or one postroom sent.
pub(super) fn html_of(bytes: &[u8], id: &str) -> Result<Response, ApiError> {
    let html = mail_parser::MessageParser::default()
        .parse(bytes)
        .and_then(|message| message.body_html(0).map(|html| html.into_owned()))
        .ok_or_else(|| ApiError::NotFound(format!("message {id} has no body to show")))?;
    Ok(framed(html))
}

/// `html` under [`MAIL_HTML_POLICY`], for one of the console's sandboxed frames: a mail's
/// HTML, or a notification's preview.
pub(crate) fn framed(html: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, MAIL_HTML_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response()
}

/// Options of a test case made from the audit.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TestCaseQuery {
    /// Its name; default `audit-ID`.
    name: Option<String>,
}

/// A test case was made.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestCaseMade {
    /// The test case's id (`postroom testcase show ID`).
    pub id: String,
    pub name: String,
}

/// Makes a test case of one message: its raw mail with the plan the stored profile gives
/// it now, so that `postroom testcase run` tells when a profile change would move it
/// elsewhere. Administrators only.
#[utoipa::path(post, path = "/api/v1/audit/{id}/testcase", tag = "audit",
    params(("id" = String, Path, description = "Intake id"), TestCaseQuery),
    responses((status = 201, body = TestCaseMade), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody,
               description = "No profile is stored yet, or the mail cannot be read")))]
pub async fn testcase(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    query: Result<Query<TestCaseQuery>, QueryRejection>,
) -> Result<(StatusCode, Json<TestCaseMade>), ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let raw = raw_mail(&state, &caller, &id).await?;
    let tenant = tenant(&state, &caller).await?;
    let profile = crate::http::testcases::in_force(&tenant).await?;
    let limits = crate::http::testcases::limits(&state);
    let expected = Snapshot::replay(&raw, &limits, &profile)
        .map_err(|e| ApiError::Conflict(format!("the mail cannot be read: {e}")))?;
    let name = query
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("audit-{id}"));
    let cases = TestCases::new(state.intake.keyring().clone(), state.intake.blobs().clone());
    let case_id = cases
        .add(&tenant, &name, &raw, &expected, app::now_ms())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    tracing::info!(intake = %id, test_case = %case_id, "test case made from the audit");
    Ok((
        StatusCode::CREATED,
        Json(TestCaseMade { id: case_id, name }),
    ))
}

/// Options of a support bundle.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BundleQuery {
    /// Replace every address and display name by placeholders (`person1@example.invalid`),
    /// the same each time the same one appears.
    redact: Option<bool>,
}

/// One message's support bundle, to send to whoever supports the installation: the raw
/// mail (base64), the report and the profile with secret-like values as references — the
/// `postroom audit flag` file. Administrators only: it holds the mail.
#[utoipa::path(get, path = "/api/v1/audit/{id}/bundle", tag = "audit",
    params(("id" = String, Path, description = "Intake id"), BundleQuery),
    responses((status = 200, body = Object, description = "The bundle, as a download"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn bundle(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    query: Result<Query<BundleQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tenant = tenant(&state, &caller).await?;
    let bundle = Audit::new(state.intake.clone())
        .bundle(&tenant, &id, query.redact.unwrap_or(false), app::now_ms())
        .await
        .map_err(api_error)?;
    let disposition = format!(
        "attachment; filename=\"postroom-bundle-{}.json\"",
        file_safe(&id)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Json(bundle),
    )
        .into_response())
}

/// An id as it may stand in a file name: letters, digits, `-` and `_` only.
fn file_safe(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
