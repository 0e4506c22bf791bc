//! `/api/v1/testcases`: the API twin of `postroom testcase`: the site's own mail kept with
//! the plan it is expected to produce, uploaded as an `.eml` (or made from the audit with
//! `POST /audit/{id}/testcase`), replayed against the profile in force or a candidate
//! profile sent in the request, and answered per case as unchanged or the fields whose
//! value moved. The replay is the CLI's ([`TestCases::replay`]). Administrators only.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use postroom_core::message::ParseLimits;
use postroom_core::profile::{CheckedProfile, Profile, ProfileError};
use postroom_core::testcase::{Change, Snapshot};
use postroom_engine::testcases::{TestCase, TestCaseError, TestCases};
use postroom_store::TenantStore;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app;

/// The longest name a test case may have.
const MAX_NAME: usize = 200;

/// One test case, without its mail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestCaseBody {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
    /// When its expected plan was last accepted (its creation until then).
    pub updated_at_ms: i64,
}

/// The site's test cases, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestCaseList {
    pub cases: Vec<TestCaseBody>,
}

/// One field of a plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldValue {
    /// Its path (`action.kind`, `action.project`, `classification.kind`).
    pub field: String,
    #[schema(value_type = Object)]
    pub value: Value,
}

/// One test case and the plan it expects.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestCaseDetail {
    #[serde(flatten)]
    pub case: TestCaseBody,
    pub expected: Vec<FieldValue>,
}

/// Which profile to replay against: the one in force, or the candidate given.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateRequest {
    /// A candidate profile (as `GET /profile` returns it); absent: the profile in force.
    #[schema(value_type = Option<Object>)]
    pub profile: Option<Value>,
}

/// What to replay, against which profile.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The cases to replay; absent: every case.
    pub ids: Option<Vec<String>>,
    /// A candidate profile; absent: the profile in force.
    #[schema(value_type = Option<Object>)]
    pub profile: Option<Value>,
}

/// One replayed case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseResult {
    pub id: String,
    pub name: String,
    /// Whether any field of the plan differs from the expected one.
    pub changed: bool,
    /// Each field that differs: `{"field", "expected", "actual"}`, `null` for a field one
    /// side does not have.
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<Change>,
}

/// A run's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunBody {
    /// `in_force` or `candidate`.
    pub against: String,
    /// How many cases changed.
    pub changed: usize,
    pub cases: Vec<CaseResult>,
}

/// Options of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// The case's name; default `upload`.
    name: Option<String>,
}

/// The site's test cases, oldest first. Administrators only.
#[utoipa::path(get, path = "/api/v1/testcases", tag = "testcases",
    responses((status = 200, body = TestCaseList),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<TestCaseList>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let cases = cases(&state).list(&tenant).await.map_err(refusal)?;
    Ok(Json(TestCaseList {
        cases: cases.into_iter().map(|c| summary(&c)).collect(),
    }))
}

/// Keeps an uploaded mail (an `.eml`, as the body) as a test case, with the plan the
/// profile in force gives it now as its expected plan. Administrators only.
#[utoipa::path(post, path = "/api/v1/testcases", tag = "testcases",
    params(UploadQuery),
    request_body(content = String, content_type = "message/rfc822",
                 description = "The mail, headers and body, as an .eml file holds it"),
    responses((status = 201, body = TestCaseDetail), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "No profile is stored yet"),
              (status = 413, body = ErrorBody, description = "Over inbound.max_size"),
              (status = 415, body = ErrorBody, description = "Not a message"),
              (status = 422, body = ErrorBody, description = "The mail cannot be read")))]
