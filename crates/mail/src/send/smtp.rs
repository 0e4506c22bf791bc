//! The SMTP sender: the [`MailSender`] port over a pool of connections to one relay.

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{
    MailSender, OutboundEnvelope, SendError, SendReceipt, SmtpStage,
};

use super::connect::Connector;
use super::dkim::Dkim;
use super::pool::Pool;
use super::settings::SmtpSettings;
use super::{envelope, wire};

/// Sends through one SMTP relay with the tenant's settings.
#[derive(Debug)]
pub struct SmtpSender {
    pool: Pool,
    bounce: Option<EmailAddress>,
    dkim: Option<Dkim>,
    dkim_keys: std::collections::BTreeMap<String, Dkim>,
}

impl SmtpSender {
    /// Checks the settings and loads the DKIM key; connects only when the first message
    /// is sent.
    pub fn new(settings: &SmtpSettings) -> Result<Self, SendError> {
        let bounce = settings
            .bounce_address
            .as_deref()
            .map(envelope::parse_bounce)
            .transpose()?;
        let dkim = settings.dkim.as_ref().map(Dkim::load).transpose()?;
        let dkim_keys = settings
            .dkim_keys
            .iter()
            .map(|(name, key)| Ok((name.clone(), Dkim::load(key)?)))
            .collect::<Result<_, SendError>>()?;
        let connector = Connector::new(settings)?;
        let max_idle = std::time::Duration::from_secs(settings.idle_secs);
        Ok(Self {
            pool: Pool::new(connector, settings.pool_size, max_idle),
            bounce,
            dkim,
            dkim_keys,
        })
    }

    /// Connections open and idle now.
    pub fn idle_connections(&self) -> usize {
        self.pool.idle_count()
    }
}

impl MailSender for SmtpSender {
    async fn send(
        &self,
        envelope: &OutboundEnvelope,
        message: &[u8],
    ) -> Result<SendReceipt, SendError> {
        let mail_from = envelope::mail_from(envelope, self.bounce.as_ref())?;
        let message = wire::to_crlf(message);
        let signed;
        let dkim = match &envelope.identity.dkim_key {
            Some(name) => Some(self.dkim_keys.get(name).ok_or_else(|| {
                SendError::Config(format!(
                    "the site's DKIM key {name:?} is not in [outbound] dkim_keys"
                ))
            })?),
            None => self.dkim.as_ref(),
        };
        let message: &[u8] = match dkim {
            Some(dkim) => {
                signed = dkim.sign(&message)?;
                &signed
            }
            None => &message,
        };
        let mut lease = self.pool.checkout().await?;
        let mut result = lease
            .connection()
            .transact(&mail_from, &envelope.recipients, message)
            .await;
        if lease.reused() && result.as_ref().is_err_and(is_stale) {
            // The server closed the idle connection: nothing was sent, so try once anew.
            lease.replace(self.pool.connect().await?);
            result = lease
                .connection()
                .transact(&mail_from, &envelope.recipients, message)
                .await;
        }
        match &result {
            Ok(_) => lease.release(),
            // The server still talks: end the transaction and keep the connection.
            Err(SendError::Rejected { .. }) => {
                if lease.connection().reset().await {
                    lease.release();
                }
            }
            // Anything else leaves the session in an unknown state: drop the lease,
            // which closes the connection.
            Err(_) => {}
        }
        result
    }
}

/// A failure at the first command of a reused connection that says the connection is gone
/// (broken pipe, reset, or 421 "closing"), not that the message is unwelcome.
fn is_stale(error: &SendError) -> bool {
    match error {
        SendError::Connection { stage, .. } => *stage == SmtpStage::MailFrom,
        SendError::Rejected { stage, reply } => *stage == SmtpStage::MailFrom && reply.code == 421,
        _ => false,
    }
}
