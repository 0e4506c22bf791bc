//! `POST /api/v1/mailboxes/{id}/test`: the steps of `postroom mailbox test` for any of
//! the site's mailboxes — DNS, TCP, TLS, authentication, folder — each passed, failed or
//! not reached, the failing one named with what the server said.

use axum::Json;
use axum::extract::{Path, State};
use postroom_core::tenant::TenantId;
use postroom_mail::imap::{FolderCount, MailboxSettings, ProbeStep, Security, test_mailbox_with};
use postroom_store::TenantStore;
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::mailboxes::internal;
use super::{ApiError, AppState};
use crate::site_mailboxes;

/// One step of a test.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StepBody {
    /// `dns`, `tcp`, `tls`, `authentication` or `folder`.
    pub step: String,
    /// `DNS`, `TCP`, `TLS`, `authentication`, `folder`.
    pub label: String,
    /// `ok`, `failed`, `skipped` (TLS of a `plain` mailbox) or `not_reached`.
    pub status: String,
    /// What failed, for the failed step.
    pub detail: Option<String>,
}

/// What a test found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MailboxTestBody {
    pub name: String,
    pub ok: bool,
    pub steps: Vec<StepBody>,
    /// The step that failed; null when every step passed or the settings were refused
    /// before the first.
    pub failed_step: Option<String>,
    /// What went wrong, in words (no user name, password or token).
    pub error: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub folders: Vec<FolderCount>,
    /// Messages waiting in the folder read.
    pub waiting: Option<u32>,
    /// Whether the server offers IDLE (else postroom polls).
    pub idle: Option<bool>,
}

/// The mailbox `name` of the site, ready to connect, wherever it is configured, with the
/// hook that keeps a rotated refresh token of a console mailbox.
async fn find(
    state: &AppState,
    tenant: &TenantStore,
    name: &str,
) -> Result<Result<(MailboxSettings, Option<postroom_mail::imap::RotationHook>), String>, ApiError>
{
    let config = &state.profile.config;
    if *tenant.id() == TenantId::default_tenant()
        && let Some(m) = config.mailboxes.iter().find(|m| m.name == name)
    {
        return Ok(Ok((m.clone(), None)));
    }
    let profile = site_mailboxes::profile_mailboxes(tenant)
        .await
        .map_err(internal)?;
    if profile
        .iter()
        .any(|m| postroom_core::profile::mailboxes::name_of(m) == Some(name))
    {
        let (usable, errors) = crate::profiles::mailboxes::resolve(&profile, &config.secrets, &[]);
        return Ok(match usable.into_iter().find(|m| m.name == name) {
            Some(settings) => Ok((settings, None)),
            None => Err(errors
                .first()
                .map(ToString::to_string)
                .unwrap_or_else(|| "the profile's settings cannot be used".to_owned())),
        });
    }
    let Some(stored) = tenant.site_mailbox(name).await.map_err(internal)? else {
        return Err(ApiError::NotFound(format!("no mailbox {name:?}")));
    };
    let keyring = state.intake.keyring();
    Ok(
        match site_mailboxes::resolve(config, keyring, tenant, &stored).await {
            Ok(settings) => Ok((
                settings,
                Some(site_mailboxes::rotation_hook(keyring, tenant, name)),
            )),
            Err(e) => Err(format!("{e:#}")),
        },
    )
}

/// Connects to the mailbox as `serve` does, authenticates, lists the folders and checks
/// the folder read; the answer names each step's outcome. A failed test is a 200 with
/// `ok: false`. Administrators only.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/test", tag = "mailboxes",
    params(("id" = String, Path, description = "The mailbox's name")),
    responses((status = 200, body = MailboxTestBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<Json<MailboxTestBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let (settings, hook) = match find(&state, &tenant, &name).await? {
        Ok(found) => found,
        Err(reason) => {
            return Ok(Json(MailboxTestBody {
                name,
                ok: false,
                steps: steps(None, None, Some(&reason), false),
                failed_step: None,
                error: Some(reason),
                folders: Vec::new(),
                waiting: None,
                idle: None,
            }));
        }
    };
    let plain = settings.security == Security::Plain;
    Ok(Json(match test_mailbox_with(&settings, hook).await {
        Ok(report) => MailboxTestBody {
            name,
            ok: true,
            steps: steps(None, None, None, plain),
            failed_step: None,
            error: None,
            folders: report.folders,
            waiting: Some(report.waiting),
            idle: Some(report.idle),
        },
        Err(e) => {
            let failed = ProbeStep::of(&e);
            let text = e.to_string();
            MailboxTestBody {
                name,
                ok: false,
                steps: steps(failed, Some(&text), Some(&text), plain),
                failed_step: failed.map(|s| step_name(s).to_owned()),
                error: Some(text),
                folders: Vec::new(),
                waiting: None,
                idle: None,
            }
        }
    }))
}

fn step_name(step: ProbeStep) -> &'static str {
    match step {
        ProbeStep::Dns => "dns",
        ProbeStep::Tcp => "tcp",
        ProbeStep::Tls => "tls",
        ProbeStep::Authentication => "authentication",
        ProbeStep::Folder => "folder",
    }
}

/// Every step's outcome: those before `failed` passed, `failed` failed with `detail`,
/// those after were not reached. `refused` (settings refused before the first step): none
/// was reached.
fn steps(
    failed: Option<ProbeStep>,
    detail: Option<&str>,
    refused: Option<&str>,
    plain: bool,
) -> Vec<StepBody> {
    let mut reached = refused.is_none() || failed.is_some();
    ProbeStep::ALL
        .iter()
        .map(|&step| {
            let status = if !reached {
                "not_reached"
            } else if Some(step) == failed {
                reached = false;
                "failed"
            } else if step == ProbeStep::Tls && plain {
                "skipped"
            } else {
                "ok"
            };
            StepBody {
                step: step_name(step).to_owned(),
                label: step.label().to_owned(),
                status: status.to_owned(),
                detail: (status == "failed").then(|| detail.unwrap_or_default().to_owned()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_before_the_failed_one_pass_and_those_after_are_not_reached() {
        let shown = steps(
            Some(ProbeStep::Authentication),
            Some("refused"),
            Some("refused"),
            true,
        );
        let statuses: Vec<&str> = shown.iter().map(|s| s.status.as_str()).collect();
        assert_eq!(statuses, ["ok", "ok", "skipped", "failed", "not_reached"]);
        assert_eq!(shown[3].detail.as_deref(), Some("refused"));
        let refused = steps(None, None, Some("no credential"), false);
        assert!(refused.iter().all(|s| s.status == "not_reached"));
        let passed = steps(None, None, None, false);
        assert!(passed.iter().all(|s| s.status == "ok"));
    }
}
