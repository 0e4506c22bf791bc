//! Fault injection: latency, 429 token buckets, 5xx rates, dropped responses, outages and
//! search-index lag, so clients can be tested against the ways Jira misbehaves.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::time::{format_jira, now_ms};

/// The faults to inject; all off by default. Set at start (`SandboxConfig::faults`), from
/// tests through [`crate::SandboxHandle::set_faults`], or over HTTP with
/// `PUT /_sandbox/faults` (same JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Delay added before every authenticated request is handled.
    pub latency_ms: u64,
    /// Requests per second allowed per endpoint and method (token bucket, burst = rate);
    /// beyond it: 429 with `RateLimit-Reason: jira-burst-based`.
    pub rate_limit_per_sec: Option<f64>,
    /// Writes per second allowed per issue; beyond it: 429 with
    /// `RateLimit-Reason: jira-per-issue-on-write`.
    pub issue_writes_per_sec: Option<f64>,
    /// Requests allowed per quota window on the whole site (Jira's hourly points quota,
    /// counting one point a request); beyond it: 429 with `RateLimit-Reason:
    /// jira-quota-tenant-based` (or `jira-quota-global-based` with `quota_global`) and a
    /// `Retry-After` reaching the window's end.
    pub quota_requests: Option<u64>,
    /// The quota window in milliseconds; 0 means Jira's hour.
    pub quota_window_ms: u64,
    /// The quota is the app's across all sites, not this site's.
    pub quota_global: bool,
    /// Fraction (0..=1) of requests answered 500 before doing anything.
    pub error_500_rate: f64,
    /// Fraction (0..=1) of requests answered 503 before doing anything.
    pub error_503_rate: f64,
    /// Fraction (0..=1) of successful writes whose response is dropped after the write is
    /// committed (the client sees the connection fail, the write happened).
    pub drop_after_commit_rate: f64,
    /// Start an outage now lasting this long: every request gets 503.
    pub outage_ms: u64,
    /// Search sees an issue only this long after it was created.
    pub index_lag_ms: u64,
}

/// A token bucket refilled continuously at `rate` tokens per second.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A rate-limit refusal: what goes into the 429 headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Throttle {
    /// Whole seconds to wait (`Retry-After`), at least 1.
    pub retry_after_secs: u64,
    /// When the limit resets, `yyyy-MM-ddTHH:mmZ` (`X-RateLimit-Reset`).
    pub reset: String,
    /// `RateLimit-Reason` value.
    pub reason: &'static str,
}

/// Fault state shared by all requests.
#[derive(Debug, Default)]
pub struct Faults {
    config: Mutex<FaultConfig>,
    outage_until: Mutex<Option<Instant>>,
    buckets: Mutex<HashMap<String, Bucket>>,
    /// The current quota window's start and the requests counted in it.
    quota: Mutex<Option<(Instant, u64)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Faults {
    /// Fault state starting from `config` (an `outage_ms` starts the outage now).
    pub fn new(config: FaultConfig) -> Self {
        let faults = Self::default();
        faults.set(config);
        faults
    }

    /// Replaces the configuration; resets buckets so a new limit applies at once.
    pub fn set(&self, config: FaultConfig) {
        *lock(&self.outage_until) = (config.outage_ms > 0)
            .then(|| Instant::now() + Duration::from_millis(config.outage_ms));
        lock(&self.buckets).clear();
        *lock(&self.quota) = None;
        *lock(&self.config) = config;
    }

    /// The current configuration.
    pub fn get(&self) -> FaultConfig {
        lock(&self.config).clone()
    }

    /// Whether an outage is in progress.
    pub fn in_outage(&self) -> bool {
        lock(&self.outage_until).is_some_and(|until| Instant::now() < until)
    }

    /// Counts one request against the site's quota window.
    pub fn take_quota(&self) -> Result<(), Throttle> {
        let (limit, window_ms, global) = {
            let c = lock(&self.config);
            (c.quota_requests, c.quota_window_ms, c.quota_global)
        };
        let Some(limit) = limit else {
            return Ok(());
        };
        let window = Duration::from_millis(if window_ms == 0 { 3_600_000 } else { window_ms });
        let now = Instant::now();
        let mut quota = lock(&self.quota);
        let (start, used) = match *quota {
            Some((start, used)) if now.duration_since(start) < window => (start, used),
            _ => (now, 0),
        };
        if used < limit {
            *quota = Some((start, used + 1));
            return Ok(());
        }
        *quota = Some((start, used));
        let left = window.saturating_sub(now.duration_since(start));
        let retry_after_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let reset_ms = now_ms() + i64::try_from(left.as_millis()).unwrap_or(i64::MAX / 2);
        Err(Throttle {
            retry_after_secs: retry_after_secs.max(1),
            reset: reset_minute(reset_ms),
            reason: if global {
                "jira-quota-global-based"
            } else {
                "jira-quota-tenant-based"
            },
        })
    }

    /// Takes one token from the endpoint bucket (`endpoint` = method + route).
    pub fn take_endpoint(&self, endpoint: &str) -> Result<(), Throttle> {
        let rate = lock(&self.config).rate_limit_per_sec;
        self.take(format!("endpoint {endpoint}"), rate, "jira-burst-based")
    }

    /// Takes one token from the per-issue write bucket.
    pub fn take_issue_write(&self, issue: &str) -> Result<(), Throttle> {
        let rate = lock(&self.config).issue_writes_per_sec;
        self.take(
            format!("issue {}", issue.to_ascii_uppercase()),
            rate,
            "jira-per-issue-on-write",
        )
    }

    fn take(&self, key: String, rate: Option<f64>, reason: &'static str) -> Result<(), Throttle> {
        let Some(rate) = rate.filter(|r| *r > 0.0) else {
            return Ok(());
        };
        let capacity = rate.max(1.0);
        let now = Instant::now();
        let mut buckets = lock(&self.buckets);
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / rate;
        // Saturating float-to-int casts: `wait` is small and positive here.
        let retry_after_secs = (wait.ceil() as u64).max(1);
        let reset_ms = now_ms() + i64::try_from(retry_after_secs * 1000).unwrap_or(i64::MAX / 2);
        Err(Throttle {
            retry_after_secs,
            reset: reset_minute(reset_ms),
            reason,
        })
    }

    /// Draws whether this request gets an injected 500 or 503.
    pub fn draw_error(&self) -> Option<u16> {
        let c = lock(&self.config).clone();
        let roll: f64 = rand::random();
        if roll < c.error_500_rate {
            Some(500)
        } else if roll < c.error_500_rate + c.error_503_rate {
            Some(503)
        } else {
            None
        }
    }

    /// Draws whether this committed write's response is dropped.
    pub fn draw_drop(&self) -> bool {
        let rate = lock(&self.config).drop_after_commit_rate;
        rate > 0.0 && rand::random::<f64>() < rate
    }

    /// Configured latency.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(lock(&self.config).latency_ms)
    }

