//! `GET`/`PUT /api/v1/settings/outbound`: how the site's mail leaves — the transport in
//! force with each value and where it comes from (`postroom.toml`, `serve --sandbox`, the
//! site itself, or the default), the site's own bounce address and DKIM key (the twins of
//! `postroom tenant set --bounce-address/--dkim-key`), and, where the operator configured
//! no `[outbound]`, the site's own SMTP relay. Its password is sealed with the site's key
//! and never returned. Administrators only.

use axum::Json;
use axum::extract::State;
use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::RelaySecurity;
use postroom_store::{SiteSecret, TenantStore};
use serde::{Deserialize, Deserializer, Serialize};

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;
use crate::outbound::InstanceTransport;

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `postroom.toml` (or its `POSTROOM_…` variable): read-only here.
    PostroomToml,
    /// Made by `serve --sandbox`.
    Sandbox,
    /// Set for this site, in the console or with `postroom tenant`.
    Site,
    /// Nothing set: postroom's default.
    Default,
}

/// One setting in force. A secret's value is never shown: only whether it is set.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettingBody {
    /// What it is, in words.
    pub label: String,
    /// The value; null for a secret or a value not set.
    pub value: Option<String>,
    /// True for a secret (`set` says whether there is one).
    pub secret: bool,
    pub set: bool,
    pub source: Source,
    /// The key in `postroom.toml` when it comes from there, e.g. `[outbound] host`.
    pub key: Option<String>,
}

/// The site's own relay as stored; its password only as set or not.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelayBody {
    pub host: String,
    pub port: u16,
    /// `tls`, `starttls` or `plain` (loopback only).
    pub security: String,
    pub username: Option<String>,
    pub password_set: bool,
}

/// How the site's mail leaves.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutboundBody {
    /// `smtp`, `file`, or `none` (mail is not sent).
    pub transport: String,
    /// Where the transport in force comes from.
    pub transport_source: Source,
    /// Every setting in force, in order, with where it comes from.
    pub settings: Vec<SettingBody>,
    /// Whether the site may set its own relay here; when not, `relay_locked_by` says what
    /// decides instead (`[outbound] in postroom.toml` or `serve --sandbox`).
    pub relay_editable: bool,
    pub relay_locked_by: Option<String>,
    /// The site's own relay, when it set one.
    pub relay: Option<RelayBody>,
    /// The site's own bounce address; null: the transport's.
    pub bounce_address: Option<String>,
    /// The name of the site's DKIM key; null: the instance's.
    pub dkim_key: Option<String>,
    /// The DKIM keys the site may choose from (`[outbound.dkim_keys.NAME]`).
    pub dkim_keys: Vec<String>,
    /// What the administrator should know about the last change (a bounce address that
    /// is not among the site's own addresses).
    pub warnings: Vec<String>,
}

/// A change: a field left out stays as it is.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundUpdate {
    /// The site's bounce address (the base of its return paths); `""`: the transport's.
    pub bounce_address: Option<String>,
    /// The name of one of `dkim_keys`; `""`: the instance's key.
    pub dkim_key: Option<String>,
    /// The site's own relay; `null` removes it. Refused (409) where `postroom.toml` sets
    /// `[outbound]` or under `serve --sandbox`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<RelayUpdate>)]
    pub relay: Option<Option<RelayUpdate>>,
}

/// The site's own relay, as entered.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayUpdate {
    pub host: String,
    /// The usual port of `security` when left out.
    pub port: Option<u16>,
    /// `tls`, `starttls` or `plain` (to a loopback host only).
    pub security: String,
    pub username: Option<String>,
    /// Left out: the stored password stays; `""`: none.
    pub password: Option<String>,
}

