//! Per-tenant politeness: a concurrency limit, a token bucket whose rate adapts to what Jira
//! says, and a "not before" instant that no request of the tenant may pass.
//!
//! The adaptive rate is additive-increase / multiplicative-decrease: each 429 halves it,
//! each success raises it a little, never above the configured rate. The "not before"
//! instant is set from `Retry-After` (or the quota reset), so once Jira has said "wait",
//! no request of this tenant goes out earlier, whichever endpoint it targets.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use crate::config::Politeness;

/// The lowest rate the adaptive limit falls to (one request per 10 s).
const MIN_RATE: f64 = 0.1;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    rate: f64,
    not_before: Option<Instant>,
}

/// One tenant's limiter; shared by all clones of its client.
#[derive(Debug)]
pub(crate) struct Limiter {
    slots: Semaphore,
    bucket: Mutex<Bucket>,
    max_rate: f64,
    burst: f64,
    tenant: String,
}

impl Limiter {
    pub(crate) fn new(p: &Politeness, tenant: &str) -> Self {
        let max_rate = p.requests_per_sec.max(MIN_RATE);
        let burst = p.burst.max(1.0);
        Self {
            slots: Semaphore::new(p.max_concurrency.max(1)),
            bucket: Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
                rate: max_rate,
                not_before: None,
            }),
            max_rate,
            burst,
            tenant: tenant.to_owned(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Bucket> {
        self.bucket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for a concurrency slot, the "not before" instant and a token, in that order.
    /// The slot is held until the returned permit is dropped (after the response is read).
    pub(crate) async fn acquire(&self) -> Option<SemaphorePermit<'_>> {
        let permit = self.slots.acquire().await.ok()?;
        loop {
            let wait = {
                let mut b = self.lock();
                let now = Instant::now();
                let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
                b.tokens = (b.tokens + elapsed * b.rate).min(self.burst);
                b.last = now;
                match b.not_before {
                    Some(nb) if nb > now => nb - now,
                    _ if b.tokens >= 1.0 => {
                        b.tokens -= 1.0;
                        return Some(permit);
                    }
                    _ => Duration::from_secs_f64((1.0 - b.tokens) / b.rate),
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Jira throttled us: nothing goes out for `wait`, and the rate halves.
    pub(crate) fn throttled(&self, wait: Duration) {
        let mut b = self.lock();
        let until = Instant::now() + wait;
        if b.not_before.is_none_or(|nb| nb < until) {
            b.not_before = Some(until);
        }
        b.rate = (b.rate / 2.0).max(MIN_RATE);
        b.tokens = b.tokens.min(0.0);
        metrics::gauge!("postroom_jira_adaptive_rate", "tenant" => self.tenant.clone()).set(b.rate);
        tracing::warn!(tenant = %self.tenant, wait_ms = wait.as_millis(), rate = b.rate, "Jira rate limit: pausing");
    }

    /// Jira asked for a pause without throttling (503 with `Retry-After`, quota exhausted).
    pub(crate) fn pause(&self, wait: Duration) {
        let mut b = self.lock();
        let until = Instant::now() + wait;
        if b.not_before.is_none_or(|nb| nb < until) {
            b.not_before = Some(until);
        }
    }

    /// Jira says the quota is nearly spent (`X-RateLimit-NearLimit`): slow down a little
    /// before it comes to 429s.
    pub(crate) fn ease_off(&self) {
        let mut b = self.lock();
        b.rate = (b.rate * 0.9).max(MIN_RATE);
        metrics::gauge!("postroom_jira_adaptive_rate", "tenant" => self.tenant.clone()).set(b.rate);
    }

    /// A call went through: the rate creeps back towards the configured maximum.
    pub(crate) fn succeeded(&self) {
        let mut b = self.lock();
        if b.rate < self.max_rate {
            b.rate = (b.rate + self.max_rate / 20.0).min(self.max_rate);
            metrics::gauge!("postroom_jira_adaptive_rate", "tenant" => self.tenant.clone())
                .set(b.rate);
        }
    }

    /// The current adaptive rate, requests per second.
    pub(crate) fn rate(&self) -> f64 {
        self.lock().rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn politeness(rate: f64, burst: f64, concurrency: usize) -> Politeness {
        Politeness {
            requests_per_sec: rate,
            burst,
            max_concurrency: concurrency,
            ..Politeness::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn bucket_spaces_requests_after_the_burst() {
        let limiter = Limiter::new(&politeness(2.0, 2.0, 8), "t");
        let start = Instant::now();
        for _ in 0..6 {
            drop(limiter.acquire().await);
        }
        // 2 at once, then 4 more at 2/s.
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(1990) && elapsed <= Duration::from_millis(2100),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_passes_before_the_retry_after() {
        let limiter = Limiter::new(&politeness(100.0, 100.0, 8), "t");
        limiter.throttled(Duration::from_secs(3));
        let start = Instant::now();
        drop(limiter.acquire().await);
        assert!(start.elapsed() >= Duration::from_secs(3));
        assert_eq!(limiter.rate(), 50.0);
        limiter.pause(Duration::from_secs(1));
        limiter.throttled(Duration::from_millis(10));
        let start = Instant::now();
        drop(limiter.acquire().await);
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "a shorter wait must not shorten a longer one"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn rate_halves_on_throttle_and_recovers_on_success() {
        let limiter = Limiter::new(&politeness(10.0, 1.0, 1), "t");
        for _ in 0..10 {
            limiter.throttled(Duration::ZERO);
        }
        assert_eq!(limiter.rate(), MIN_RATE);
        for _ in 0..40 {
            limiter.succeeded();
        }
        assert_eq!(limiter.rate(), 10.0);
        limiter.ease_off();
        assert!((limiter.rate() - 9.0).abs() < 1e-9);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_is_bounded() {
        let limiter = Limiter::new(&politeness(1000.0, 1000.0, 2), "t");
        let a = limiter.acquire().await;
        let b = limiter.acquire().await;
        assert!(a.is_some() && b.is_some());
        let third = tokio::time::timeout(Duration::from_secs(1), limiter.acquire()).await;
        assert!(third.is_err(), "a third request must wait for a slot");
        drop(a);
        assert!(limiter.acquire().await.is_some());
    }
}
