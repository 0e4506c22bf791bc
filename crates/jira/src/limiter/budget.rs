//! The app's hourly quota on Jira Cloud, which every site reached through the Forge app
//! draws on together (Jira's "global" pool, per app across all its installations).
//!
//! One [`AppBudget`] is made per process and handed to the client of every Forge site, so
//! that a busy site cannot spend the hour's quota of all the others without the others
//! slowing too, and a `jira-quota-global-based` 429 on one site pauses them all. Each
//! request counts one point: the floor of Jira's points (a write costs exactly one, a read
//! one plus what it returns), so the budget is an upper bound on what postroom sends, and
//! Jira's own 429s, which name this quota, stop the rest.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
struct State {
    tokens: f64,
    refilled: Instant,
    paused_until: Option<Instant>,
    spent: u64,
}

/// An hourly budget of requests shared by several sites' clients.
#[derive(Debug)]
pub struct AppBudget {
    per_hour: f64,
    state: Mutex<State>,
}

impl AppBudget {
    /// A budget of `per_hour` requests an hour, full at the start.
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
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn refill(&self, s: &mut State, now: Instant) {
        let elapsed = now.saturating_duration_since(s.refilled).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.per_hour / 3_600.0).min(self.per_hour);
        s.refilled = now;
    }

    /// How long until a request may draw on the budget (zero: now).
    pub(crate) fn ready_in(&self, now: Instant) -> Duration {
        let mut s = self.lock();
        self.refill(&mut s, now);
        let paused = s
            .paused_until
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        let token = if s.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - s.tokens) * 3_600.0 / self.per_hour)
        };
        paused.max(token)
    }

    /// Draws one request.
    pub(crate) fn take(&self, now: Instant) {
        let mut s = self.lock();
        self.refill(&mut s, now);
        s.tokens -= 1.0;
        s.spent += 1;
    }

    /// Jira said the app's quota is spent: no site draws on it before `wait` has passed.
    pub(crate) fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.lock();
        if s.paused_until.is_none_or(|old| old < until) {
            s.paused_until = Some(until);
        }
    }

    /// Requests drawn since the start.
    pub fn spent(&self) -> u64 {
        self.lock().spent
    }
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
