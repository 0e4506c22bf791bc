//! Request budgets kept where every instance of a fleet sees them: the store, when several
//! `postroom` processes share one database.
//!
//! The Jira adapter paces each site in memory, which is right for one process and wrong for
//! three: each would spend the whole of the Forge app's hourly quota, and each would learn of
//! a quota pause only by being refused itself. A ledger holds what must be one for all of
//! them — token buckets that instances draw from in small leases, and the pauses Jira asked
//! for — so that the instances together stay within what one would.

use std::future::Future;
use std::pin::Pin;

/// What a draw from a shared bucket gave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    /// Requests granted (fractions add up over draws).
    pub granted: f64,
    /// Until when the bucket is paused (ms since the epoch), when a pause is set.
    pub paused_until_ms: Option<i64>,
}

/// The ledger could not be read or written; the caller goes on with what it has.
#[derive(Debug, thiserror::Error)]
#[error("budget ledger: {0}")]
pub struct LedgerError(pub String);

/// The future a ledger answers with.
pub type LedgerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LedgerError>> + Send + 'a>>;

/// One bucket's shape: how many requests it holds when full and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub capacity: f64,
    pub per_sec: f64,
}

/// Shared request budgets, by name (`forge-app`, `site:TENANT`).
pub trait BudgetLedger: Send + Sync + std::fmt::Debug {
    /// Takes up to `want` requests from the bucket `name` (made full when it does not exist
    /// yet), refilled to `now_ms` at the bucket's rate and capped at its capacity. Nothing is
    /// granted while the bucket is paused.
    fn draw<'a>(
        &'a self,
        name: &'a str,
        tenant: Option<&'a str>,
        bucket: Bucket,
        want: f64,
        now_ms: i64,
    ) -> LedgerFuture<'a, Draw>;

    /// Until when the bucket `name` is paused (ms since the epoch), if it is paused now.
    fn paused_until<'a>(&'a self, name: &'a str, now_ms: i64) -> LedgerFuture<'a, Option<i64>>;

    /// Pauses the bucket `name` until `until_ms` at least (a shorter pause never shortens a
    /// longer one), so that every instance holds back.
    fn pause<'a>(
        &'a self,
        name: &'a str,
        tenant: Option<&'a str>,
        until_ms: i64,
    ) -> LedgerFuture<'a, ()>;
}
