//! `/api/v1/mailboxes`: every IMAP mailbox `serve` polls for the site — `[[mailboxes]]` of
//! `postroom.toml` and the profile's, read-only with where they come from, and those the
//! administrator added here, which can be edited and removed. Credentials are write-only:
//! sealed with the site's key, never returned. Administrators only.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postroom_core::tenant::TenantId;
use postroom_mail::imap::{AfterIntake, Auth, MailboxSettings, Security};
use postroom_store::TenantStore;
use postroom_store::mailboxes::{MailboxActivity, Mailboxes};
use postroom_store::site_mailboxes::MailboxWrite;
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::mailbox_input::{self, MailboxInput};
use super::{ApiError, AppState};
use crate::app::now_ms;
use crate::site_mailboxes::{self, Provider, ProviderApp};

/// One mailbox, without its credential.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MailboxEntry {
    pub name: String,
    /// `postroom_toml`, `profile` or `site` (added in the console).
    pub source: String,
    /// Where it is configured when not here, e.g. `[[mailboxes]] name = "support" in
    /// postroom.toml`.
    pub key: Option<String>,
    /// Whether it can be edited and removed here (only the site's own).
    pub editable: bool,
    pub server: String,
    pub port: u16,
    /// `tls`, `starttls` or `plain`.
    pub security: String,
    pub user: Option<String>,
    /// `login` (a password) or `xoauth2`.
    pub auth: String,
    /// `google` or `microsoft` for a mailbox connected through the provider's consent.
    pub provider: Option<String>,
    pub folder: String,
    /// `flag`, `move` or `delete`.
    pub after: String,
    pub move_folder: Option<String>,
    pub poll_interval_secs: u64,
    pub store_raw: bool,
    pub ca_file: Option<String>,
    /// Whether a credential is set (its value is never shown).
    pub credential_set: bool,
    /// Why `serve` does not poll it, when it does not (another source has its name, a
    /// secret or provider is missing).
    pub problem: Option<String>,
    /// The last poll that moved its cursor or renewed its lease (as the overview).
    pub last_poll_ms: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_ms: Option<i64>,
    pub waiting: Option<u32>,
    pub updated_at_ms: Option<i64>,
    pub updated_by: Option<String>,
}

/// A provider a mailbox can be connected with.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProviderBody {
    /// `google` or `microsoft`.
    pub name: String,
    /// Whether `console.oauth_google` / `console.oauth_microsoft` is set up.
    pub configured: bool,
    /// Its IMAP server, the form's default.
    pub imap_server: String,
}

/// The site's mailboxes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MailboxesBody {
    pub mailboxes: Vec<MailboxEntry>,
    pub providers: Vec<ProviderBody>,
    /// The redirect URI to register with the providers' apps.
    pub redirect_uri: String,
}

pub(super) fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

fn entry(
    settings: &MailboxSettings,
    source: &str,
    key: Option<String>,
    activity: Option<&MailboxActivity>,
) -> MailboxEntry {
    let (user, auth) = match &settings.auth {
        Auth::Login { user, .. } => (user.clone(), "login"),
        Auth::Xoauth2 { user, .. } => (user.clone(), "xoauth2"),
    };
    let (after, move_folder) = match &settings.after {
        AfterIntake::Flag => ("flag", None),
        AfterIntake::Delete => ("delete", None),
        AfterIntake::Move { folder } => ("move", Some(folder.clone())),
    };
    MailboxEntry {
        name: settings.name.clone(),
        source: source.to_owned(),
        key,
        editable: false,
        server: settings.server.clone(),
        port: settings.port(),
        security: settings.security.as_str().to_owned(),
        user: Some(user),
        auth: auth.to_owned(),
        provider: None,
        folder: settings.folder.clone(),
        after: after.to_owned(),
        move_folder,
        poll_interval_secs: settings.poll_interval_secs,
        store_raw: settings.store_raw,
        ca_file: settings.ca_file.as_ref().map(|p| p.display().to_string()),
        credential_set: true,
        problem: None,
        last_poll_ms: activity.map(|a| a.last_poll_ms),
        last_error: activity.and_then(|a| a.problem.clone()),
        last_error_ms: activity.and_then(|a| a.problem_at_ms),
        waiting: activity.and_then(|a| a.waiting),
        updated_at_ms: None,
        updated_by: None,
    }
}

