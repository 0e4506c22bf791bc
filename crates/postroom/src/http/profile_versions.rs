//! `/api/v1/profile/versions`: every kept version of the site's profile, with who saved it
//! and when; two versions compared path by path; an older one restored, which saves its
//! document as a new version through exactly the checks and the version guard of
//! `PUT /profile`.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::profile::{body_of, internal, save};
use super::{ApiError, AppState};

/// One kept version, without its document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionBody {
    pub version: i64,
    /// The Jira account id of whoever saved it from the console or the API; `cli` for
    /// `postroom profile import`, `config` for `[inbound] profile`, `sandbox` for the demo
    /// profile, `(erased)` after the person's erasure, `(unknown)` for a version saved
    /// before versions were kept.
    pub saved_by: String,
    pub saved_at_ms: i64,
}

/// The kept versions, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionList {
    /// The version in force (0 when the site has no profile).
    pub current: i64,
    pub versions: Vec<VersionBody>,
    /// How versions are kept, in words.
    pub kept: String,
}

/// One kept version with its document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionDocument {
    #[serde(flatten)]
    pub version: VersionBody,
    /// The profile as it was saved.
    #[schema(value_type = Object)]
    pub profile: Value,
}

/// One value that differs between two versions.
#[derive(Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangeBody {
    /// Where, as the profile's errors name it (`rules[1].subject`, `own.addresses[0]`).
    pub path: String,
    /// The value in the first version; absent when the path is new in the second.
    #[schema(value_type = Object)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The value in the second version; absent when the path is gone from it.
    #[schema(value_type = Object)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// What changed from one version to another.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DiffBody {
    pub from: VersionBody,
    pub to: VersionBody,
    /// Every value that differs, in path order; empty when the two are alike.
    pub changes: Vec<ChangeBody>,
}

/// A restore, and the version the editor started from.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// The version in force when the administrator chose to restore (as for `PUT`).
    pub base_version: i64,
}

const KEPT: &str = "every saved version is kept 365 days, and the last 50 whatever their age";

/// The kept versions of the site's profile, newest first. Administrators only.
#[utoipa::path(get, path = "/api/v1/profile/versions", tag = "profile",
    responses((status = 200, body = VersionList),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<VersionList>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let current = tenant.profile_version().await.map_err(internal)?;
    let versions = tenant.profile_versions().await.map_err(internal)?;
    Ok(Json(VersionList {
        current: current.unwrap_or(0),
        versions: versions.into_iter().map(body).collect(),
        kept: KEPT.to_owned(),
    }))
}

/// One kept version with its document. Administrators only.
#[utoipa::path(get, path = "/api/v1/profile/versions/{version}", tag = "profile",
    params(("version" = i64, Path, description = "Version number")),
    responses((status = 200, body = VersionDocument), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such version is kept")))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(version): Path<String>,
) -> Result<Json<VersionDocument>, ApiError> {
    caller.require_admin()?;
    let (version, profile) = kept(&state, &caller, &version).await?;
    Ok(Json(VersionDocument { version, profile }))
}

/// What changed from `version` to `other`: every value that differs, at its path.
/// Administrators only.
#[utoipa::path(get, path = "/api/v1/profile/versions/{version}/diff/{other}", tag = "profile",
    params(("version" = i64, Path, description = "The version on the \"before\" side"),
           ("other" = i64, Path, description = "The version on the \"after\" side")),
    responses((status = 200, body = DiffBody), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "One of them is not kept")))]
pub async fn diff(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((a, b)): Path<(String, String)>,
) -> Result<Json<DiffBody>, ApiError> {
    caller.require_admin()?;
    let (from, before) = kept(&state, &caller, &a).await?;
    let (to, after) = kept(&state, &caller, &b).await?;
    Ok(Json(DiffBody {
        from,
        to,
        changes: changes(&before, &after),
    }))
}

/// Saves kept version `version` as a new version, over `base_version`: the checks, the
/// 409 and the answer of `PUT /profile`. Administrators only.
#[utoipa::path(post, path = "/api/v1/profile/versions/{version}/restore", tag = "profile",
    params(("version" = i64, Path, description = "The version to restore")),
    request_body = RestoreRequest,
    responses((status = 200, body = super::profile::ProfileBody), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such version is kept"),
              (status = 409, description = "Another version was stored first",
               body = super::profile::StaleBody),
              (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody,
               description = "The old version no longer passes the checks"),
              (status = 503, description = "Jira cannot be asked", body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(version): Path<String>,
    JsonBody(bytes): JsonBody,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let request: RestoreRequest = body_of(&bytes)?;
    let (old, profile) = kept(&state, &caller, &version).await?;
    tracing::info!(tenant = %caller.tenant, version = old.version, "profile version restored from the API");
    save(&state, &caller, request.base_version, &profile).await
}

/// Kept version `text` of the caller's site and its document.
async fn kept(
    state: &AppState,
    caller: &ApiCaller,
    text: &str,
) -> Result<(VersionBody, Value), ApiError> {
    let number: i64 = text
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{text:?} is not a version number")))?;
    let tenant = state.tenant_of(caller).await?;
    let (version, document) = tenant
        .profile_version_document(number)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            ApiError::NotFound(format!("version {number} of the profile is not kept"))
        })?;
    let profile = serde_json::from_str(&document).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((body(version), profile))
}

fn body(v: postroom_store::profile_versions::ProfileVersion) -> VersionBody {
    VersionBody {
        version: v.version,
        saved_by: v.saved_by,
        saved_at_ms: v.saved_at_ms,
    }
}

/// Every leaf that differs between `before` and `after`, by path. Objects and arrays are
/// walked (so a changed pattern in the third rule is `rules[2].subject`, not the whole
/// list); an empty object or array is a leaf of its own.
pub fn changes(before: &Value, after: &Value) -> Vec<ChangeBody> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    leaves("", before, &mut a);
    leaves("", after, &mut b);
    let a: std::collections::BTreeMap<_, _> = a.into_iter().collect();
    let b: std::collections::BTreeMap<_, _> = b.into_iter().collect();
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter(|p| a.get(*p) != b.get(*p))
        .map(|p| ChangeBody {
            path: p.clone(),
            before: a.get(p).map(|v| (*v).clone()),
            after: b.get(p).map(|v| (*v).clone()),
        })
        .collect()
}

fn leaves<'v>(path: &str, value: &'v Value, into: &mut Vec<(String, &'v Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                let next = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                leaves(&next, inner, into);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, inner) in items.iter().enumerate() {
                leaves(&format!("{path}[{i}]"), inner, into);
            }
        }
        other => into.push((path.to_owned(), other)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_changed_pattern_is_named_at_its_rule_and_new_or_gone_values_have_one_side() {
        let before = json!({"rules": [{"subject": "a"}, {"subject": "b"}], "own": {"x": 1}});
        let after = json!({"rules": [{"subject": "a"}, {"subject": "c"}, {"subject": "d"}],
                           "own": {}});
        let found = changes(&before, &after);
        let paths: Vec<&str> = found.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["own", "own.x", "rules[1].subject", "rules[2].subject"]
        );
        assert_eq!(found[2].before, Some(json!("b")));
        assert_eq!(found[2].after, Some(json!("c")));
        assert_eq!(
            (found[3].before.as_ref(), found[1].after.as_ref()),
            (None, None)
        );
        assert!(changes(&before, &before).is_empty());
    }
}