/// A field that is present, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// How the site's mail leaves, each value with its source. Administrators only.
#[utoipa::path(get, path = "/api/v1/settings/outbound", tag = "settings",
    responses((status = 200, body = OutboundBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<OutboundBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    Ok(Json(body(&state, &tenant, Vec::new()).await?))
}

/// Changes the site's bounce address, DKIM key or own relay. A relay where `postroom.toml`
/// sets `[outbound]` (or under `serve --sandbox`) is refused with 409 naming what decides;
/// a value that cannot work is refused with 422 naming the field, and nothing changes.
/// The relay's password is sealed with the site's key and never returned. Administrators
/// only.
#[utoipa::path(put, path = "/api/v1/settings/outbound", tag = "settings",
    request_body = OutboundUpdate,
    responses((status = 200, body = OutboundBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<OutboundBody>, ApiError> {
    caller.require_admin()?;
    let update: OutboundUpdate =
        serde_json::from_slice(&bytes).map_err(|e| invalid("body", e.to_string()))?;
    let tenant = state.tenant_of(&caller).await?;
    let record = tenant.record().await.map_err(internal)?;
    let locked = locked_by(&state.outbound.transport);
    if update.relay.is_some()
        && let Some(locked) = locked
    {
        return Err(ApiError::Conflict(format!(
            "the outbound transport comes from {locked}: the site's own relay cannot be set here"
        )));
    }
    let given = |value: Option<String>, current: Option<String>| match value {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.trim().to_owned()),
        None => current,
    };
    let bounce = given(update.bounce_address, record.bounce_address);
    let dkim_key = given(update.dkim_key, record.dkim_key);
    let mut warnings = Vec::new();
    if let Some(bounce) = &bounce {
        let address = check_bounce(bounce)?;
        if !owns(&tenant, &address).await? {
            warnings.push(format!(
                "{bounce} is not among the site's own addresses: add it (or its domain) to \
                 the profile's own addresses, or its bounces will not reach this site"
            ));
        }
    }
    if let Some(key) = &dkim_key
        && !state.outbound.dkim_key_names().contains(key)
    {
        return Err(invalid(
            "dkim_key",
            format!(
                "{key:?} is not among the DKIM keys of postroom.toml ([outbound.dkim_keys.NAME])"
            ),
        ));
    }
    let removes_relay = matches!(update.relay, Some(None));
    let relay = match update.relay {
        Some(Some(relay)) => Some(super::site_relay::check(&tenant, relay).await?),
        _ => None,
    };
    let relay_after = match &relay {
        Some((stored, _)) => Some(stored),
        None if removes_relay => None,
        None => record.relay.as_ref(),
    };
    if relay_after.is_some() && locked.is_none() && bounce.is_none() {
        return Err(invalid(
            "bounce_address",
            "a site's own relay needs the site's own bounce address: the base of the return \
             paths its bounces come back to",
        ));
    }
    let now = now_ms();
    tenant
        .set_identity(bounce.as_deref(), dkim_key.as_deref(), now)
        .await
        .map_err(internal)?;
    let has_relay = relay_after.is_some();
    super::site_relay::save(&state, &tenant, relay, removes_relay, now).await?;
    tracing::info!(tenant = %tenant.id(), relay = has_relay, "the site's outbound settings changed");
    Ok(Json(body(&state, &tenant, warnings).await?))
}

/// What decides the transport instead of the site, if anything does.
fn locked_by(transport: &InstanceTransport) -> Option<&'static str> {
    match transport {
        InstanceTransport::Configured(_) => Some("[outbound] in postroom.toml"),
        InstanceTransport::Sandbox(_) => Some("serve --sandbox (files in DATA_DIR/outbox)"),
        InstanceTransport::None => None,
    }
}

fn check_bounce(bounce: &str) -> Result<EmailAddress, ApiError> {
    let address = EmailAddress::parse(bounce)
        .map_err(|e| invalid("bounce_address", format!("{bounce:?}: {e}")))?;
    if address.local_part().contains('+') {
        return Err(invalid(
            "bounce_address",
            format!("{bounce:?} must not contain '+' (it is the VERP delimiter)"),
        ));
    }
    Ok(address)
}

async fn owns(tenant: &TenantStore, address: &EmailAddress) -> Result<bool, ApiError> {
    Ok(match tenant.profile().await.map_err(internal)? {
        Some(stored) => crate::profiles::read(&stored.document, "stored")
            .is_ok_and(|profile| profile.is_own(address)),
        None => false,
    })
}

/// The answer: the transport in force, each value with its source.
async fn body(
    state: &AppState,
    tenant: &TenantStore,
    warnings: Vec<String>,
) -> Result<OutboundBody, ApiError> {
    let record = tenant.record().await.map_err(internal)?;
    let password_set = tenant
        .has_secret(SiteSecret::SmtpPassword)
        .await
        .map_err(internal)?;
    let transport = &state.outbound.transport;
    let relay = record.relay.as_ref().map(|r| {
        let security = RelaySecurity::parse(&r.security).unwrap_or(RelaySecurity::StartTls);
        RelayBody {
            host: r.host.clone(),
            port: r.port.unwrap_or_else(|| security.default_port()),
            security: security.as_str().to_owned(),
            username: r.username.clone(),
            password_set,
        }
    });
    let (kind, transport_source, mut settings) =
        super::settings_sources::transport(transport, relay.as_ref());
    settings.extend(super::settings_sources::identity(
        transport,
        record.bounce_address.as_deref(),
        record.dkim_key.as_deref(),
    ));
    let locked = locked_by(transport);
    Ok(OutboundBody {
        transport: kind.to_owned(),
        transport_source,
        settings,
        relay_editable: locked.is_none(),
        relay_locked_by: locked.map(str::to_owned),
        relay,
        bounce_address: record.bounce_address,
        dkim_key: record.dkim_key,
        dkim_keys: state.outbound.dkim_key_names(),
        warnings,
    })
}

pub(super) fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        errors: vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }],
    }
}

pub(super) fn internal(e: postroom_store::StoreError) -> ApiError {
    ApiError::Internal(e.into())
}

#[cfg(test)]
mod tests {
    use postroom_mail::send::OutboundSettings;

    use super::*;

    #[test]
    fn a_relay_left_out_differs_from_a_relay_removed() {
        let left_out: OutboundUpdate = serde_json::from_str("{}").unwrap();
        assert!(left_out.relay.is_none());
        let removed: OutboundUpdate = serde_json::from_str(r#"{"relay": null}"#).unwrap();
        assert!(matches!(removed.relay, Some(None)));
    }

    #[test]
    fn the_configuration_and_the_sandbox_lock_the_relay() {
        assert!(locked_by(&InstanceTransport::None).is_none());
        let toml = InstanceTransport::Configured(OutboundSettings::sandbox());
        assert_eq!(locked_by(&toml), Some("[outbound] in postroom.toml"));
    }
}