pub async fn upload(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<TestCaseDetail>), ApiError> {
    caller.require_admin()?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    super::mail::check_content_type(&headers)?;
    let raw = match body {
        Ok(raw) => raw,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(ApiError::PayloadTooLarge(format!(
                "the mail is over the limit of {} bytes (inbound.max_size)",
                state.intake.max_size()
            )));
        }
        Err(e) => return Err(ApiError::BadRequest(e.body_text())),
    };
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::UnsupportedMediaType(
            "the body is empty".to_owned(),
        ));
    }
    if !super::mail::looks_like_a_message(&raw) {
        return Err(ApiError::UnsupportedMediaType(
            "the body is not an RFC 5322 message: it must start with header fields".to_owned(),
        ));
    }
    let name = query.name.map(|n| n.trim().to_owned()).unwrap_or_default();
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::BadRequest(format!(
            "name is longer than {MAX_NAME} characters"
        )));
    }
    let name = if name.is_empty() {
        "upload".to_owned()
    } else {
        name
    };
    let tenant = state.tenant_of(&caller).await?;
    let profile = in_force(&tenant).await?;
    let expected =
        Snapshot::replay(&raw, &limits(&state), &profile).map_err(|e| ApiError::Unprocessable {
            errors: vec![FieldError {
                field: ".".to_owned(),
                message: format!("the mail cannot be read: {e}"),
            }],
        })?;
    let cases = cases(&state);
    let id = cases
        .add(&tenant, &name, &raw, &expected, app::now_ms())
        .await
        .map_err(refusal)?;
    tracing::info!(test_case = %id, "test case uploaded from the API");
    let case = cases.get(&tenant, &id).await.map_err(refusal)?;
    Ok((StatusCode::CREATED, Json(detail(&case))))
}

/// One test case and the plan it expects. Administrators only.
#[utoipa::path(get, path = "/api/v1/testcases/{id}", tag = "testcases",
    params(("id" = String, Path, description = "Test case id")),
    responses((status = 200, body = TestCaseDetail),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<TestCaseDetail>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let case = cases(&state).get(&tenant, &id).await.map_err(refusal)?;
    Ok(Json(detail(&case)))
}

/// Deletes a test case and its mail. Administrators only.
#[utoipa::path(delete, path = "/api/v1/testcases/{id}", tag = "testcases",
    params(("id" = String, Path, description = "Test case id")),
    responses((status = 204, description = "Deleted"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    cases(&state).remove(&tenant, &id).await.map_err(refusal)?;
    tracing::info!(test_case = %id, "test case removed from the API");
    Ok(StatusCode::NO_CONTENT)
}

/// Makes the plan that the profile in force (or the candidate sent) gives the case now its
/// expected plan. Administrators only.
#[utoipa::path(post, path = "/api/v1/testcases/{id}/accept", tag = "testcases",
    params(("id" = String, Path, description = "Test case id")),
    request_body = CandidateRequest,
    responses((status = 200, body = TestCaseDetail),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "No profile is stored yet"),
              (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "The candidate is not valid")))]
pub async fn accept(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(bytes): JsonBody,
) -> Result<Json<TestCaseDetail>, ApiError> {
    caller.require_admin()?;
    let request: CandidateRequest = parse(&bytes)?;
    let tenant = state.tenant_of(&caller).await?;
    let cases = cases(&state);
    // An unknown id is that whatever the profile: look it up first.
    cases.get(&tenant, &id).await.map_err(refusal)?;
    let (_, profile) = chosen(&tenant, request.profile.as_ref()).await?;
    let ids = [id.clone()];
    let replayed = cases
        .replay(&tenant, Some(ids.as_slice()), &profile, &limits(&state))
        .await
        .map_err(refusal)?;
    for r in &replayed {
        cases
            .accept(&tenant, &r.case.id, &r.actual, app::now_ms())
            .await
            .map_err(refusal)?;
    }
    tracing::info!(test_case = %id, "test case accepted from the API");
    let case = cases.get(&tenant, &id).await.map_err(refusal)?;
    Ok(Json(detail(&case)))
}

/// Replays the cases named (every case when none is) against the profile in force or the
/// candidate sent, and answers per case whether its plan changed and, field by field, the
/// expected and the actual value. A run changes nothing. Administrators only.
#[utoipa::path(post, path = "/api/v1/testcases/run", tag = "testcases",
    request_body = RunRequest,
    responses((status = 200, body = RunBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "An id names no test case"),
              (status = 409, body = ErrorBody, description = "No profile is stored yet"),
              (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "The candidate is not valid")))]
