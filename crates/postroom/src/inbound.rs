//! Mail coming in: the tenant `default`'s profile, the intake, and the sources wired to it
//! (the SMTP and LMTP listeners and the IMAP pollers here; the upload API in `http::mail`;
//! files in `cli::import`).

use anyhow::Context;
use postroom_core::message::EmailAddress;
use postroom_engine::intake::{Intake, IntakeError, Origin};
use postroom_mail::imap::{MessageSink, TakeError, Taken};
use postroom_mail::smtp::{DeliveryError, DeliveryId, Envelope, Protocol, RecipientVerdict, Sink};
use postroom_store::TenantStore;
use postroom_store::intake::IntakeSource;

use crate::app;
use crate::profiles::SharedProfile;

/// The profile a listener decides recipients by. A listener without one would accept
/// mail for anyone, so it refuses to start instead.
pub fn listener_profile(profile: Option<&SharedProfile>) -> anyhow::Result<SharedProfile> {
    let profile = profile.context(
        "an SMTP or LMTP listener needs [inbound] profile = FILE (or a stored profile: \
         postroom profile import FILE) naming postroom's own addresses or domains, so that \
         it takes mail only for them (never an open relay)",
    )?;
    Ok(profile.clone())
}

/// The intake as an SMTP/LMTP listener's sink for one tenant.
#[derive(Debug, Clone)]
pub struct ListenerSink {
    intake: Intake,
    tenant: TenantStore,
    profile: SharedProfile,
    store_raw: bool,
}

impl ListenerSink {
    pub fn new(intake: Intake, tenant: TenantStore, profile: SharedProfile) -> Self {
        Self {
            intake,
            tenant,
            profile,
            store_raw: true,
        }
    }

    /// `[smtp] store_raw`: whether the raw mail is kept for the audit (the default) or
    /// deleted once processed.
    pub fn store_raw(mut self, store_raw: bool) -> Self {
        self.store_raw = store_raw;
        self
    }

    /// The envelope's recipients that are the site's own addresses, lower-cased: only those
    /// are kept (a catch-all listener may accept others, which are not the site's to keep).
    fn own_recipients(&self, envelope: &Envelope) -> Vec<String> {
        let profile = self.profile.get();
        envelope
            .recipients
            .iter()
            .filter_map(|r| EmailAddress::parse(r).ok())
            .filter(|a| profile.is_own(a))
            .map(|a| a.as_str().to_ascii_lowercase())
            .collect()
    }

    fn origin(&self, protocol: Protocol) -> Origin {
        Origin {
            source: IntakeSource::Listener,
            mailbox: match protocol {
                Protocol::Smtp => "smtp".to_owned(),
                Protocol::Lmtp => "lmtp".to_owned(),
            },
            store_raw: self.store_raw,
            recipients: Vec::new(),
        }
    }
}

impl Sink for ListenerSink {
    async fn accepts(&self, recipient: &str) -> RecipientVerdict {
        let profile = self.profile.get();
        let own = profile.profile.own.accept_any_recipient
            || EmailAddress::parse(recipient).is_ok_and(|a| profile.is_own(&a));
        if own {
            RecipientVerdict::Accept
        } else {
            RecipientVerdict::Unknown
        }
    }

    async fn deliver(
        &self,
        envelope: &Envelope,
        data: Vec<u8>,
    ) -> Result<DeliveryId, DeliveryError> {
        let mut origin = self.origin(envelope.protocol);
        origin.recipients = self.own_recipients(envelope);
        match self
            .intake
            .accept(&self.tenant, &origin, &data, app::now_ms())
            .await
        {
            Ok(receipt) => Ok(DeliveryId::new(&receipt.id)),
            Err(IntakeError::TooBig { size, limit }) => Err(DeliveryError::TooBig { size, limit }),
            Err(IntakeError::Empty) => Err(DeliveryError::Refused {
                reason: "empty message".to_owned(),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "intake failed; the sender will retry");
                Err(DeliveryError::Transient {
                    reason: e.to_string(),
                })
            }
        }
    }

    /// The refusal is already answered `552`; a failure to record it is only logged.
    async fn refused(&self, protocol: Protocol, size: usize, reason: String) {
        let origin = self.origin(protocol);
        let recorded = self
            .intake
            .refuse(&self.tenant, &origin, size, &reason, app::now_ms())
            .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "cannot record a refused message in the audit");
        }
    }
}

/// The intake as the IMAP pollers' sink for one tenant: a message seen again after a
/// restart or a `UIDVALIDITY` change, or already taken in through another mailbox or
/// source, is recognised (deduplication is per tenant).
#[derive(Debug, Clone)]
pub struct MailboxSink {
    intake: Intake,
    tenant: TenantStore,
    store_raw: bool,
}

impl MailboxSink {
    pub fn new(intake: Intake, tenant: TenantStore) -> Self {
        Self {
            intake,
            tenant,
            store_raw: true,
        }
    }

    /// The mailbox's `store_raw`: whether the raw mail is kept for the audit (the default)
    /// or deleted once processed.
    pub fn store_raw(mut self, store_raw: bool) -> Self {
        self.store_raw = store_raw;
        self
    }

    fn origin(&self, mailbox: &str) -> Origin {
        Origin {
            source: IntakeSource::Mailbox,
            mailbox: mailbox.to_owned(),
            store_raw: self.store_raw,
            recipients: Vec::new(),
        }
    }
}

impl MessageSink for MailboxSink {
    async fn take_in(&self, mailbox: &str, raw: Vec<u8>) -> Result<Taken, TakeError> {
        match self
            .intake
            .accept(&self.tenant, &self.origin(mailbox), &raw, app::now_ms())
            .await
        {
            Ok(receipt) => Ok(Taken {
                id: receipt.id,
                duplicate: receipt.duplicate,
            }),
            Err(IntakeError::TooBig { size, limit }) => Err(TakeError::TooBig {
                size: size as u64,
                limit: limit as u64,
            }),
            // An empty message is recorded as refused; the mailbox may let it go.
            Err(IntakeError::Empty) => Ok(Taken {
                id: String::new(),
                duplicate: false,
            }),
            Err(e) => Err(TakeError::Transient {
                reason: e.to_string(),
            }),
        }
    }

    async fn refuse(&self, mailbox: &str, size: u64, limit: u64) -> Result<(), TakeError> {
        let reason = format!("message of {size} bytes is over the limit of {limit} bytes");
        self.intake
            .refuse(
                &self.tenant,
                &self.origin(mailbox),
                usize::try_from(size).unwrap_or(usize::MAX),
                &reason,
                app::now_ms(),
            )
            .await
            .map(|_| ())
            .map_err(|e| TakeError::Transient {
                reason: e.to_string(),
            })
    }
}
