//! Mail coming in: the tenants' profiles, the intake, and the sources wired to it
//! (the SMTP and LMTP listeners and the IMAP pollers here; the upload API in `http::mail`;
//! files in `cli::import`).

use postroom_core::message::EmailAddress;
use postroom_engine::intake::{Intake, IntakeError, Origin};
use postroom_mail::imap::{MessageSink, TakeError, Taken};
use postroom_mail::smtp::{DeliveryError, DeliveryId, Envelope, Protocol, RecipientVerdict, Sink};
use postroom_store::TenantStore;
use postroom_store::intake::IntakeSource;

use crate::app;
use crate::tenancy::{MailRoute, MailRoutes};

/// A listener without any tenant's profile would have no address to take mail for, so it
/// refuses to start instead of refusing every recipient in silence.
pub fn check_routes(routes: &MailRoutes) -> anyhow::Result<()> {
    anyhow::ensure!(
        !routes.is_empty(),
        "an SMTP or LMTP listener needs [inbound] profile = FILE (or a stored profile: \
         postroom profile import FILE) naming postroom's own addresses or domains, so that \
         it takes mail only for them (never an open relay)"
    );
    Ok(())
}

/// The intake as an SMTP/LMTP listener's sink: each recipient goes to the tenant whose
/// profile calls it its own ([`MailRoutes`]), and a message for own addresses of several
/// tenants is taken in once for each of them.
#[derive(Debug, Clone)]
pub struct ListenerSink {
    intake: Intake,
    routes: MailRoutes,
    store_raw: bool,
}

impl ListenerSink {
    pub fn new(intake: Intake, routes: MailRoutes) -> Self {
        Self {
            intake,
            routes,
            store_raw: true,
        }
    }

    /// `[smtp] store_raw`: whether the raw mail is kept for the audit (the default) or
    /// deleted once processed.
    pub fn store_raw(mut self, store_raw: bool) -> Self {
        self.store_raw = store_raw;
        self
    }

    /// The tenants the envelope's recipients belong to, each with the recipients that are
    /// its own addresses, lower-cased (a catch-all tenant keeps none: they are not its own).
    fn by_tenant(&self, envelope: &Envelope) -> Vec<(MailRoute, Vec<String>)> {
        let mut out: Vec<(MailRoute, Vec<String>)> = Vec::new();
        for address in envelope
            .recipients
            .iter()
            .filter_map(|r| EmailAddress::parse(r).ok())
        {
            let Some(route) = self.routes.tenant_of(&address).filter(|r| !r.uninstalled) else {
                continue;
            };
            let own = route
                .profile
                .get()
                .is_own(&address)
                .then(|| address.as_str().to_ascii_lowercase());
            match out
                .iter_mut()
                .find(|(r, _)| r.tenant.id() == route.tenant.id())
            {
                Some((_, recipients)) => recipients.extend(own),
                None => out.push((route, own.into_iter().collect())),
            }
        }
        out
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
        match EmailAddress::parse(recipient).map(|a| self.routes.tenant_of(&a)) {
            Ok(Some(route)) if route.uninstalled => RecipientVerdict::Uninstalled,
            Ok(Some(_)) => RecipientVerdict::Accept,
            _ => RecipientVerdict::Unknown,
        }
    }

    async fn deliver(
        &self,
        envelope: &Envelope,
        data: Vec<u8>,
    ) -> Result<DeliveryId, DeliveryError> {
        let mut ids = Vec::new();
        for (route, recipients) in self.by_tenant(envelope) {
            let mut origin = self.origin(envelope.protocol);
            origin.recipients = recipients;
            match self
                .intake
                .accept(&route.tenant, &origin, &data, app::now_ms())
                .await
            {
                Ok(receipt) => ids.push(receipt.id),
                Err(IntakeError::TooBig { size, limit }) => {
                    return Err(DeliveryError::TooBig { size, limit });
                }
                Err(IntakeError::Empty) => {
                    return Err(DeliveryError::Refused {
                        reason: "empty message".to_owned(),
                    });
                }
                // Tenants that took it already see the retry as the same message again.
                Err(e) => {
                    tracing::warn!(tenant = %route.tenant.id(), error = %e, "intake failed; the sender will retry");
                    return Err(DeliveryError::Transient {
                        reason: e.to_string(),
                    });
                }
            }
        }
        if ids.is_empty() {
            // Every recipient was accepted a moment ago; the tenant left meanwhile.
            return Err(DeliveryError::Transient {
                reason: "no tenant takes this message's recipients now".to_owned(),
            });
        }
        Ok(DeliveryId::new(ids.join(",")))
    }

    /// The refusal is already answered `552`; a failure to record it is only logged. It is
    /// recorded for the first tenant, since the message's recipients are not known to be
    /// any one tenant's.
    async fn refused(&self, protocol: Protocol, size: usize, reason: String) {
        let Some(route) = self.routes.first() else {
            return;
        };
        let origin = self.origin(protocol);
        let recorded = self
            .intake
            .refuse(&route.tenant, &origin, size, &reason, app::now_ms())
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
