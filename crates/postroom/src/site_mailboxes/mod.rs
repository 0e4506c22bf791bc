//! The IMAP mailboxes a site's administrator adds in the console, beside `[[mailboxes]]` of
//! `postroom.toml` and the profile's `mailboxes`. Stored as [`MailboxSettings`] without the
//! credential, which is sealed apart (a password, or the refresh token of a Google or
//! Microsoft 365 consent, whose OAuth app is the instance's `console.oauth_google` /
//! `console.oauth_microsoft`). `serve` follows them while it runs ([`poll`]).

pub mod poll;
mod provider;

use std::sync::Arc;

use postroom_core::profile::Profile;
use postroom_core::tenant::TenantId;
use postroom_mail::imap::{MailboxSettings, RotationHook, Secret};
use postroom_store::TenantStore;
use postroom_store::crypto::Keyring;
use postroom_store::site_mailboxes::SiteMailbox;
use serde_json::Value;

pub use provider::{Provider, ProviderApp};

use crate::config::Config;

/// Where a mailbox comes from; the first one wins a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `[[mailboxes]]` of `postroom.toml` (the site `default` only).
    PostroomToml,
    /// The profile's `mailboxes`.
    Profile,
    /// Added in the console.
    Site,
}

/// The names `postroom.toml` and the profile already use for `tenant`, with where each
/// is: a console mailbox cannot take one of them.
pub async fn taken_names(
    config: &Config,
    tenant: &TenantStore,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut taken = Vec::new();
    if *tenant.id() == TenantId::default_tenant() {
        for m in &config.mailboxes {
            taken.push((
                m.name.clone(),
                format!("[[mailboxes]] name = {:?} in postroom.toml", m.name),
            ));
        }
    }
    for (i, m) in profile_mailboxes(tenant).await?.iter().enumerate() {
        if let Some(name) = postroom_core::profile::mailboxes::name_of(m) {
            taken.push((name.to_owned(), format!("mailboxes[{i}] of the profile")));
        }
    }
    Ok(taken)
}

/// The stored profile's `mailboxes` (none without a profile).
pub async fn profile_mailboxes(
    tenant: &TenantStore,
) -> anyhow::Result<Vec<postroom_core::profile::ProfileMailbox>> {
    let Some(stored) = tenant.profile().await? else {
        return Ok(Vec::new());
    };
    let profile = Profile::load(&stored.document)
        .map_err(|e| anyhow::anyhow!("the stored profile cannot be read: {e}"))?;
    Ok(profile.profile.mailboxes.clone())
}

/// The settings as stored: everything but the credential.
pub fn stored_form(settings: &MailboxSettings) -> anyhow::Result<String> {
    let mut value = serde_json::to_value(settings)?;
    if let Some(auth) = value.get_mut("auth").and_then(Value::as_object_mut) {
        for secret in [
            "password",
            "client_secret",
            "refresh_token",
            "token_url",
            "client_id",
        ] {
            auth.remove(secret);
        }
    }
    Ok(serde_json::to_string(&value)?)
}

/// The stored settings without credentials, as JSON.
pub fn shown_form(stored: &SiteMailbox) -> anyhow::Result<Value> {
    Ok(serde_json::from_str(&stored.settings)?)
}

/// The stored mailbox made ready to poll: its credential opened, a connected mailbox's
/// OAuth app filled in from the configuration. The error says what keeps it from polling.
pub async fn resolve(
    config: &Config,
    keyring: &Keyring,
    tenant: &TenantStore,
    stored: &SiteMailbox,
) -> anyhow::Result<MailboxSettings> {
    let mut value = shown_form(stored)?;
    let cipher = keyring.cipher(tenant).await?;
    let secret = tenant
        .site_mailbox_secret(&cipher, &stored.name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no credential is stored"))?;
    let auth = value
        .get_mut("auth")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow::anyhow!("the stored settings have no auth"))?;
    match stored.provider.as_deref().map(Provider::parse) {
        None => {
            auth.insert("password".into(), Value::String(secret));
        }
        Some(None) => anyhow::bail!("unknown provider {:?}", stored.provider),
        Some(Some(provider)) => {
            let app = ProviderApp::of(config, provider).ok_or_else(|| {
                anyhow::anyhow!(
                    "console.{} is not set up in postroom.toml: the mailbox cannot get tokens",
                    provider.table()
                )
            })?;
            auth.insert("method".into(), "xoauth2".into());
            auth.insert("token_url".into(), app.token_url.clone().into());
            auth.insert("client_id".into(), app.client_id.clone().into());
            auth.insert("client_secret".into(), app.client_secret.expose().into());
            auth.insert("refresh_token".into(), Value::String(secret));
        }
    }
    Ok(serde_json::from_value(value)?)
}

/// Keeps a refresh token the provider rotated in place of the stored one.
pub fn rotation_hook(keyring: &Keyring, tenant: &TenantStore, name: &str) -> RotationHook {
    let keyring = keyring.clone();
    let tenant = tenant.clone();
    let name = name.to_owned();
    Arc::new(move |token: Secret| {
        let keyring = keyring.clone();
        let tenant = tenant.clone();
        let name = name.clone();
        tokio::spawn(async move {
            let kept = match keyring.cipher(&tenant).await {
                Ok(cipher) => tenant
                    .rotate_site_mailbox_secret(
                        &cipher,
                        &name,
                        token.expose(),
                        crate::app::now_ms(),
                    )
                    .await
                    .map_err(anyhow::Error::from),
                Err(e) => Err(e.into()),
            };
            match kept {
                Ok(_) => {
                    tracing::info!(tenant = %tenant.id(), mailbox = %name, "the provider rotated the mailbox's refresh token: the new one is kept")
                }
                Err(e) => {
                    tracing::warn!(tenant = %tenant.id(), mailbox = %name, error = %format!("{e:#}"), "cannot keep the mailbox's rotated refresh token")
                }
            }
        });
    })
}
