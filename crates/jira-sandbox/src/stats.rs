//! Request and effect counters, so tests can assert "exactly one create", and a log of the
//! last requests with their times, so tests can assert order and pauses.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

/// Requests the log keeps (the oldest go first).
const LOG_LIMIT: usize = 200_000;

/// Counters since start (or the last reset).
#[derive(Debug)]
pub struct Stats {
    inner: Mutex<StatsSnapshot>,
    log: Mutex<VecDeque<LoggedRequest>>,
    epoch: Instant,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            inner: Mutex::new(StatsSnapshot::default()),
            log: Mutex::new(VecDeque::new()),
            epoch: Instant::now(),
        }
    }
}

/// One request as the site saw it, as served by `GET /_sandbox/requests`. Times are
/// milliseconds since the site started. The query is left out (it may hold an address).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// When the request arrived.
    pub received_ms: f64,
    /// When its answer was sent.
    pub answered_ms: f64,
    pub method: String,
    /// The matched route template, e.g. `/rest/api/3/issue/{key}/comment`.
    pub route: String,
    /// The path as sent.
    pub path: String,
    /// The issue a write targets (key or id, upper case), as the per-issue limit counts it.
    pub issue_write: Option<String>,
    pub status: u16,
    /// `Retry-After` of the answer, in seconds.
    pub retry_after_secs: Option<u64>,
    /// `RateLimit-Reason` of the answer.
    pub reason: Option<String>,
}

/// A copy of the counters, as served by `GET /_sandbox/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// `METHOD route` → requests received (route as matched, e.g. `/rest/api/3/issue/{key}`).
    pub requests: BTreeMap<String, u64>,
    /// `METHOD route STATUS` → responses sent.
    pub responses: BTreeMap<String, u64>,
    /// Effect name → count: `issue_created`, `comment_created`, `throttled`, `fault_500`,
    /// `fault_503`, `outage_503`, `response_dropped`, `unauthorized`, `webhook_delivered`,
    /// `webhook_failed_attempt`, `webhook_gave_up`, ...
    pub effects: BTreeMap<String, u64>,
}

impl StatsSnapshot {
    /// Count of an effect (0 if never seen).
    pub fn effect(&self, name: &str) -> u64 {
        self.effects.get(name).copied().unwrap_or(0)
    }

    /// Requests received for `METHOD route` (0 if none).
    pub fn requests_to(&self, endpoint: &str) -> u64 {
        self.requests.get(endpoint).copied().unwrap_or(0)
    }
}

impl Stats {
    fn with<R>(&self, f: impl FnOnce(&mut StatsSnapshot) -> R) -> R {
        f(&mut self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Counts a received request.
    pub fn request(&self, endpoint: &str) {
        self.with(|s| *s.requests.entry(endpoint.to_owned()).or_default() += 1);
    }

    /// Counts a sent response.
    pub fn response(&self, endpoint: &str, status: u16) {
        self.with(|s| {
            *s.responses
                .entry(format!("{endpoint} {status}"))
                .or_default() += 1
        });
    }

    /// Counts an effect.
    pub fn effect(&self, name: &str) {
        self.with(|s| *s.effects.entry(name.to_owned()).or_default() += 1);
    }

    /// A copy of all counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        self.with(|s| s.clone())
    }

    /// Zeroes all counters and empties the request log.
    pub fn reset(&self) {
        self.with(|s| *s = StatsSnapshot::default());
        self.log_lock().clear();
    }

    fn log_lock(&self) -> std::sync::MutexGuard<'_, VecDeque<LoggedRequest>> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Milliseconds from the site's start to `at`.
    pub fn since_start_ms(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.epoch).as_secs_f64() * 1000.0
    }

    /// Adds a request to the log.
    pub fn log(&self, request: LoggedRequest) {
        let mut log = self.log_lock();
        if log.len() >= LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(request);
    }

    /// The logged requests, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log_lock().iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accumulate_and_reset() {
        let stats = Stats::default();
        stats.request("POST /rest/api/3/issue");
        stats.request("POST /rest/api/3/issue");
        stats.response("POST /rest/api/3/issue", 201);
        stats.effect("issue_created");
        let snap = stats.snapshot();
        assert_eq!(snap.requests_to("POST /rest/api/3/issue"), 2);
        assert_eq!(snap.responses["POST /rest/api/3/issue 201"], 1);
        assert_eq!(snap.effect("issue_created"), 1);
        assert_eq!(snap.effect("never"), 0);
        let at = stats.since_start_ms(Instant::now());
        stats.log(LoggedRequest {
            received_ms: at,
            answered_ms: at,
            method: "POST".into(),
            route: "/rest/api/3/issue".into(),
            path: "/rest/api/3/issue".into(),
            issue_write: None,
            status: 201,
            retry_after_secs: None,
            reason: None,
        });
        assert_eq!(stats.requests().len(), 1);
        stats.reset();
        assert_eq!(stats.snapshot(), StatsSnapshot::default());
        assert!(stats.requests().is_empty());
    }
}
