//! The pace of one endpoint: a token bucket whose rate finds what Jira allows.
//!
//! Jira does not publish its limits and they move (Cloud's burst limits are per tenant,
//! endpoint and method; a Data Center site usually has none), so the rate is learnt:
//!
//! - **slow start**: from a safe rate, the rate doubles each second in which it was the
//!   limit (the caller wanted at least 70 % of it) and latency stayed steady, until the
//!   first 429 or the configured ceiling;
//! - **after a 429** the rate at which it came is remembered as the limit seen, and the rate
//!   falls to 97 % of it (the pause Jira asks for already costs a second's worth or more);
//!   a second 429 within 10 s of a decrease means the limit itself has fallen, and the rate
//!   halves instead, as often as needed;
//! - **below the limit seen** it closes 30 % of the gap a second (fast when far, gently
//!   near); **at it**, it probes upwards by 0.5 % of the limit a second (at least 0.1
//!   request/s), so that a limit that rose is found again and one that did not is passed
//!   slowly, with few 429s;
//! - **rising latency** (the smoothed latency above twice its floor plus 50 ms) means Jira is
//!   struggling before it says so: while the caller uses at least half the rate, it eases by
//!   10 % a second and does not grow.
//!
//! Only 429s for requests sent after the last decrease count: the answers to requests
//! already in flight at the old rate are the same event, not a new one.

use std::time::Duration;

use tokio::time::Instant;

/// The lowest rate (one request per 10 s).
pub(crate) const MIN_RATE: f64 = 0.1;
/// The rate ceiling when none is configured: far above any Jira, a guard against runaway.
pub(crate) const MAX_RATE: f64 = 10_000.0;
const WINDOW: Duration = Duration::from_secs(1);
const REPEAT: Duration = Duration::from_secs(10);

/// How long the latency floor takes to follow a latency that rose for good (time constant).
const FLOOR_RISE: Duration = Duration::from_secs(30);

/// Smoothed latency and its floor.
#[derive(Debug, Clone, Default)]
pub(crate) struct Latency {
    ewma: Option<f64>,
    floor: Option<(f64, Instant)>,
}

impl Latency {
    pub(crate) fn observe(&mut self, secs: f64, now: Instant) {
        let ewma = self.ewma.map_or(secs, |e| 0.8 * e + 0.2 * secs);
        self.ewma = Some(ewma);
        // The floor follows the smoothed latency down at once and up slowly, by time (not
        // by answers, which grow rarer as the rate eases), so that a site that became
        // slower for good is taken as it is within a minute or so.
        self.floor = Some(match self.floor {
            Some((f, at)) if ewma >= f => {
                let dt = now.saturating_duration_since(at).as_secs_f64();
                let step = (dt / FLOOR_RISE.as_secs_f64()).min(1.0);
                (f + (ewma - f) * step, now)
            }
            _ => (ewma, now),
        });
    }

    /// Whether latency has risen well above what this endpoint answers in when at ease.
    pub(crate) fn rising(&self) -> bool {
        match (self.ewma, self.floor) {
            (Some(e), Some((f, _))) => e > 2.0 * f + 0.05,
            _ => false,
        }
    }

    /// The smoothed latency in seconds, once one answer came.
    pub(crate) fn smoothed(&self) -> Option<f64> {
        self.ewma
    }
}

/// One endpoint's adaptive token bucket.
#[derive(Debug, Clone)]
pub(crate) struct AdaptiveRate {
    rate: f64,
    ceiling: f64,
    burst_secs: f64,
    tokens: f64,
    refilled: Instant,
    limit_seen: Option<f64>,
    last_decrease: Option<Instant>,
    window_start: Instant,
    sent_in_window: u32,
    latency: Latency,
}

impl AdaptiveRate {
    /// A bucket starting at `start` requests/s, never above `ceiling`, holding at most
    /// `burst_secs` seconds' worth of requests (at least one).
    pub(crate) fn new(start: f64, ceiling: Option<f64>, burst_secs: f64, now: Instant) -> Self {
        let ceiling = ceiling.unwrap_or(MAX_RATE).clamp(MIN_RATE, MAX_RATE);
        let rate = start.clamp(MIN_RATE, ceiling);
        let mut bucket = Self {
            rate,
            ceiling,
            burst_secs: burst_secs.max(0.0),
            tokens: 0.0,
            refilled: now,
            limit_seen: None,
            last_decrease: None,
            window_start: now,
            sent_in_window: 0,
            latency: Latency::default(),
        };
        bucket.tokens = bucket.capacity();
        bucket
    }

