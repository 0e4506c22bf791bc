//! The port between the poller and the intake.
//!
//! The poller moves, flags or deletes a message only after [`MessageSink::take_in`] (or
//! [`MessageSink::refuse`]) returned `Ok`, so an implementation must not return before its
//! commit is durable: that ordering is the whole of "nothing is lost".

use std::future::Future;
use std::sync::Arc;

/// What the intake did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The intake's identifier of the record, for logs.
    pub id: String,
    /// The intake already had this message (same Message-ID and content, from any source);
    /// it was not stored again. Rereads after a crash or a `UIDVALIDITY` change end here.
    pub duplicate: bool,
}

/// Why the intake did not take a message in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TakeError {
    /// Storage failed or is unavailable: the message stays untouched and is offered again.
    /// The reason must not contain addresses, subjects or bodies.
    #[error("intake failed for now: {reason}")]
    Transient { reason: String },
    /// Larger than the intake accepts: the poller records the refusal and moves the message
    /// to the failure folder.
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooBig { size: u64, limit: u64 },
}

/// What the poller hands messages to. Shared by every poller, hence `Send + Sync`.
pub trait MessageSink: Send + Sync {
    /// Commits `raw` (the full RFC 5322 message) with an intake job, or finds it already
    /// committed. `mailbox` is the operator's name for the mailbox it came from.
    fn take_in(
        &self,
        mailbox: &str,
        raw: Vec<u8>,
    ) -> impl Future<Output = Result<Taken, TakeError>> + Send;

    /// Records that a message of `size` bytes was refused as over `limit` (for the audit);
    /// the poller then moves it to the failure folder, unread by postroom.
    fn refuse(
        &self,
        mailbox: &str,
        size: u64,
        limit: u64,
    ) -> impl Future<Output = Result<(), TakeError>> + Send;
}

/// A shared sink is a sink, so the caller can keep a handle while pollers own clones.
impl<T: MessageSink> MessageSink for Arc<T> {
    fn take_in(
        &self,
        mailbox: &str,
        raw: Vec<u8>,
    ) -> impl Future<Output = Result<Taken, TakeError>> + Send {
        (**self).take_in(mailbox, raw)
    }

    fn refuse(
        &self,
        mailbox: &str,
        size: u64,
        limit: u64,
    ) -> impl Future<Output = Result<(), TakeError>> + Send {
        (**self).refuse(mailbox, size, limit)
    }
}
