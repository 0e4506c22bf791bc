//! `/api/v1/profile`: the site's profile as the console edits it — read with its version,
//! replaced as a whole after exactly the checks of `postroom profile import`, and only
//! when nobody saved another version since the editor loaded it. The running workers and
//! listeners follow the stored version (see `SharedProfile::follow`), so a saved profile
//! decides the next mail.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use postroom_core::message::EmailAddress;
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_core::tenant::TenantId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;
use crate::config::Config;
use crate::profiles;

/// What the profile and notification routes need beyond the store.
#[derive(Debug, Clone, Default)]
pub struct ProfileEdge {
    /// The instance's configuration: `profile import` checks secret references and
    /// `[[mailboxes]]` against it, and so does `PUT /profile`.
    pub config: Arc<Config>,
    /// Whether the instance's own mail can leave (`[outbound]`, or the sandbox's outbox):
    /// without it (and without a relay of the site's own) a test notification is refused
    /// instead of being parked.
    pub outbound: bool,
    /// Rendered previews, for the console's frames.
    pub previews: super::notifications::Previews,
    /// The sites' profiles in force, compiled once per stored version, for "try it".
    pub compiled: Arc<postroom_engine::profiles::ProfileCache>,
}

/// The stored profile and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileBody {
    /// 1 for the first stored profile, one more for each save or import; 0 when the site
    /// has none yet.
    pub version: i64,
    /// The profile as stored (every section, defaults filled in); credentials only as
    /// `{"secret_ref": NAME}`, never their values.
    #[schema(value_type = Object)]
    pub profile: Value,
    /// What the administrator should know about a save: checks not made, mailboxes that
    /// `postroom.toml` overrides. Empty on a read.
    pub notes: Vec<String>,
}

/// A new profile, and the version the editor started from.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// The `version` the editor loaded (0 when the site had none).
    pub base_version: i64,
    /// The whole profile, as `GET /profile` returns it or `profile export` writes it.
    #[schema(value_type = Object)]
    pub profile: Value,
}

/// Someone saved another version since the editor loaded its own.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaleBody {
    pub error: String,
    /// The version stored now.
    pub version: i64,
    /// The top-level sections in which the stored profile differs from the one sent
    /// (yours and theirs together: the store keeps one version).
    pub differs: Vec<String>,
}

/// The site's profile with its version. Administrators only.
#[utoipa::path(get, path = "/api/v1/profile", tag = "profile",
    responses((status = 200, body = ProfileBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<ProfileBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let (version, profile) = stored(&tenant).await?;
    Ok(Json(ProfileBody {
        version,
        profile: serde_json::to_value(&profile).map_err(|e| ApiError::Internal(e.into()))?,
        notes: Vec::new(),
    }))
}

/// Replaces the site's profile after the checks of `postroom profile import`: the
/// profile's own rules (patterns, templates and their variables, no secret values), its
/// mailboxes' secret references, the project keys and fields it names (asked of the
/// site's Jira; one the stored profile names too is kept with a note, so that a profile
/// imported with `--offline` can be edited), and that no own address or domain belongs
/// to another site. Every mistake
/// is answered at once (422, each at its JSON path, e.g. `notifications.rules[1].to[0]`)
/// and nothing is stored. A `base_version` other than the stored version is answered 409
/// with the stored version and nothing is stored. The saved version is kept, with the
/// caller's account id (`GET /profile/versions`). Administrators only.
#[utoipa::path(put, path = "/api/v1/profile", tag = "profile",
    request_body = ProfileUpdate,
    responses((status = 200, body = ProfileBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "Another version was stored first", body = StaleBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, description = "Jira cannot be asked", body = ErrorBody)))]
pub async fn replace(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let update: ProfileUpdate = body_of(&bytes)?;
    save(&state, &caller, update.base_version, &update.profile).await
}

/// A JSON body read as `T`; what does not read is a 422 at the document.
pub(super) fn body_of<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::Unprocessable {
        errors: vec![FieldError {
            field: ".".to_owned(),
            message: e.to_string(),
        }],
    })
}

