//! The tenants' compiled profiles, shared by the workers that read them, and the check of
//! a profile against the tenant's Jira before it is imported.
//!
//! Compiling a profile (every pattern, every template) costs far more than reading its
//! version, so each worker asks for the version per job and recompiles only after an
//! import changed it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use postroom_core::ports::tracker::{Project, Tracker, TrackerError};
use postroom_core::profile::{CheckedProfile, JiraKind, Profile, ValidationError};
use postroom_core::tenant::TenantId;
use postroom_store::TenantStore;

use crate::inbound::fields::is_known;

/// Why a tenant's profile cannot be used now; every case is worth waiting for, since an
/// administrator's import fixes it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileUnavailable {
    #[error("no profile: import one with `postroom profile import FILE` (mail waits until then)")]
    Missing,
    #[error("the stored profile is not valid: {0}")]
    Invalid(String),
    #[error("reading the profile: {0}")]
    Store(#[from] postroom_store::StoreError),
}

/// Compiled profiles by tenant, with the stored version each was compiled from.
#[derive(Debug, Default)]
pub struct ProfileCache {
    compiled: Mutex<HashMap<TenantId, (i64, Arc<CheckedProfile>)>>,
}

impl ProfileCache {
    /// The tenant's compiled profile, recompiled only when a new version was imported.
    pub async fn get(
        &self,
        tenant: &TenantStore,
    ) -> Result<Arc<CheckedProfile>, ProfileUnavailable> {
        let version = tenant
            .profile_version()
            .await?
            .ok_or(ProfileUnavailable::Missing)?;
        let cached = self
            .compiled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant.id())
            .filter(|(v, _)| *v == version)
            .map(|(_, p)| Arc::clone(p));
        if let Some(profile) = cached {
            return Ok(profile);
        }
        let stored = tenant.profile().await?.ok_or(ProfileUnavailable::Missing)?;
        let profile = Arc::new(
            Profile::load(&stored.document)
                .map_err(|e| ProfileUnavailable::Invalid(e.to_string()))?,
        );
        self.compiled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.id().clone(), (stored.version, Arc::clone(&profile)));
        Ok(profile)
    }
}

/// The project keys and fields `profile` names that the tenant's Jira does not know, each
/// as a mistake at its JSON path: an import refuses them up front instead of letting the
/// first mail that reaches such a rule fail. Fails only when Jira cannot answer.
pub async fn unknown_in_jira<T: Tracker>(
    profile: &Profile,
    tracker: &T,
) -> Result<Vec<ValidationError>, TrackerError> {
    let references = profile.jira_references();
    let mut projects = None;
    let mut fields = None;
    let mut unknown = Vec::new();
    for reference in references {
        let known = match reference.kind {
            JiraKind::Project => {
                if projects.is_none() {
                    projects = Some(tracker.projects(false).await?);
                }
                projects
                    .iter()
                    .flatten()
                    .any(|p: &Project| p.key == reference.name)
            }
            JiraKind::Field => {
                if fields.is_none() {
                    fields = Some(tracker.fields().await?);
                }
                is_known(fields.as_deref().unwrap_or_default(), &reference.name)
            }
        };
        if !known {
            let what = match reference.kind {
                JiraKind::Project => "project",
                JiraKind::Field => "field",
            };
            unknown.push(ValidationError {
                path: reference.path,
                message: format!("Jira has no {what} {:?}", reference.name),
            });
        }
    }
    Ok(unknown)
}