    /// Configured index lag in milliseconds.
    pub fn index_lag_ms(&self) -> i64 {
        i64::try_from(lock(&self.config).index_lag_ms).unwrap_or(i64::MAX)
    }
}

/// Jira's `X-RateLimit-Reset` format: minute precision, UTC, `Z`.
fn reset_minute(ms: i64) -> String {
    let full = format_jira(ms);
    format!("{}Z", &full[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_throttles_with_headers() {
        let faults = Faults::new(FaultConfig {
            rate_limit_per_sec: Some(2.0),
            ..Default::default()
        });
        assert!(faults.take_endpoint("POST /issue").is_ok());
        assert!(faults.take_endpoint("POST /issue").is_ok());
        let t = faults.take_endpoint("POST /issue").unwrap_err();
        assert_eq!(t.retry_after_secs, 1);
        assert_eq!(t.reason, "jira-burst-based");
        assert_eq!(t.reset.len(), 17);
        assert!(t.reset.ends_with('Z'));
        assert!(
            faults.take_endpoint("GET /issue").is_ok(),
            "other endpoints have their own bucket"
        );
    }

    #[test]
    fn the_quota_refuses_until_its_window_ends_naming_its_scope() {
        let faults = Faults::new(FaultConfig {
            quota_requests: Some(2),
            quota_window_ms: 5_000,
            ..Default::default()
        });
        assert!(faults.take_quota().is_ok());
        assert!(faults.take_quota().is_ok());
        let t = faults.take_quota().unwrap_err();
        assert_eq!(t.reason, "jira-quota-tenant-based");
        assert!((4..=5).contains(&t.retry_after_secs), "{t:?}");
        faults.set(FaultConfig {
            quota_requests: Some(0),
            quota_global: true,
            ..Default::default()
        });
        let t = faults.take_quota().unwrap_err();
        assert_eq!(t.reason, "jira-quota-global-based");
        assert!(t.retry_after_secs > 3_000, "Jira's hour: {t:?}");
    }

    #[test]
    fn per_issue_bucket_is_case_insensitive_on_key() {
        let faults = Faults::new(FaultConfig {
            issue_writes_per_sec: Some(1.0),
            ..Default::default()
        });
        assert!(faults.take_issue_write("sup-1").is_ok());
        let t = faults.take_issue_write("SUP-1").unwrap_err();
        assert_eq!(t.reason, "jira-per-issue-on-write");
        assert!(faults.take_issue_write("SUP-2").is_ok());
    }

    #[test]
    fn no_limits_by_default_and_rates_of_one_always_fire() {
        let faults = Faults::default();
        for _ in 0..100 {
            assert!(faults.take_endpoint("GET /x").is_ok());
        }
        assert_eq!(faults.draw_error(), None);
        faults.set(FaultConfig {
            error_503_rate: 1.0,
            drop_after_commit_rate: 1.0,
            ..Default::default()
        });
        assert_eq!(faults.draw_error(), Some(503));
        assert!(faults.draw_drop());
    }

    #[test]
    fn outage_starts_on_set_and_ends() {
        let faults = Faults::new(FaultConfig {
            outage_ms: 30,
            ..Default::default()
        });
        assert!(faults.in_outage());
        std::thread::sleep(Duration::from_millis(40));
        assert!(!faults.in_outage());
    }

    #[test]
    fn unknown_fault_keys_are_rejected() {
        assert!(serde_json::from_str::<FaultConfig>(r#"{"latency":5}"#).is_err());
        let c: FaultConfig = serde_json::from_str(r#"{"latency_ms":5}"#).unwrap();
        assert_eq!(c.latency_ms, 5);
    }
}
