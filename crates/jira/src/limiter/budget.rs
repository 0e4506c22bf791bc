//! The app's hourly quota on Jira Cloud, which every site reached through the Forge app
//! draws on together (Jira's "global" pool, per app across all its installations).
//!
//! One [`AppBudget`] is made per process and handed to the client of every Forge site, so
//! that a busy site cannot spend the hour's quota of all the others without the others
//! slowing too, and a `jira-quota-global-based` 429 on one site pauses them all. Each
//! request counts one point: the floor of Jira's points (a write costs exactly one, a read
//! one plus what it returns), so the budget is an upper bound on what postroom sends, and
//! Jira's own 429s, which name this quota, stop the rest.
//!
//! Instances sharing one database share one budget ([`AppBudget::shared`]): the quota is a
//! bucket in the ledger, and each instance leases a second's worth at a time from it instead
//! of refilling its own by the clock, so three instances together spend what one would. A
//! pause one instance is told of is written to the ledger and read by the others at their
//! next lease. When the ledger cannot be reached the instance refills by the clock as a
//! lone instance would, and says so in the log.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use postroom_core::ports::budget_ledger::{Bucket, BudgetLedger, Draw};
use tokio::time::Instant;

/// The ledger's name for the app's budget.
pub(crate) const APP: &str = "forge-app";
/// How often a shared budget looks at its lease.
const LEASE_EVERY: Duration = Duration::from_millis(200);
/// A lease holds this many seconds' worth of the hourly rate.
const LEASE_SECS: f64 = 1.0;

#[derive(Debug)]
struct State {
    tokens: f64,
    refilled: Instant,
    paused_until: Option<Instant>,
    spent: u64,
}

/// An hourly budget of requests shared by several sites' clients, and by several instances
/// when it has a ledger.
#[derive(Debug)]
pub struct AppBudget {
    per_hour: f64,
    state: Mutex<State>,
    ledger: Option<Arc<dyn BudgetLedger>>,
}

impl AppBudget {
    /// A budget of `per_hour` requests an hour, full at the start, for this process alone.
    pub fn new(per_hour: u32) -> Self {
        let per_hour = f64::from(per_hour.max(1));
        Self {
            per_hour,
            state: Mutex::new(State {
                tokens: per_hour,
                refilled: Instant::now(),
                paused_until: None,
                spent: 0,
            }),
            ledger: None,
        }
    }

    /// A budget of `per_hour` requests an hour shared through `ledger` with every instance
    /// that uses the same ledger. It starts empty and leases from the ledger in the
    /// background (a task that ends when the budget is dropped); needs a tokio runtime.
    pub fn shared(per_hour: u32, ledger: Arc<dyn BudgetLedger>) -> Arc<Self> {
        let mut budget = Self::new(per_hour);
        budget.ledger = Some(ledger);
        budget.lock().tokens = 0.0;
        let budget = Arc::new(budget);
        tokio::spawn(lease_loop(Arc::downgrade(&budget)));
        budget
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn per_sec(&self) -> f64 {
        self.per_hour / 3_600.0
    }

    /// Refills by the clock: the lone instance's way, and a shared one's while its ledger
    /// cannot be reached.
    fn refill_by_clock(&self, s: &mut State, now: Instant) {
        let elapsed = now.saturating_duration_since(s.refilled).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.per_sec()).min(self.per_hour);
        s.refilled = now;
    }

    /// How long until a request may draw on the budget (zero: now).
    pub(crate) fn ready_in(&self, now: Instant) -> Duration {
        let mut s = self.lock();
        if self.ledger.is_none() {
            self.refill_by_clock(&mut s, now);
        }
        let paused = s
            .paused_until
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        let token = if s.tokens >= 1.0 {
            Duration::ZERO
        } else if self.ledger.is_some() {
            LEASE_EVERY
        } else {
            Duration::from_secs_f64((1.0 - s.tokens) / self.per_sec())
        };
        paused.max(token)
    }

    /// Draws one request.
    pub(crate) fn take(&self, now: Instant) {
        let mut s = self.lock();
        if self.ledger.is_none() {
            self.refill_by_clock(&mut s, now);
        }
        s.tokens -= 1.0;
        s.spent += 1;
    }

