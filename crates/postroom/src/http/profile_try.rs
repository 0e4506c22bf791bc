//! The Rules page's two helpers: `POST /api/v1/profile/try` runs the dry run of a pasted
//! mail under a candidate profile and under the profile in force, side by side, and
//! `POST /api/v1/profile/regex` tries one pattern of the profile on sample text with the
//! server's own regex engine. Neither stores, sends or asks Jira anything.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use postroom_core::message::ParseLimits;
use postroom_core::profile::tester::{self, PatternKind, SampleResult};
use postroom_core::testcase::Change;
use postroom_core::try_it::{Decision, TriedMail, try_mail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};

/// The largest mail "try it" reads: enough for a mail with a few attachments (to try an
/// attachment policy), small enough that a paste cannot tie up the server.
pub const TRY_MAX_MAIL: usize = 4 * 1024 * 1024;
/// The largest request body of `/profile/try`: the mail as base64 or JSON-escaped text,
/// and a profile.
pub const TRY_MAX_BODY: usize = 16 * 1024 * 1024;

const MAX_PATTERN: usize = 2_000;
const MAX_SAMPLES: usize = 20;
const MAX_SAMPLE: usize = 10_000;

/// A mail to try, and the profile to try it under.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TryRequest {
    /// The raw mail (RFC 5322) as text, as pasted.
    #[serde(default)]
    pub mail: Option<String>,
    /// The raw mail as base64 (an uploaded `.eml`), instead of `mail`.
    #[serde(default)]
    pub mail_base64: Option<String>,
    /// The candidate profile, as `PUT /profile` takes it; without it only the profile in
    /// force decides.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub profile: Option<Value>,
}

/// What each profile decides.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TryBody {
    /// The mail as read (sender, subject, attachments, reading problems).
    #[schema(value_type = Object)]
    pub mail: TriedMail,
    /// The decision under the candidate profile (null when none was sent): `action`,
    /// `classification`, `thread`, `directives`, `report`, and `fields` (the decision by
    /// path, as a test case records it).
    #[schema(value_type = Option<Object>)]
    pub candidate: Option<Decision>,
    /// The decision under the profile in force (null when the site has none).
    #[schema(value_type = Option<Object>)]
    pub in_force: Option<Decision>,
    /// The version in force (0: none).
    pub version: i64,
    /// The decision's fields that differ: `expected` is the profile in force's, `actual`
    /// the candidate's.
    #[schema(value_type = Vec<Object>)]
    pub differs: Vec<Change>,
    /// What the answer leaves out: checks made only on saving, a profile in force that
    /// cannot be used.
    pub notes: Vec<String>,
}