    fn capacity(&self) -> f64 {
        (self.rate * self.burst_secs).max(1.0)
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity());
        self.refilled = now;
    }

    /// How long until a token is there (zero: now).
    pub(crate) fn ready_in(&mut self, now: Instant) -> Duration {
        self.refill(now);
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.rate)
        }
    }

    /// Takes a token; call only when [`AdaptiveRate::ready_in`] said zero.
    pub(crate) fn take(&mut self, now: Instant) {
        self.refill(now);
        self.tokens -= 1.0;
        self.sent_in_window = self.sent_in_window.saturating_add(1);
        self.adjust(now);
    }

    /// An answer came back in `latency` without a 429.
    pub(crate) fn succeeded(&mut self, latency: Duration, now: Instant) {
        self.latency.observe(latency.as_secs_f64(), now);
        self.adjust(now);
    }

    /// Jira says the quota is nearly spent: a little slower, before it comes to 429s.
    pub(crate) fn ease_off(&mut self) {
        self.set_rate(self.rate * 0.9);
    }

    /// A 429 for a request sent at `sent_at`. Returns whether it was a new event (the
    /// rate came down), as opposed to an answer to a request sent before the last one.
    pub(crate) fn throttled(&mut self, sent_at: Instant, now: Instant) -> bool {
        if self.last_decrease.is_some_and(|d| sent_at < d) {
            return false;
        }
        let repeated = self
            .last_decrease
            .is_some_and(|d| now.saturating_duration_since(d) < REPEAT);
        self.limit_seen = Some(self.rate);
        self.set_rate(self.rate * if repeated { 0.5 } else { 0.97 });
        self.tokens = self.tokens.min(0.0);
        self.last_decrease = Some(now);
        self.window_start = now;
        self.sent_in_window = 0;
        true
    }

    fn set_rate(&mut self, rate: f64) {
        self.rate = rate.clamp(MIN_RATE, self.ceiling);
        self.tokens = self.tokens.min(self.capacity());
    }

    /// Once a second: grow when the rate was what held the caller back and latency is
    /// steady; ease when latency rises while the caller uses at least half the rate.
    fn adjust(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed < WINDOW {
            return;
        }
        let demand = f64::from(self.sent_in_window) / elapsed.as_secs_f64();
        if self.latency.rising() && demand >= 0.5 * self.rate {
            self.set_rate(self.rate * 0.9);
        } else if demand >= 0.7 * self.rate {
            let grown = match self.limit_seen {
                None => self.rate * 2.0,
                Some(limit) if self.rate < limit => {
                    (self.rate + (0.3 * (limit - self.rate)).max(0.1)).min(limit)
                }
                Some(limit) => self.rate + (0.005 * limit).max(0.1),
            };
            self.set_rate(grown);
        }
        self.window_start = now;
        self.sent_in_window = 0;
    }

    /// Requests per second now allowed.
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// The rate at which the last 429 came, if one came.
    pub(crate) fn limit_seen(&self) -> Option<f64> {
        self.limit_seen
    }

    /// Whether this endpoint's latency is rising.
    pub(crate) fn congested(&self) -> bool {
        self.latency.rising()
    }

    /// The smoothed latency in seconds.
    pub(crate) fn latency(&self) -> Option<f64> {
        self.latency.smoothed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// Sends as fast as the bucket allows for `for_secs`, answering each in `latency`;
    /// returns how many went out.
    fn drive(b: &mut AdaptiveRate, start: Instant, for_secs: f64, latency: f64) -> u32 {
        let mut now = start;
        let end = start + secs(for_secs);
        let mut sent = 0;
        while now < end {
            let wait = b.ready_in(now);
            if wait.is_zero() {
                b.take(now);
                b.succeeded(secs(latency), now);
                sent += 1;
            } else {
                now += wait;
            }
        }
        sent
    }

    #[test]
    fn slow_start_doubles_while_the_rate_is_the_limit_and_stops_at_the_ceiling() {
        let t0 = Instant::now();
        let mut b = AdaptiveRate::new(10.0, Some(100.0), 1.0, t0);
        drive(&mut b, t0, 1.15, 0.02);
        assert!((b.rate() - 20.0).abs() < 1e-9, "{}", b.rate());
        drive(&mut b, t0 + secs(1.15), 10.0, 0.02);
        assert_eq!(b.rate(), 100.0, "the ceiling holds");
    }

    #[test]
    fn an_idle_endpoint_does_not_grow() {
        let t0 = Instant::now();
        let mut b = AdaptiveRate::new(10.0, None, 1.0, t0);
        for i in 0..20 {
            let now = t0 + secs(f64::from(i));
            b.take(now);
            b.succeeded(secs(0.02), now);
        }
        assert_eq!(
            b.rate(),
            10.0,
            "one request a second is no evidence for more"
        );
    }

    #[test]
    fn a_429_lowers_a_little_a_second_one_soon_after_halves() {
        let t0 = Instant::now();
        let mut b = AdaptiveRate::new(50.0, None, 1.0, t0);
        assert!(b.throttled(t0, t0));
        assert!((b.rate() - 48.5).abs() < 1e-9);
        assert_eq!(b.limit_seen(), Some(50.0));
        // An answer to a request sent before the decrease: the same event.
        assert!(!b.throttled(t0 - secs(0.01), t0 + secs(0.02)));
        assert!((b.rate() - 48.5).abs() < 1e-9);
        // A new 429 within 10 s: the limit fell.
        assert!(b.throttled(t0 + secs(2.0), t0 + secs(2.0)));
        assert!((b.rate() - 24.25).abs() < 1e-9);
        assert_eq!(b.limit_seen(), Some(48.5), "the rate the 429 came at");
        // Much later: a small step again.
        assert!(b.throttled(t0 + secs(30.0), t0 + secs(30.0)));
        assert!((b.rate() - 24.25 * 0.97).abs() < 1e-9);
    }

    #[test]
    fn below_the_limit_seen_it_climbs_fast_and_at_it_it_probes_slowly() {
        let t0 = Instant::now();
        let mut b = AdaptiveRate::new(50.0, None, 1.0, t0);
        b.throttled(t0, t0);
        b.throttled(t0 + secs(1.0), t0 + secs(1.0)); // 24.25, limit seen 48.5
        let t = t0 + secs(20.0);
        let mut b2 = AdaptiveRate::new(10.0, None, 1.0, t);
        b2.limit_seen = Some(50.0);
        drive(&mut b2, t, 3.1, 0.02);
        assert!(
            b2.rate() > 30.0 && b2.rate() < 50.0,
            "fast while far: {}",
            b2.rate()
        );
        drive(&mut b2, t + secs(3.1), 20.0, 0.02);
        assert!(b2.rate() > 45.0, "{}", b2.rate());
        let before = b2.rate();
        drive(&mut b2, t + secs(23.1), 5.0, 0.02);
        let probed = b2.rate() - before;
        assert!(probed > 0.4 && probed < 3.0, "probing is slow: +{probed}");
        assert!(b.rate() < 25.0);
    }

    #[test]
    fn rising_latency_eases_the_rate() {
        let t0 = Instant::now();
        let mut b = AdaptiveRate::new(40.0, None, 1.0, t0);
        drive(&mut b, t0, 3.0, 0.02);
        assert!(b.rate() > 40.0);
        drive(&mut b, t0 + secs(3.0), 0.5, 0.5);
        let steady = b.rate();
        drive(&mut b, t0 + secs(3.5), 3.0, 0.5);
        assert!(b.congested());
        assert!(b.rate() < steady, "{} !< {steady}", b.rate());
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let t0 = Instant::now();
        let mut b = AdaptiveRate::new(1.0, None, 1.0, t0);
        for i in 0..40 {
            let now = t0 + secs(f64::from(i) * 0.1);
            b.throttled(now, now);
        }
        assert_eq!(b.rate(), MIN_RATE);
        assert!(b.ready_in(t0 + secs(4.0)) <= secs(10.0));
    }
}
