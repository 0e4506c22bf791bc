//! The `MailSender` port: how the outbound worker hands a finished message to the world.
//!
//! The engine builds the MIME bytes and the envelope; an adapter (SMTP, or a directory of
//! `.eml` files for the sandbox) delivers them and says, in [`SendError`], whether the queue
//! should try again. Declared as `fn ... -> impl Future + Send` for the same reason as
//! [`crate::ports::tracker::Tracker`]: the engine drives sends from spawned tasks.

mod error;

use std::future::Future;

pub use error::{SendError, SmtpReply, SmtpStage};

use crate::message::EmailAddress;
use crate::verp::VerpToken;

/// Who a bounce goes back to: the SMTP `MAIL FROM` of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeSender {
    /// The tenant's bounce address with this token (`bounces+TOKEN@domain`, see
    /// [`crate::verp`]): the site's own ([`SiteIdentity::bounce`]) when it has one, else the
    /// adapter's configured one.
    Verp(VerpToken),
    /// A fixed address, for mail whose bounces need no tracking.
    Address(EmailAddress),
    /// The null sender `<>`, required for automatic replies that must never be bounced.
    Null,
}

/// The SMTP envelope of one message: where bounces go and who receives it. Recipients in
/// `Bcc` appear here and nowhere in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEnvelope {
    /// The return path.
    pub sender: EnvelopeSender,
    /// Every recipient, each once.
    pub recipients: Vec<EmailAddress>,
    /// The sending site's own identity, where it differs from the instance's.
    pub identity: SiteIdentity,
}

/// What a site sends under when one instance serves several: its own bounce address (an
/// address of its own domain, so that bounces come back to it and pass its domain's
/// checks) and the name of its DKIM key among the keys the operator configured. Empty
/// for a site that sends as the instance does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteIdentity {
    /// The base of the site's VERP return paths, instead of the adapter's.
    pub bounce: Option<EmailAddress>,
    /// The name of the DKIM key to sign with, instead of the adapter's default key.
    pub dkim_key: Option<String>,
    /// The site's own SMTP relay, which its mail leaves through instead of the instance's
    /// transport (only where the operator configured none).
    pub relay: Option<SiteRelay>,
}

/// A site's own SMTP relay, as its administrator set it, with the password opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRelay {
    /// Host name or IP address (also the name its certificate must carry).
    pub host: String,
    pub port: u16,
    pub security: RelaySecurity,
    /// The account to sign in with; no AUTH without one.
    pub username: Option<String>,
    pub password: Option<crate::secret::Secret>,
}

/// How the connection to a site's relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelaySecurity {
    /// TLS from the first byte (usually port 465).
    Tls,
    /// Upgraded with STARTTLS, which the server must offer (usually 587).
    StartTls,
    /// No encryption: to a loopback host only.
    Plain,
}

impl RelaySecurity {
    /// `tls`, `starttls` or `plain`, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tls => "tls",
            Self::StartTls => "starttls",
            Self::Plain => "plain",
        }
    }

    /// The kind named `text` (one of [`RelaySecurity::as_str`]).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "tls" => Self::Tls,
            "starttls" => Self::StartTls,
            "plain" => Self::Plain,
            _ => return None,
        })
    }

    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::StartTls => 587,
            Self::Plain => 25,
        }
    }
}

/// One recipient the server refused while it accepted others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRejection {
    /// The refused recipient.
    pub recipient: EmailAddress,
    /// What the server answered to its `RCPT TO`.
    pub reply: SmtpReply,
}

/// Proof that a message was handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// Recipients the message was accepted for.
    pub accepted: Vec<EmailAddress>,
    /// Recipients refused while others were accepted. Sending again would duplicate the
    /// message for the accepted ones, so the caller decides per recipient
    /// ([`SmtpReply::is_transient`]) whether to send a copy to these later.
    pub rejected: Vec<RecipientRejection>,
    /// What the receiving end said on taking the message: the server's final reply text
    /// (often with its queue id), or the file the file transport wrote.
    pub confirmation: String,
}

/// Hands messages to a mail server (or its stand-in).
pub trait MailSender: Send + Sync {
    /// Delivers `message` (RFC 5322 bytes, CRLF or LF line ends) to every envelope
    /// recipient. `Ok` when at least one recipient accepted it; `Err` when none did or the
    /// transaction failed, with [`SendError::is_transient`] telling whether to retry.
    fn send(
        &self,
        envelope: &OutboundEnvelope,
        message: &[u8],
    ) -> impl Future<Output = Result<SendReceipt, SendError>> + Send;
}

/// One sender shared by several handlers (acknowledgements, notifications).
impl<M: MailSender> MailSender for std::sync::Arc<M> {
    fn send(
        &self,
        envelope: &OutboundEnvelope,
        message: &[u8],
    ) -> impl Future<Output = Result<SendReceipt, SendError>> + Send {
        (**self).send(envelope, message)
    }
}
