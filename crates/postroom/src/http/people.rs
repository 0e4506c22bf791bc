//! `/api/v1/people/…`: a person's data found, exported and erased — the twins of
//! `postroom person`, for Jira administrators and admin tokens only.
//!
//! Every route is a POST with the person in the body, never in the path or the query: an
//! address must not land in access logs or browser history. Each request is recorded
//! (who asked, when, what, how much) without whose data.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use postroom_engine::people::{Erased, Found, NOT_COVERED, People, PeopleError, Subject};
use postroom_store::TenantStore;
use postroom_store::people::{PersonAction, SuppressionChoice};
use serde::{Deserialize, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;

/// Whom a request is about, and how far to look.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    /// The person's e-mail address (or `account_id`, not both).
    #[serde(default)]
    pub address: Option<String>,
    /// An agent's Jira account id: their canned-response use, templates, tokens and sessions.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Also open every stored mail, report, sent message and test case of the site and
    /// take those naming the address anywhere (a Cc). Slower: it decrypts everything.
    #[serde(default)]
    pub deep: bool,
    /// Erase only: remove the suppression entry too (postroom may mail the address again).
    #[serde(default)]
    pub include_suppression: bool,
    /// Erase only: remove the address from the profile's e-mail field on every issue found.
    #[serde(default)]
    pub jira: bool,
}

/// What was found, with what postroom does not cover, said with every answer so that
/// nobody assumes more.
#[derive(Debug, Serialize)]
pub struct FoundBody {
    #[serde(flatten)]
    pub found: Found,
    pub not_covered: &'static [&'static str],
}

impl From<Found> for FoundBody {
    fn from(found: Found) -> Self {
        Self {
            found,
            not_covered: NOT_COVERED,
        }
    }
}

/// What an erase removed, with what was found (and what stays in Jira).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErasedBody {
    #[schema(value_type = Object)]
    pub found: FoundBody,
    #[schema(value_type = Object)]
    pub erased: Erased,
}

/// Everything postroom holds about a person, each record opened, and what sits in Jira
/// with issue keys. Administrators only.
#[utoipa::path(post, path = "/api/v1/people/find", tag = "people", request_body = PersonBody,
    responses((status = 200, body = Object,
               description = "What was found, per kind, and `not_covered`: what postroom \
                              does not cover"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn find(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<FoundBody>, ApiError> {
    let (tenant, people, _, found) = start(&state, &caller, &bytes, false).await?;
    let outcome = serde_json::to_value(found.counts()).map_err(|e| ApiError::Internal(e.into()))?;
    record(
        &people,
        &tenant,
        PersonAction::Find,
        &found,
        &caller,
        outcome,
    )
    .await?;
    Ok(Json(found.into()))
}

/// One tar archive: a JSON file per kind of record plus the raw mails, sent messages and
/// test-case mails, decrypted. Administrators only.
#[utoipa::path(post, path = "/api/v1/people/export", tag = "people", request_body = PersonBody,
    responses((status = 200, content_type = "application/x-tar", description = "The archive"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Response, ApiError> {
    let (tenant, people, _, found) = start(&state, &caller, &bytes, false).await?;
    let now = now_ms();
    let archive = people
        .export(&tenant, &found, now)
        .await
        .map_err(internal)?;
    let outcome = serde_json::to_value(found.counts()).map_err(|e| ApiError::Internal(e.into()))?;
    record(
        &people,
        &tenant,
        PersonAction::Export,
        &found,
        &caller,
        outcome,
    )
    .await?;
    let name = format!("attachment; filename=\"person-export-{}.tar\"", now / 1000);
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        archive,
    )
        .into_response())
}

/// Deletes everything found (see `postroom person erase`); a suppressed address keeps a
/// keyed-hash marker unless `include_suppression`. Lists what stays in Jira; with `jira`
/// the address is removed from the e-mail field values. Administrators only.
#[utoipa::path(post, path = "/api/v1/people/erase", tag = "people", request_body = PersonBody,
    responses((status = 200, body = ErasedBody, description = "What was erased"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<ErasedBody>, ApiError> {
    let (tenant, people, body, found) = start(&state, &caller, &bytes, true).await?;
    let choice = if body.include_suppression {
        SuppressionChoice::Remove
    } else {
        SuppressionChoice::KeepMarker
    };
    let erased = people
        .erase(&tenant, &found, choice)
        .await
        .map_err(internal)?;
    let outcome = serde_json::json!({ "found": found.counts(), "erased": erased });
    record(
        &people,
        &tenant,
        PersonAction::Erase,
        &found,
        &caller,
        outcome,
    )
    .await?;
    Ok(Json(ErasedBody {
        found: found.into(),
        erased,
    }))
}

/// Checks the caller and the body, then finds the person (and looks in Jira).
async fn start(
    state: &AppState,
    caller: &ApiCaller,
    bytes: &[u8],
    erasing: bool,
) -> Result<(TenantStore, People, PersonBody, Found), ApiError> {
    caller.require_admin()?;
    let body: PersonBody = serde_json::from_slice(bytes).map_err(|e| unprocessable("body", e))?;
    if !erasing && (body.include_suppression || body.jira) {
        return Err(unprocessable(
            if body.jira {
                "jira"
            } else {
                "include_suppression"
            },
            "only an erase takes this",
        ));
    }
    let subject =
        Subject::parse(body.address.as_deref(), body.account_id.as_deref()).map_err(|e| {
            let field = match e {
                PeopleError::BadAccount(_) => "account_id",
                _ => "address",
            };
            unprocessable(field, e)
        })?;
    let tenant = state.tenant_of(caller).await?;
    let people = People::new(state.intake.clone());
    let mut found = people
        .find(&tenant, &subject, body.deep)
        .await
        .map_err(internal)?;
    if found.address().is_some() {
        look_in_jira(state, caller, &tenant, &mut found, erasing && body.jira).await;
    }
    Ok((tenant, people, body, found))
}

/// The e-mail field values in the site's Jira naming the person (cleared with `clear`);
/// a site that cannot be reached is said in the answer, not an error.
async fn look_in_jira(
    state: &AppState,
    caller: &ApiCaller,
    tenant: &TenantStore,
    found: &mut Found,
    clear: bool,
) {
    let field = match crate::people::email_field(tenant).await {
        Ok(field) => field,
        Err(e) => {
            found.jira.note = Some(format!("the profile cannot be read: {e}"));
            return;
        }
    };
    let Some(site) = state.trackers.get(&caller.tenant) else {
        found.jira.note = Some("no Jira site is configured for this tenant".to_owned());
        return;
    };
    match site.client().await {
        Ok(jira) => found.check_jira(jira, field.as_deref(), clear).await,
        Err(e) => found.jira.note = Some(format!("Jira was not checked: {e}")),
    }
}

async fn record(
    people: &People,
    tenant: &TenantStore,
    action: PersonAction,
    found: &Found,
    caller: &ApiCaller,
    outcome: serde_json::Value,
) -> Result<(), ApiError> {
    people
        .record(tenant, action, found, &caller.account_id, outcome, now_ms())
        .await
        .map(|_| ())
        .map_err(internal)
}

fn unprocessable(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Unprocessable {
        errors: vec![FieldError {
            field: field.to_owned(),
            message: e.to_string(),
        }],
    }
}

fn internal(e: PeopleError) -> ApiError {
    ApiError::Internal(e.into())
}