/// Every mailbox of the site, in the order that decides a name: `postroom.toml`, the
/// profile, the console.
pub(super) async fn entries(
    state: &AppState,
    tenant: &TenantStore,
) -> Result<Vec<MailboxEntry>, ApiError> {
    let config = &state.profile.config;
    let activity: HashMap<String, MailboxActivity> = Mailboxes::new(tenant.clone())
        .activity()
        .await
        .map_err(internal)?
        .into_iter()
        .map(|a| (a.name.clone(), a))
        .collect();
    let mut out: Vec<MailboxEntry> = Vec::new();
    if *tenant.id() == TenantId::default_tenant() {
        for m in &config.mailboxes {
            let key = format!("[[mailboxes]] name = {:?} in postroom.toml", m.name);
            out.push(entry(m, "postroom_toml", Some(key), activity.get(&m.name)));
        }
    }
    let profile = site_mailboxes::profile_mailboxes(tenant)
        .await
        .map_err(internal)?;
    let shadowed: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
    let (usable, errors) =
        crate::profiles::mailboxes::resolve(&profile, &config.secrets, &shadowed);
    for (i, m) in profile.iter().enumerate() {
        let Some(name) = postroom_core::profile::mailboxes::name_of(m) else {
            continue;
        };
        let key = Some(format!("mailboxes[{i}] of the profile"));
        let prefix = format!("mailboxes[{i}]");
        let mut row = match usable.iter().find(|u| u.name == name) {
            Some(settings) => entry(settings, "profile", key, activity.get(name)),
            None => {
                let mut row = placeholder(name, "profile", key);
                row.problem = errors
                    .iter()
                    .find(|e| e.path == prefix || e.path.starts_with(&format!("{prefix}.")))
                    .map(ToString::to_string);
                row
            }
        };
        if let Some(first) = out.iter().find(|e| e.name == name) {
            row.problem = Some(format!(
                "not polled: {} has the same name and wins",
                first.key.clone().unwrap_or_default()
            ));
        }
        out.push(row);
    }
    for stored in tenant.site_mailboxes().await.map_err(internal)? {
        let shown = site_mailboxes::shown_form(&stored).map_err(internal)?;
        let mut row = match shown_settings(&shown) {
            Some(settings) => entry(&settings, "site", None, activity.get(&stored.name)),
            None => placeholder(&stored.name, "site", None),
        };
        row.editable = true;
        row.provider = stored.provider.clone();
        row.credential_set = stored.has_secret;
        row.updated_at_ms = Some(stored.updated_at_ms);
        row.updated_by = stored.updated_by.clone();
        if let Some(first) = out.iter().find(|e| e.name == stored.name) {
            row.problem = Some(format!(
                "not polled: {} has the same name and wins",
                first.key.clone().unwrap_or_default()
            ));
        } else if let Some(provider) = stored.provider.as_deref().and_then(Provider::parse)
            && ProviderApp::of(config, provider).is_none()
        {
            row.problem = Some(format!(
                "not polled: console.{} is not set up in postroom.toml",
                provider.table()
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// The stored settings read back with a placeholder credential, for showing them.
fn shown_settings(shown: &serde_json::Value) -> Option<MailboxSettings> {
    let mut value = shown.clone();
    let auth = value.get_mut("auth")?.as_object_mut()?;
    match auth.get("method").and_then(|m| m.as_str()) {
        Some("xoauth2") => {
            for key in ["token_url", "client_id", "client_secret", "refresh_token"] {
                auth.insert(key.into(), "".into());
            }
        }
        _ => {
            auth.insert("password".into(), "".into());
        }
    }
    serde_json::from_value(value).ok()
}

fn placeholder(name: &str, source: &str, key: Option<String>) -> MailboxEntry {
    let settings = MailboxSettings {
        name: name.to_owned(),
        server: String::new(),
        port: None,
        security: Security::Tls,
        auth: mailbox_input::login(""),
        folder: "INBOX".to_owned(),
        after: AfterIntake::Flag,
        failure_folder: String::new(),
        poll_interval_secs: 60,
        max_message_size: 0,
        ca_file: None,
        store_raw: true,
    };
    let mut row = entry(&settings, source, key, None);
    row.user = None;
    row.credential_set = false;
    row
}

pub(super) async fn body(
    state: &AppState,
    tenant: &TenantStore,
) -> Result<MailboxesBody, ApiError> {
    let config = &state.profile.config;
    Ok(MailboxesBody {
        mailboxes: entries(state, tenant).await?,
        providers: Provider::ALL
            .iter()
            .map(|p| ProviderBody {
                name: p.as_str().to_owned(),
                configured: ProviderApp::of(config, *p).is_some(),
                imap_server: p.imap_server().to_owned(),
            })
            .collect(),
        redirect_uri: super::mailbox_connect::redirect_uri(state),
    })
}

/// Every mailbox `serve` polls for the site, each with where it comes from and its last
/// poll; credentials only as set or not. Administrators only.
#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "mailboxes",
    responses((status = 200, body = MailboxesBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<MailboxesBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    Ok(Json(body(&state, &tenant).await?))
}

/// Where `postroom.toml` or the profile uses `name`, if either does.
async fn taken_by(
    state: &AppState,
    tenant: &TenantStore,
    name: &str,
) -> Result<Option<String>, ApiError> {
    let taken = site_mailboxes::taken_names(&state.profile.config, tenant)
        .await
        .map_err(internal)?;
    Ok(taken
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, place)| place))
}

/// Refuses a name `postroom.toml` or the profile uses (409 naming where).
pub(super) async fn check_free(
    state: &AppState,
    tenant: &TenantStore,
    name: &str,
) -> Result<(), ApiError> {
    match taken_by(state, tenant, name).await? {
        Some(place) => Err(ApiError::Conflict(format!(
            "the name {name:?} is used by {place}, which wins: choose another name"
        ))),
        None => Ok(()),
    }
}

fn parse_input(bytes: &[u8]) -> Result<MailboxInput, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::Unprocessable {
        errors: vec![super::FieldError {
            field: "body".to_owned(),
            message: e.to_string(),
        }],
    })
}

/// Stores `settings` with `secret` (None keeps the stored one) and answers its entry.
async fn save(
    state: &AppState,
    caller: &ApiCaller,
    tenant: &TenantStore,
    settings: &MailboxSettings,
    provider: Option<&str>,
    secret: Option<&str>,
) -> Result<MailboxEntry, ApiError> {
    let cipher = state
        .intake
        .keyring()
        .cipher(tenant)
        .await
        .map_err(internal)?;
    let form = site_mailboxes::stored_form(settings).map_err(internal)?;
    tenant
        .put_site_mailbox(
            &cipher,
            MailboxWrite {
                name: &settings.name,
                settings: &form,
                provider,
                secret,
                by: Some(&caller.account_id),
            },
            now_ms(),
        )
        .await
        .map_err(internal)?;
    entries(state, tenant)
        .await?
        .into_iter()
        .rev()
        .find(|e| e.name == settings.name && e.editable)
        .ok_or_else(|| internal(anyhow::anyhow!("the saved mailbox is not listed")))
}

/// Adds a mailbox that logs in with a password (Google and Microsoft 365 mailboxes are
/// connected with `POST /api/v1/mailboxes/connect`). `serve` polls it within seconds. A
/// name `postroom.toml` or the profile uses is refused (409), so is one already added;
/// settings that cannot work are refused at their field (422). Administrators only.
#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "mailboxes",
    request_body = MailboxInput,
    responses((status = 201, body = MailboxEntry),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<(StatusCode, Json<MailboxEntry>), ApiError> {
    caller.require_admin()?;
    let input = parse_input(&bytes)?;
    let name = input.name.clone().unwrap_or_default().trim().to_owned();
    let settings = mailbox_input::settings(
        &caller.tenant,
        &name,
        &input,
        mailbox_input::login(&input.user),
    )?;
    let password = input
        .password
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::Unprocessable {
            errors: vec![super::FieldError {
                field: "password".to_owned(),
                message: "give the mailbox's password".to_owned(),
            }],
        })?;
    let tenant = state.tenant_of(&caller).await?;
    check_free(&state, &tenant, &name).await?;
    if tenant
        .site_mailbox(&name)
        .await
        .map_err(internal)?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "a mailbox {name:?} was already added here: edit it instead"
        )));
    }
    let entry = save(&state, &caller, &tenant, &settings, None, Some(password)).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Changes a mailbox added here. A password left out stays as stored; a connected
