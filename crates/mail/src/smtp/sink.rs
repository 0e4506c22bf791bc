//! The port between the listener and whatever stores a received message (the intake).
//!
//! The listener speaks SMTP; the sink decides which recipients are ours and commits the
//! bytes. Keeping the two apart lets the protocol be tested with an in-memory sink and lets
//! the intake be tested without a socket.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

/// Which dialect a session speaks. LMTP answers once per recipient after `DATA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// RFC 5321 SMTP: `EHLO`/`HELO`, one reply after `DATA`.
    #[default]
    Smtp,
    /// RFC 2033 LMTP: `LHLO`, one reply per accepted recipient after `DATA`.
    Lmtp,
}

/// Everything the session learned about one message besides its bytes.
///
/// Addresses are the client's own words (already syntax-checked by the protocol parser);
/// they are personal data and must be redacted before they reach a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The connecting peer; the only identifying datum the listener logs in clear.
    pub peer: IpAddr,
    /// The name the client gave in `EHLO`, `HELO` or `LHLO`.
    pub helo: String,
    /// The reverse path from `MAIL FROM`; empty for bounces (`<>`).
    pub mail_from: String,
    /// Accepted recipients in the order given, without duplicates.
    pub recipients: Vec<String>,
    /// Whether the session ran under STARTTLS.
    pub tls: bool,
    /// Which dialect carried the message.
    pub protocol: Protocol,
}

/// The sink's answer for one recipient at `RCPT TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientVerdict {
    /// postroom takes mail for this address.
    Accept,
    /// Not one of ours: answered `550 5.1.1`, so postroom is never an open relay.
    Unknown,
    /// Cannot tell now (e.g. the profile store is down): answered `451 4.3.0` so the sender
    /// tries again later instead of bouncing the mail.
    TryLater,
    /// Ours, but its site has uninstalled postroom's Jira app: answered `550 5.2.1` with that
    /// reason, so the sender learns why instead of being told the address does not exist.
    Uninstalled,
}

/// What the sink calls the committed message, echoed in the `250` reply so an operator can
/// match a sender's log line to postroom's intake record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryId(String);

impl DeliveryId {
    /// Wraps the sink's identifier. Only printable ASCII without spaces is kept, because the
    /// value ends up inside a protocol reply line.
    pub fn new(id: impl AsRef<str>) -> Self {
        Self(
            id.as_ref()
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(64)
                .collect(),
        )
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why the sink did not commit a message; decides the reply the sender sees.
///
/// The `reason` texts are logged but never sent to the client, and must not contain
/// addresses, subjects or bodies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Storage failed or is unavailable: `451 4.3.0`, the sender keeps the mail and retries.
    #[error("transient delivery failure: {reason}")]
    Transient {
        /// What failed, for the log.
        reason: String,
    },
    /// Larger than the intake accepts: `552 5.3.4`, the sender bounces it.
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooBig {
        /// The message's size in bytes.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The message will never be accepted as it is: `554 5.6.0`.
    #[error("message refused: {reason}")]
    Refused {
        /// Why, for the log.
        reason: String,
    },
}

/// What the listener hands a received message to.
///
/// Implementations are shared by every session, hence `Send + Sync + 'static`; both methods
/// may be written as `async fn`.
pub trait Sink: Send + Sync + 'static {
    /// Whether postroom accepts mail for `recipient` (the profile's own addresses and
    /// domains). Anything else must be [`RecipientVerdict::Unknown`]: never an open relay.
    fn accepts(&self, recipient: &str) -> impl Future<Output = RecipientVerdict> + Send;

    /// Commits the message durably. The listener answers `250` only after this returned
    /// `Ok`, so a sink must not return before the bytes and their job are committed.
    fn deliver(
        &self,
        envelope: &Envelope,
        data: Vec<u8>,
    ) -> impl Future<Output = Result<DeliveryId, DeliveryError>> + Send;

    /// Records that a message was refused for its size, at `MAIL FROM ... SIZE=` or during
    /// `DATA`, so that the refusal is in the audit like one from any other source. `size`
    /// is the declared size or the bytes read; `reason` holds no personal data. The session
    /// calls this a few times at most, so one client cannot fill the audit. A sink that
    /// keeps no audit (a test's) need not implement it.
    fn refused(
        &self,
        protocol: Protocol,
        size: usize,
        reason: String,
    ) -> impl Future<Output = ()> + Send {
        let _ = (protocol, size, reason);
        async {}
    }
}

/// A shared sink is a sink: lets the caller keep a handle (to read counters, to stop it)
/// while the listener owns another.
impl<T: Sink> Sink for Arc<T> {
    fn accepts(&self, recipient: &str) -> impl Future<Output = RecipientVerdict> + Send {
        (**self).accepts(recipient)
    }

    fn deliver(
        &self,
        envelope: &Envelope,
        data: Vec<u8>,
    ) -> impl Future<Output = Result<DeliveryId, DeliveryError>> + Send {
        (**self).deliver(envelope, data)
    }

    fn refused(
        &self,
        protocol: Protocol,
        size: usize,
        reason: String,
    ) -> impl Future<Output = ()> + Send {
        (**self).refused(protocol, size, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_id_keeps_only_what_fits_in_a_reply_line() {
        assert_eq!(DeliveryId::new("in-42").as_str(), "in-42");
        assert_eq!(DeliveryId::new("a b\r\n250 ok").as_str(), "ab250ok");
        assert_eq!(DeliveryId::new("x".repeat(500)).as_str().len(), 64);
        assert_eq!(DeliveryId::new("").to_string(), "");
    }
}