/// Runs the dry run of `postroom process --dry-run` on one mail under the candidate
/// profile in the body and under the profile in force, and says which fields of the
/// decision differ. The candidate gets the checks of `PUT /profile` except Jira's (422,
/// each mistake at its path); lookups (Message-IDs, issue status) are unanswered as in
/// any dry run. Nothing is stored or sent. Mails over 4 MiB are refused (413).
/// Administrators only.
#[utoipa::path(post, path = "/api/v1/profile/try", tag = "profile",
    request_body = TryRequest,
    responses((status = 200, body = TryBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn try_it(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<TryBody>, ApiError> {
    caller.require_admin()?;
    let request: TryRequest = serde_json::from_slice(&bytes).map_err(|e| field(".", e))?;
    let raw = mail_of(&request)?;
    let tenant = state.tenant_of(&caller).await?;
    let mut notes = Vec::new();
    let version = tenant
        .profile_version()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .unwrap_or(0);
    let in_force = match state.profile.compiled.get(&tenant).await {
        Ok(profile) => Some(profile),
        Err(postroom_engine::profiles::ProfileUnavailable::Missing) => {
            notes.push(
                "the site has no profile in force: its mail waits until one is saved".to_owned(),
            );
            None
        }
        Err(postroom_engine::profiles::ProfileUnavailable::Invalid(why)) => {
            notes.push(format!("the profile in force cannot be used: {why}"));
            None
        }
        Err(postroom_engine::profiles::ProfileUnavailable::Store(e)) => {
            return Err(ApiError::Internal(e.into()));
        }
    };
    let candidate = match &request.profile {
        Some(profile) => {
            let stored = in_force.as_ref().map(|p| &p.profile);
            let checked =
                super::profile::check_offline(&state, &caller.tenant, profile, stored).await?;
            notes.extend(checked.notes);
            Some(checked.profile)
        }
        None if in_force.is_none() => {
            return Err(field(
                "profile",
                "the site has no profile in force: send a candidate profile to try",
            ));
        }
        None => None,
    };
    let limits = ParseLimits {
        max_size: TRY_MAX_MAIL,
        ..ParseLimits::default()
    };
    let tried = try_mail(&raw, &limits, candidate.as_ref(), in_force.as_deref())
        .map_err(|e| field("mail", format!("cannot read the mail: {e}")))?;
    Ok(Json(TryBody {
        mail: tried.mail,
        candidate: tried.candidate,
        in_force: tried.in_force,
        version,
        differs: tried.differs,
        notes,
    }))
}

/// The raw mail of the request: exactly one of `mail` and `mail_base64`, at most
/// [`TRY_MAX_MAIL`] bytes.
fn mail_of(request: &TryRequest) -> Result<Vec<u8>, ApiError> {
    let raw = match (&request.mail, &request.mail_base64) {
        (Some(text), None) => text.as_bytes().to_vec(),
        (None, Some(encoded)) => {
            let compact: String = encoded.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .map_err(|e| field("mail_base64", format!("not base64: {e}")))?
        }
        (Some(_), Some(_)) => {
            return Err(field(
                "mail",
                "send the mail once: as mail or as mail_base64",
            ));
        }
        (None, None) => {
            return Err(field(
                "mail",
                "required: the raw mail, as text (mail) or base64 (mail_base64)",
            ));
        }
    };
    if raw.len() > TRY_MAX_MAIL {
        return Err(ApiError::PayloadTooLarge(format!(
            "the mail is {} bytes; try it reads mails up to {TRY_MAX_MAIL} bytes",
            raw.len()
        )));
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(field("mail", "the mail is empty"));
    }
    Ok(raw)
}

/// A pattern of the profile and the text to try it on.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegexRequest {
    /// How the field uses its pattern: `regex` (searched, as `match.subject`,
    /// `match.headers.*`, `threading.foreign_key`), `address` (an address pattern, as
    /// `match.sender`), `issue_key` (`threading.key_pattern`).
    #[schema(value_type = String)]
    pub kind: PatternKind,
    /// The pattern as the profile writes it.
    pub pattern: String,
    /// Sample texts (at most 20 of 10,000 characters).
    #[serde(default)]
    pub samples: Vec<String>,
}

/// What the pattern does with each sample.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegexBody {
    /// One per sample, in order: `matched`, `tried_on` (the sample, or an address's
    /// domain), `matches`, `groups` of the first match, `problem`.
    #[schema(value_type = Vec<Object>)]
    pub samples: Vec<SampleResult>,
}

/// Compiles one pattern of the profile with postroom's own regex engine, as the field
/// `kind` uses it, and tries it on the samples: the browser's regex is another language.
/// A pattern that does not compile is answered 422 at `pattern` with the message the
/// profile's check gives. Administrators only.
#[utoipa::path(post, path = "/api/v1/profile/regex", tag = "profile",
    request_body = RegexRequest,
    responses((status = 200, body = RegexBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn regex(
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<RegexBody>, ApiError> {
    caller.require_admin()?;
    let request: RegexRequest = serde_json::from_slice(&bytes).map_err(|e| field(".", e))?;
    if request.pattern.chars().count() > MAX_PATTERN {
        return Err(field(
            "pattern",
            format!("longer than {MAX_PATTERN} characters"),
        ));
    }
    if request.samples.len() > MAX_SAMPLES {
        return Err(field("samples", format!("at most {MAX_SAMPLES} samples")));
    }
    if let Some(i) = request
        .samples
        .iter()
        .position(|s| s.chars().count() > MAX_SAMPLE)
    {
        return Err(field(
            &format!("samples[{i}]"),
            format!("longer than {MAX_SAMPLE} characters"),
        ));
    }
    let samples = tester::test(request.kind, &request.pattern, &request.samples)
        .map_err(|message| field("pattern", message))?;
    Ok(Json(RegexBody { samples }))
}

fn field(path: &str, message: impl ToString) -> ApiError {
    ApiError::Unprocessable {
        errors: vec![FieldError {
            field: path.to_owned(),
            message: message.to_string(),
        }],
    }
}
