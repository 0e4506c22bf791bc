//! Request and effect counters, so tests can assert "exactly one create".

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

/// Counters since start (or the last reset).
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<StatsSnapshot>,
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

    /// Zeroes all counters.
    pub fn reset(&self) {
        self.with(|s| *s = StatsSnapshot::default());
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
        stats.reset();
        assert_eq!(stats.snapshot(), StatsSnapshot::default());
    }
}