/// mailbox keeps its consent (connect it again to change the account). One from
/// `postroom.toml` or the profile is refused (409 naming where to change it).
/// Administrators only.
#[utoipa::path(put, path = "/api/v1/mailboxes/{id}", tag = "mailboxes",
    params(("id" = String, Path, description = "The mailbox's name")),
    request_body = MailboxInput,
    responses((status = 200, body = MailboxEntry),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    JsonBody(bytes): JsonBody,
) -> Result<Json<MailboxEntry>, ApiError> {
    caller.require_admin()?;
    let input = parse_input(&bytes)?;
    let tenant = state.tenant_of(&caller).await?;
    let stored = own(&state, &tenant, &name).await?;
    let provider = stored.provider.as_deref();
    let auth = match provider {
        None => mailbox_input::login(&input.user),
        Some(_) => super::mailbox_connect::xoauth2_shape(&input.user),
    };
    let settings = mailbox_input::settings(&caller.tenant, &name, &input, auth)?;
    let password = match provider {
        None => input.password.as_deref().filter(|p| !p.is_empty()),
        Some(_) => None,
    };
    Ok(Json(
        save(&state, &caller, &tenant, &settings, provider, password).await?,
    ))
}

/// The stored mailbox `name` of the site; 409 for one of `postroom.toml` or the profile,
/// 404 for none.
pub(super) async fn own(
    state: &AppState,
    tenant: &TenantStore,
    name: &str,
) -> Result<postroom_store::site_mailboxes::SiteMailbox, ApiError> {
    match tenant.site_mailbox(name).await.map_err(internal)? {
        Some(stored) => Ok(stored),
        None => match taken_by(state, tenant, name).await? {
            Some(place) => Err(ApiError::Conflict(format!(
                "the mailbox {name:?} comes from {place}: change it there"
            ))),
            None => Err(ApiError::NotFound(format!("no mailbox {name:?}"))),
        },
    }
}

/// Removes a mailbox added here, with its credential and its read position; `serve`
/// stops polling it within seconds. Administrators only.
#[utoipa::path(delete, path = "/api/v1/mailboxes/{id}", tag = "mailboxes",
    params(("id" = String, Path, description = "The mailbox's name")),
    responses((status = 204, description = "Removed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    own(&state, &tenant, &name).await?;
    tenant.delete_site_mailbox(&name).await.map_err(internal)?;
    Mailboxes::new(tenant.clone())
        .forget(&name)
        .await
        .map_err(internal)?;
    Ok(StatusCode::NO_CONTENT)
}
