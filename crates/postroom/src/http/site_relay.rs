//! The site's own SMTP relay as Settings → Outbound mail takes it: checked as a sender would
//! check it, stored with its password sealed by the site's key (never returned), or removed
//! with its password.

use postroom_core::ports::mail_sender::RelaySecurity;
use postroom_mail::send::{Security, SmtpSender, SmtpSettings};
use postroom_store::{SiteRelay, SiteSecret, TenantStore};

use super::settings_outbound::{RelayUpdate, internal, invalid};
use super::{ApiError, AppState};

/// What becomes of the stored password.
pub(super) enum PasswordChange {
    Keep,
    Remove,
    Set(String),
}

/// The relay as it will be stored, checked as a sender would check it (plain text only to
/// a loopback host, a user name with a password).
pub(super) async fn check(
    tenant: &TenantStore,
    relay: RelayUpdate,
) -> Result<(SiteRelay, PasswordChange), ApiError> {
    let host = relay.host.trim().to_owned();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(invalid(
            "relay.host",
            "give the relay's host name or IP address",
        ));
    }
    let security = RelaySecurity::parse(relay.security.trim())
        .ok_or_else(|| invalid("relay.security", "tls, starttls or plain"))?;
    let username = relay
        .username
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    let password = match (&username, relay.password) {
        (None, _) => PasswordChange::Remove,
        (Some(_), Some(p)) if p.is_empty() => PasswordChange::Remove,
        (Some(_), Some(p)) => PasswordChange::Set(p),
        (Some(_), None) => PasswordChange::Keep,
    };
    let has_password = match &password {
        PasswordChange::Keep => tenant
            .has_secret(SiteSecret::SmtpPassword)
            .await
            .map_err(internal)?,
        PasswordChange::Remove => false,
        PasswordChange::Set(_) => true,
    };
    if username.is_some() && !has_password {
        return Err(invalid(
            "relay.password",
            "a user name needs its password (none is stored)",
        ));
    }
    let mut settings = SmtpSettings::new(
        host.clone(),
        relay.port.unwrap_or_else(|| security.default_port()),
        match security {
            RelaySecurity::Tls => Security::Tls,
            RelaySecurity::StartTls => Security::StartTls,
            RelaySecurity::Plain => Security::Plain,
        },
    );
    settings.username = username.clone();
    settings.password = has_password.then(|| postroom_core::secret::Secret::new("checked"));
    SmtpSender::new(&settings).map_err(|e| invalid("relay", e.to_string()))?;
    Ok((
        SiteRelay {
            host,
            port: relay.port,
            security: security.as_str().to_owned(),
            username,
        },
        password,
    ))
}

/// Stores `relay` (checked by [`check`]) with its password change, or removes the relay and
/// its password when `remove`.
pub(super) async fn save(
    state: &AppState,
    tenant: &TenantStore,
    relay: Option<(SiteRelay, PasswordChange)>,
    remove: bool,
    now: i64,
) -> Result<(), ApiError> {
    if remove {
        tenant.set_relay(None, now).await.map_err(internal)?;
        tenant
            .delete_secret(SiteSecret::SmtpPassword)
            .await
            .map_err(internal)?;
    }
    let Some((stored, password)) = relay else {
        return Ok(());
    };
    tenant
        .set_relay(Some(&stored), now)
        .await
        .map_err(internal)?;
    match password {
        PasswordChange::Keep => {}
        PasswordChange::Remove => tenant
            .delete_secret(SiteSecret::SmtpPassword)
            .await
            .map_err(internal)?,
        PasswordChange::Set(password) => {
            let cipher = state
                .intake
                .keyring()
                .cipher(tenant)
                .await
                .map_err(|e| ApiError::Internal(e.into()))?;
            tenant
                .put_secret(&cipher, SiteSecret::SmtpPassword, &password, now)
                .await
                .map_err(|e| ApiError::Internal(e.into()))?;
        }
    }
    Ok(())
}
