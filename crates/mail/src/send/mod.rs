//! Outbound mail: the adapters behind the `MailSender` port.
//!
//! [`SmtpSender`] relays through a tenant's SMTP server over a bounded connection pool,
//! with VERP return paths and optional DKIM; [`FileSender`] writes `.eml` files for the
//! sandbox. [`Outbound`] picks one from [`OutboundSettings`], so the engine holds one type
//! whatever the tenant configured.

mod connect;
mod dkim;
mod envelope;
mod file;
mod pool;
mod reply;
mod settings;
mod sites;
mod smtp;
mod tls;
mod transaction;
mod wire;

use postroom_core::ports::mail_sender::{MailSender, OutboundEnvelope, SendError, SendReceipt};

pub use file::FileSender;
pub use settings::{DkimSettings, FileSettings, OutboundSettings, Security, SmtpSettings};
pub use sites::SiteSenders;
pub use smtp::SmtpSender;
pub use wire::to_crlf;

/// The sender a tenant's settings ask for.
#[derive(Debug)]
pub enum Outbound {
    /// Through an SMTP relay.
    Smtp(Box<SmtpSender>),
    /// Into a directory.
    File(FileSender),
}

impl Outbound {
    /// Builds the sender, checking the settings (and reading a DKIM key) now rather than at
    /// the first message.
    pub fn from_settings(settings: &OutboundSettings) -> Result<Self, SendError> {
        Ok(match settings {
            OutboundSettings::Smtp(s) => Self::Smtp(Box::new(SmtpSender::new(s)?)),
            OutboundSettings::File(s) => Self::File(FileSender::new(s)?),
        })
    }
}

impl MailSender for Outbound {
    async fn send(
        &self,
        envelope: &OutboundEnvelope,
        message: &[u8],
    ) -> Result<SendReceipt, SendError> {
        match self {
            Self::Smtp(s) => s.send(envelope, message).await,
            Self::File(s) => s.send(envelope, message).await,
        }
    }
}
