//! The queue's metrics, through the `metrics` facade (the binary installs the exporter).
//!
//! Names: `postroom_job_run_seconds{kind,outcome}` (histogram),
//! `postroom_job_retries_total{kind}`, `postroom_jobs_dead_total{kind}` (counters),
//! `postroom_queue_depth{tenant,kind}`, `postroom_queue_dead{tenant,kind}` and
//! `postroom_queue_oldest_age_seconds{tenant,kind}` (gauges).

use std::time::Duration;

use postroom_core::tenant::SiteLabels;
use postroom_store::queue::DepthRow;

pub(super) fn job_ran(kind: &str, outcome: &'static str, took: Duration) {
    metrics::histogram!("postroom_job_run_seconds", "kind" => kind.to_owned(), "outcome" => outcome)
        .record(took.as_secs_f64());
}

pub(super) fn retried(kind: &str) {
    metrics::counter!("postroom_job_retries_total", "kind" => kind.to_owned()).increment(1);
}

pub(super) fn died(kind: &str) {
    metrics::counter!("postroom_jobs_dead_total", "kind" => kind.to_owned()).increment(1);
}

/// Publishes one depth measurement; `now_ms` turns the oldest due job into an age. The
/// `tenant` label is the site's as `sites` names it (opaque unless configured otherwise).
pub(super) fn depth(rows: &[DepthRow], sites: &SiteLabels, now_ms: i64) {
    for row in rows {
        let labels = [
            ("tenant", sites.of(&row.tenant)),
            ("kind", row.kind.clone()),
        ];
        metrics::gauge!("postroom_queue_depth", &labels).set(count(row.ready));
        metrics::gauge!("postroom_queue_dead", &labels).set(count(row.dead));
        let age_ms = row
            .oldest_due_ms
            .map_or(0, |t| now_ms.saturating_sub(t).max(0));
        metrics::gauge!("postroom_queue_oldest_age_seconds", &labels).set(count(age_ms) / 1000.0);
    }
}

// Gauges are f64; counts far below 2^53 convert exactly.
#[allow(clippy::cast_precision_loss)]
fn count(n: i64) -> f64 {
    n as f64
}
