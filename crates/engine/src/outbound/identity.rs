//! A site's own sending identity, as every send of its mail uses it: its bounce address and
//! DKIM key (`postroom tenant set --bounce-address/--dkim-key`, or Settings in the console)
//! and its own SMTP relay with the password opened from the store.

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{RelaySecurity, SiteIdentity, SiteRelay};
use postroom_core::secret::Secret;
use postroom_store::crypto::TenantCipher;
use postroom_store::{SecretError, SiteSecret, StoreError, TenantStore};

/// Why a site's identity cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// What the site stored does not read as settings (a person must fix them).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the site's relay password cannot be opened: {0}")]
    Secret(#[from] SecretError),
}

/// The tenant's identity as stored, its relay's password opened with `cipher`.
pub async fn site_identity(
    tenant: &TenantStore,
    cipher: &TenantCipher,
) -> Result<SiteIdentity, IdentityError> {
    let record = tenant.record().await?;
    let bounce = record
        .bounce_address
        .as_deref()
        .map(|a| {
            EmailAddress::parse(a)
                .map_err(|e| IdentityError::Invalid(format!("the site's bounce address: {e}")))
        })
        .transpose()?;
    let relay = match record.relay {
        None => None,
        Some(stored) => {
            let security = RelaySecurity::parse(&stored.security).ok_or_else(|| {
                IdentityError::Invalid(format!(
                    "the site's relay security {:?} is not tls, starttls or plain",
                    stored.security
                ))
            })?;
            let password = tenant
                .secret(cipher, SiteSecret::SmtpPassword)
                .await?
                .map(Secret::new);
            Some(SiteRelay {
                host: stored.host,
                port: stored.port.unwrap_or_else(|| security.default_port()),
                security,
                username: stored.username,
                password,
            })
        }
    };
    Ok(SiteIdentity {
        bounce,
        dkim_key: record.dkim_key,
        relay,
    })
}
