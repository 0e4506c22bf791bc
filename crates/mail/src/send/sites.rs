//! postroom's own mail for every site it serves: through the site's own SMTP relay when its
//! administrator set one (only where the operator configured no `[outbound]`), else through
//! the instance's transport.
//!
//! Each relay gets its own connection pool, made at its first message and kept for the
//! next, so a site's burst of notifications reuses its connections as the instance's do.

use std::sync::{Arc, Mutex, PoisonError};

use postroom_core::ports::mail_sender::{
    MailSender, OutboundEnvelope, RelaySecurity, SendError, SendReceipt, SiteRelay,
};

use super::Outbound;
use super::settings::{Security, SmtpSettings};
use super::smtp::SmtpSender;

/// The most site relays whose pools are kept at once; the one used longest ago goes first.
const MAX_RELAYS: usize = 64;

/// Connections a site's relay gets at most: a site's relay is usually a mailbox provider
/// that tolerates few connections per client.
const RELAY_POOL_SIZE: usize = 2;

/// Sends each message through its site's relay or the instance's transport.
#[derive(Debug)]
pub struct SiteSenders {
    instance: Option<Outbound>,
    relays: Mutex<Vec<(SiteRelay, Arc<SmtpSender>)>>,
}

impl SiteSenders {
    /// `instance`: the transport of `[outbound]` (or the sandbox's files); `None` when the
    /// operator configured none, so only sites with a relay of their own send.
    pub fn new(instance: Option<Outbound>) -> Self {
        Self {
            instance,
            relays: Mutex::new(Vec::new()),
        }
    }

    /// Whether the instance has a transport of its own.
    pub fn has_instance_transport(&self) -> bool {
        self.instance.is_some()
    }

    /// The pooled sender of `relay`, made on first use. A relay whose settings changed
    /// (a new password, another port) gets a new pool; the old one is dropped.
    fn relay(&self, relay: &SiteRelay) -> Result<Arc<SmtpSender>, SendError> {
        let mut relays = self.relays.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = relays.iter().position(|(r, _)| r == relay) {
            let entry = relays.remove(at);
            let sender = Arc::clone(&entry.1);
            relays.push(entry);
            return Ok(sender);
        }
        let sender = Arc::new(SmtpSender::new(&settings_of(relay))?);
        relays.retain(|(r, _)| !(r.host == relay.host && r.username == relay.username));
        if relays.len() >= MAX_RELAYS {
            relays.remove(0);
        }
        relays.push((relay.clone(), Arc::clone(&sender)));
        Ok(sender)
    }
}

/// The SMTP settings of a site's relay: everything not set by the site at its default.
fn settings_of(relay: &SiteRelay) -> SmtpSettings {
    let security = match relay.security {
        RelaySecurity::Tls => Security::Tls,
        RelaySecurity::StartTls => Security::StartTls,
        RelaySecurity::Plain => Security::Plain,
    };
    let mut settings = SmtpSettings::new(relay.host.clone(), relay.port, security);
    settings.username = relay.username.clone();
    settings.password = relay.password.clone();
    settings.pool_size = RELAY_POOL_SIZE;
    settings
}

impl MailSender for SiteSenders {
    /// The instance's transport when it has one: the operator's `[outbound]` (or the
    /// sandbox) wins over a relay a site stored before the operator configured one.
    async fn send(
        &self,
        envelope: &OutboundEnvelope,
        message: &[u8],
    ) -> Result<SendReceipt, SendError> {
        match (&self.instance, &envelope.identity.relay) {
            (Some(instance), _) => instance.send(envelope, message).await,
            (None, Some(relay)) => {
                let sender = self.relay(relay)?;
                sender.send(envelope, message).await
            }
            (None, None) => Err(SendError::Config(
                "no mail transport: postroom.toml sets no [outbound] and the site has no relay \
                 of its own (Settings → Outbound mail)"
                    .to_owned(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use postroom_core::message::EmailAddress;
    use postroom_core::ports::mail_sender::{EnvelopeSender, SiteIdentity};

    use super::*;

    fn envelope(relay: Option<SiteRelay>) -> OutboundEnvelope {
        OutboundEnvelope {
            sender: EnvelopeSender::Null,
            recipients: vec![EmailAddress::parse("ann@example.org").unwrap()],
            identity: SiteIdentity {
                relay,
                ..SiteIdentity::default()
            },
        }
    }

    fn relay(password: &str) -> SiteRelay {
        SiteRelay {
            host: "127.0.0.1".to_owned(),
            port: 9,
            security: RelaySecurity::Plain,
            username: Some("site".to_owned()),
            password: Some(postroom_core::secret::Secret::new(password)),
        }
    }

    #[tokio::test]
    async fn without_any_transport_a_send_says_what_to_configure() {
        let senders = SiteSenders::new(None);
        let e = senders.send(&envelope(None), b"x").await.unwrap_err();
        assert!(
            matches!(&e, SendError::Config(m) if m.contains("[outbound]")),
            "{e}"
        );
    }

    #[test]
    fn a_changed_relay_replaces_the_sites_pool() {
        let senders = SiteSenders::new(None);
        let first = senders.relay(&relay("one")).unwrap();
        assert!(Arc::ptr_eq(&first, &senders.relay(&relay("one")).unwrap()));
        let second = senders.relay(&relay("two")).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(senders.relays.lock().unwrap().len(), 1);
    }

    #[test]
    fn plain_to_a_remote_relay_is_refused() {
        let senders = SiteSenders::new(None);
        let mut remote = relay("x");
        remote.host = "smtp.example.com".to_owned();
        assert!(matches!(senders.relay(&remote), Err(SendError::Config(_))));
    }
}
