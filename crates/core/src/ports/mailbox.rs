//! The `MailboxState` port: where an IMAP poller keeps its place and its lease.
//!
//! A poller must survive restarts without rereading a mailbox (the cursor), and several
//! instances sharing one database must never read the same mailbox at once (the lease).
//! Both live in the database, so this trait sits in core, where the store implements it
//! and the mail crate's poller uses it without either knowing the other.
//!
//! Times are passed in as milliseconds since the Unix epoch: the caller reads the clock,
//! which keeps expiry rules testable and the same on every backend.

use std::future::Future;

/// How far a poller has read one IMAP folder.
///
/// UIDs are only meaningful under one `UIDVALIDITY`: when the server reports another, the
/// saved `last_uid` says nothing about the folder any more and the poller rescans it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// The folder's `UIDVALIDITY` when `last_uid` was recorded.
    pub uid_validity: u32,
    /// Every message with a UID up to this one has been taken in and dealt with.
    pub last_uid: u32,
}

/// How the latest poll of a mailbox went, for the people who watch it (the console's
/// overview). The problem is a fixed phrase naming the kind of failure: never a server's
/// words, which can carry an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollReport {
    /// What went wrong; `None` when the poll went through.
    pub problem: Option<&'static str>,
    /// Messages after the cursor not taken in yet; `None` when the poll did not get as far
    /// as counting them.
    pub waiting: Option<u32>,
}

/// The persistent state of the mailboxes of one tenant. `mailbox` is the operator's name
/// for a configured mailbox (not an address), unique within the tenant.
///
/// Methods are declared as `fn ... -> impl Future + Send` so a poller can run them in a
/// spawned task; implementations write them as `async fn`.
pub trait MailboxState: Send + Sync {
    /// What went wrong reaching the state; a poller treats every error as transient.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The saved cursor, or `None` when the mailbox was never read.
    fn load(
        &self,
        mailbox: &str,
    ) -> impl Future<Output = Result<Option<Cursor>, Self::Error>> + Send;

    /// Records the cursor, but only while `holder` holds the lease: a poller that lost its
    /// lease (paused past its expiry) must not move the cursor of the one that took over.
    /// Returns whether it was saved.
    fn save(
        &self,
        mailbox: &str,
        holder: &str,
        cursor: Cursor,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// Takes the lease for `ttl_ms` if nobody holds it, it has expired, or `holder` already
    /// holds it. Returns whether `holder` holds it now.
    fn try_lease(
        &self,
        mailbox: &str,
        holder: &str,
        ttl_ms: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// Extends a lease `holder` still holds (not expired) to `now_ms + ttl_ms`. Returns
    /// false when the lease was lost, in which case the poller must stop reading.
    fn renew(
        &self,
        mailbox: &str,
        holder: &str,
        ttl_ms: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// Gives the lease up at once, so another instance need not wait for it to expire.
    /// Releasing a lease one does not hold does nothing.
    fn release(
        &self,
        mailbox: &str,
        holder: &str,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Records how the latest poll went (a mailbox never leased has nothing to record).
    fn report(
        &self,
        mailbox: &str,
        report: &PollReport,
        now_ms: i64,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// A shared state is a state, so one store handle can serve every poller of a tenant.
impl<T: MailboxState> MailboxState for std::sync::Arc<T> {
    type Error = T::Error;

    fn load(
        &self,
        mailbox: &str,
    ) -> impl Future<Output = Result<Option<Cursor>, Self::Error>> + Send {
        (**self).load(mailbox)
    }

    fn save(
        &self,
        mailbox: &str,
        holder: &str,
        cursor: Cursor,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        (**self).save(mailbox, holder, cursor, now_ms)
    }

    fn try_lease(
        &self,
        mailbox: &str,
        holder: &str,
        ttl_ms: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        (**self).try_lease(mailbox, holder, ttl_ms, now_ms)
    }

    fn renew(
        &self,
        mailbox: &str,
        holder: &str,
        ttl_ms: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        (**self).renew(mailbox, holder, ttl_ms, now_ms)
    }

    fn release(
        &self,
        mailbox: &str,
        holder: &str,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        (**self).release(mailbox, holder)
    }

    fn report(
        &self,
        mailbox: &str,
        report: &PollReport,
        now_ms: i64,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        (**self).report(mailbox, report, now_ms)
    }
}