    /// Jira said the app's quota is spent: no site draws on it before `wait` has passed,
    /// here and, through the ledger, in every instance.
    pub(crate) fn pause(&self, wait: Duration) {
        self.pause_until(Instant::now() + wait);
        if let Some(ledger) = &self.ledger {
            record_pause(ledger, APP, None, wait);
        }
    }

    fn pause_until(&self, until: Instant) {
        let mut s = self.lock();
        if s.paused_until.is_none_or(|old| old < until) {
            s.paused_until = Some(until);
        }
    }

    /// Requests drawn since the start.
    pub fn spent(&self) -> u64 {
        self.lock().spent
    }

    /// Tops the lease up to a second's worth from the ledger (or, when it is full, only
    /// reads the ledger's pause), and takes on any pause the ledger holds. A ledger that
    /// fails leaves the budget refilling by the clock.
    async fn lease(&self, ledger: &dyn BudgetLedger) {
        let now = Instant::now();
        let want = {
            let s = self.lock();
            (self.per_sec() * LEASE_SECS).max(1.0) - s.tokens
        };
        let bucket = Bucket {
            capacity: self.per_hour,
            per_sec: self.per_sec(),
        };
        let answer = if want > 0.0 {
            ledger.draw(APP, None, bucket, want, epoch_ms()).await
        } else {
            ledger
                .paused_until(APP, epoch_ms())
                .await
                .map(|paused_until_ms| Draw {
                    granted: 0.0,
                    paused_until_ms,
                })
        };
        match answer {
            Ok(draw) => {
                let mut s = self.lock();
                s.tokens += draw.granted;
                s.refilled = now;
                drop(s);
                if let Some(until) = draw.paused_until_ms {
                    self.pause_until(instant_of(until));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the app's shared budget: refilling by this instance's clock");
                let mut s = self.lock();
                self.refill_by_clock(&mut s, now);
            }
        }
    }
}

/// Keeps a shared budget's lease topped up until the budget is dropped.
async fn lease_loop(budget: Weak<AppBudget>) {
    loop {
        let Some(b) = budget.upgrade() else { return };
        if let Some(ledger) = b.ledger.clone() {
            b.lease(ledger.as_ref()).await;
        }
        drop(b);
        tokio::time::sleep(LEASE_EVERY).await;
    }
}

/// Writes a pause to the ledger in the background; a failure is logged (this instance holds
/// the pause all the same).
pub(crate) fn record_pause(
    ledger: &Arc<dyn BudgetLedger>,
    name: &str,
    tenant: Option<&str>,
    wait: Duration,
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let ledger = Arc::clone(ledger);
    let (name, tenant) = (name.to_owned(), tenant.map(str::to_owned));
    let until = epoch_ms().saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
    runtime.spawn(async move {
        if let Err(e) = ledger.pause(&name, tenant.as_deref(), until).await {
            tracing::warn!(error = %e, budget = %name, "a pause was not shared with the other instances");
        }
    });
}

/// Now, in ms since the epoch: the ledger's clock, common to every instance.
pub(crate) fn epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The local instant of the epoch time `ms` (now, when it is past).
pub(crate) fn instant_of(ms: i64) -> Instant {
    let ahead = u64::try_from(ms.saturating_sub(epoch_ms())).unwrap_or(0);
    Instant::now() + Duration::from_millis(ahead)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_empty_budget_refills_at_its_hourly_rate() {
        let budget = AppBudget::new(3_600);
        let now = Instant::now();
        for _ in 0..3_600 {
            assert_eq!(budget.ready_in(now), Duration::ZERO);
            budget.take(now);
        }
        assert_eq!(budget.spent(), 3_600);
        let wait = budget.ready_in(now);
        assert!(
            wait > Duration::from_millis(990) && wait <= Duration::from_secs(1),
            "one request a second: {wait:?}"
        );
        assert_eq!(
            budget.ready_in(now + Duration::from_secs(1)),
            Duration::ZERO
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_draw_and_a_shorter_one_does_not_shorten_it() {
        let budget = AppBudget::new(1_000);
        budget.pause(Duration::from_secs(30));
        budget.pause(Duration::from_secs(5));
        let wait = budget.ready_in(Instant::now());
        assert_eq!(wait, Duration::from_secs(30));
    }
}