/// Stores `profile` over `base_version` as `caller` after the checks of `profile import`
/// (the new version is kept with the caller's account id): a save from `PUT /profile` or
/// a restore of a kept version. Answers the stored profile, a 409 [`StaleBody`] or the
/// 422 of the checks.
pub(super) async fn save(
    state: &AppState,
    caller: &ApiCaller,
    base_version: i64,
    profile: &Value,
) -> Result<Response, ApiError> {
    let tenant = state.tenant_of(caller).await?;
    let (version, current) = stored(&tenant).await?;
    if base_version != version {
        return Ok(stale(version, &current, profile));
    }
    let checked = check(state, &caller.tenant, profile, &current).await?;
    let document = serde_json::to_string_pretty(&checked.profile.profile)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut tx = tenant.begin().await.map_err(internal)?;
    let saved = tx
        .put_profile_if(&document, base_version, &caller.account_id, now_ms())
        .await
        .map_err(internal)?;
    let Some(new_version) = saved else {
        drop(tx);
        let (version, current) = stored(&tenant).await?;
        return Ok(stale(version, &current, profile));
    };
    tx.commit().await.map_err(internal)?;
    tracing::info!(tenant = %caller.tenant, version = new_version, "profile saved from the API");
    Ok(Json(ProfileBody {
        version: new_version,
        profile: serde_json::to_value(&checked.profile.profile)
            .map_err(|e| ApiError::Internal(e.into()))?,
        notes: checked.notes,
    })
    .into_response())
}

/// The stored profile and its version; the empty profile at version 0 when none is.
pub(super) async fn stored(
    tenant: &postroom_store::TenantStore,
) -> Result<(i64, Profile), ApiError> {
    match tenant.profile().await.map_err(internal)? {
        Some(stored) => Ok((
            stored.version,
            Profile::from_json(&stored.document).map_err(|e| ApiError::Internal(e.into()))?,
        )),
        None => Ok((0, Profile::default())),
    }
}

/// The checks of `profile import`, then ownership of the own addresses; every mistake as
/// a field error.
async fn check(
    state: &AppState,
    tenant: &TenantId,
    profile: &Value,
    stored: &Profile,
) -> Result<profiles::import::Checked, ApiError> {
    let text = profile.to_string();
    let config = &state.profile.config;
    let default = *tenant == TenantId::default_tenant();
    let site = state.trackers.get(tenant);
    let client = match &site {
        Some(site) => Some(site.client().await.map_err(|e| {
            ApiError::ServiceUnavailable(format!(
                "cannot ask Jira whether the profile's project keys and fields exist: {e}"
            ))
        })?),
        None => None,
    };
    let jira = client.ok_or(
        "the site has no Jira connection: project keys and fields were not checked against Jira",
    );
    let checked = profiles::import::check_with(&text, config, default, jira, Some(stored))
        .await
        .map_err(|e| ApiError::ServiceUnavailable(format!("{e:#}")))?
        .map_err(unprocessable)?;
    let taken = profiles::claimed_elsewhere(&state.store, tenant, &checked.profile).await?;
    if !taken.is_empty() {
        // Which site claims it is that site's business: the answer names none.
        return Err(ApiError::Unprocessable {
            errors: taken
                .into_iter()
                .map(|(own, _)| FieldError {
                    field: own_path(&checked.profile, &own),
                    message: format!("{own} belongs to another site on this postroom"),
                })
                .collect(),
        });
    }
    Ok(checked)
}

/// The checks of `PUT /profile` that need no Jira (the profile's own rules, its mailboxes'
/// secret references), for a profile that is tried rather than saved: its project keys
/// and fields are asked of Jira when it is saved, which the notes say.
pub(super) async fn check_offline(
    state: &AppState,
    tenant: &TenantId,
    profile: &Value,
    stored: Option<&Profile>,
) -> Result<profiles::import::Checked, ApiError> {
    let default = *tenant == TenantId::default_tenant();
    let not_asked: Result<&postroom_jira::JiraClient, &str> = Err(
        "project keys and fields are asked of Jira when the profile is saved, not when it is tried",
    );
    profiles::import::check_with(
        &profile.to_string(),
        &state.profile.config,
        default,
        not_asked,
        stored,
    )
    .await
    .map_err(|e| ApiError::Internal(e.context("checking a tried profile")))?
    .map_err(unprocessable)
}