pub async fn run(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<RunBody>, ApiError> {
    caller.require_admin()?;
    let request: RunRequest = parse(&bytes)?;
    let tenant = state.tenant_of(&caller).await?;
    let (against, profile) = chosen(&tenant, request.profile.as_ref()).await?;
    let replayed = cases(&state)
        .replay(&tenant, request.ids.as_deref(), &profile, &limits(&state))
        .await
        .map_err(refusal)?;
    let cases: Vec<CaseResult> = replayed
        .into_iter()
        .map(|r| CaseResult {
            id: r.case.id,
            name: r.case.name,
            changed: !r.changes.is_empty(),
            changes: r.changes,
        })
        .collect();
    Ok(Json(RunBody {
        against: against.to_owned(),
        changed: cases.iter().filter(|c| c.changed).count(),
        cases,
    }))
}

/// The profile in force; 409 when the site has none yet.
pub(super) async fn in_force(tenant: &TenantStore) -> Result<CheckedProfile, ApiError> {
    let stored = tenant
        .profile()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(|| {
            ApiError::Conflict(
                "the site has no profile yet: save one (Rules) or import one with \
                 `postroom profile import FILE`"
                    .to_owned(),
            )
        })?;
    Profile::load(&stored.document)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the stored profile is not valid: {e}")))
}

/// How a mail is parsed for a replay: as inbound mail is.
pub(super) fn limits(state: &AppState) -> ParseLimits {
    ParseLimits {
        max_size: state.intake.max_size(),
        ..ParseLimits::default()
    }
}

/// The candidate `profile`, checked as `profile import` checks its own rules (each mistake
/// at its path under `profile`), or else the profile in force.
async fn chosen(
    tenant: &TenantStore,
    candidate: Option<&Value>,
) -> Result<(&'static str, CheckedProfile), ApiError> {
    let Some(candidate) = candidate else {
        return Ok(("in_force", in_force(tenant).await?));
    };
    let at = |path: &str| {
        if path == "." || path.is_empty() {
            "profile".to_owned()
        } else {
            format!("profile.{path}")
        }
    };
    match Profile::load(&candidate.to_string()) {
        Ok(profile) => Ok(("candidate", profile)),
        Err(ProfileError::Invalid(problems)) => Err(ApiError::Unprocessable {
            errors: problems
                .0
                .into_iter()
                .map(|p| FieldError {
                    field: at(&p.path),
                    message: p.message,
                })
                .collect(),
        }),
        Err(ProfileError::Json { path, message }) => Err(ApiError::Unprocessable {
            errors: vec![FieldError {
                field: at(&path),
                message,
            }],
        }),
        Err(e @ ProfileError::Toml(_)) => Err(ApiError::Unprocessable {
            errors: vec![FieldError {
                field: "profile".to_owned(),
                message: e.to_string(),
            }],
        }),
    }
}

/// A JSON body read as `T`; an empty one is `T`'s default.
fn parse<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    super::profile::body_of(bytes)
}

fn cases(state: &AppState) -> TestCases {
    TestCases::new(state.intake.keyring().clone(), state.intake.blobs().clone())
}

fn summary(case: &TestCase) -> TestCaseBody {
    TestCaseBody {
        id: case.id.clone(),
        name: case.name.clone(),
        created_at_ms: case.created_at_ms,
        updated_at_ms: case.updated_at_ms,
    }
}

fn detail(case: &TestCase) -> TestCaseDetail {
    TestCaseDetail {
        case: summary(case),
        expected: case
            .expected
            .fields()
            .map(|(field, value)| FieldValue {
                field: field.to_owned(),
                value: value.clone(),
            })
            .collect(),
    }
}

/// A test case's error as the API answers it.
fn refusal(e: TestCaseError) -> ApiError {
    match e {
        TestCaseError::NotFound(id) => ApiError::NotFound(format!("no test case {id:?}")),
        e @ TestCaseError::Unreadable { .. } => ApiError::Conflict(e.to_string()),
        e => ApiError::Internal(e.into()),
    }
}