/// Every mistake of a profile, each at its JSON path.
fn unprocessable(problems: postroom_core::profile::ProfileErrors) -> ApiError {
    ApiError::Unprocessable {
        errors: problems
            .0
            .into_iter()
            .map(|p| FieldError {
                field: p.path,
                message: p.message,
            })
            .collect(),
    }
}

/// The JSON path of an own address, domain or catch-all as [`CheckedProfile::shared_own`]
/// names it.
fn own_path(profile: &CheckedProfile, own: &str) -> String {
    let own_section = &profile.profile.own;
    if own.starts_with("accept_any_recipient") {
        return "own.accept_any_recipient".to_owned();
    }
    let same_address = |written: &String| match (
        EmailAddress::parse(written.trim()),
        EmailAddress::parse(own),
    ) {
        (Ok(a), Ok(b)) => a.as_str().eq_ignore_ascii_case(b.as_str()),
        _ => false,
    };
    if let Some(i) = own_section.addresses.iter().position(same_address) {
        return format!("own.addresses[{i}]");
    }
    match own_section
        .domains
        .iter()
        .position(|d| d.trim().eq_ignore_ascii_case(own))
    {
        Some(i) => format!("own.domains[{i}]"),
        None => "own".to_owned(),
    }
}

/// The 409 answer: the stored version and the sections that differ.
fn stale(version: i64, current: &Profile, sent: &Value) -> Response {
    let body = StaleBody {
        error: format!(
            "the profile was changed since you loaded it: version {version} is stored now; \
             reload it and make your change again"
        ),
        version,
        differs: differs(current, sent),
    };
    (StatusCode::CONFLICT, Json(body)).into_response()
}

/// The top-level sections in which `sent` differs from `current`. Read through the
/// profile's own type where it can be, so that a default left out on one side is not
/// taken for a change.
fn differs(current: &Profile, sent: &Value) -> Vec<String> {
    let current = serde_json::to_value(current).unwrap_or(Value::Null);
    let sent = serde_json::from_value::<Profile>(sent.clone())
        .ok()
        .and_then(|p| serde_json::to_value(p).ok())
        .unwrap_or_else(|| sent.clone());
    let sections = |v: &Value| -> BTreeSet<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    sections(&current)
        .union(&sections(&sent))
        .filter(|key| current.get(key.as_str()) != sent.get(key.as_str()))
        .cloned()
        .collect()
}

pub(super) fn internal(e: postroom_store::StoreError) -> ApiError {
    ApiError::Internal(e.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_own_address_or_domain_is_found_at_its_path() {
        let profile = Profile::load(
            r#"{"own": {"addresses": ["help@a.example", " Sales@B.example"],
                         "domains": ["desk.example"]}, "default": {"action": "ignore"}}"#,
        )
        .unwrap();
        assert_eq!(own_path(&profile, "sales@b.example"), "own.addresses[1]");
        assert_eq!(own_path(&profile, "desk.example"), "own.domains[0]");
        assert_eq!(
            own_path(&profile, "accept_any_recipient (it takes every address)"),
            "own.accept_any_recipient"
        );
    }

    #[test]
    fn a_stale_answer_names_only_the_sections_that_differ() {
        let current: Profile =
            serde_json::from_str(r#"{"own": {"addresses": ["a@x.example"]}}"#).unwrap();
        let sent = serde_json::json!({"own": {"addresses": ["a@x.example"]},
                                      "notifications": {"from": "n@x.example"}});
        assert_eq!(differs(&current, &sent), vec!["notifications"]);
        assert!(differs(&current, &serde_json::to_value(&current).unwrap()).is_empty());
    }
}
