//! How well the adaptive pace follows limits it is not told, against the sandbox over
//! loopback HTTP, read from the sandbox's request log. Not a criterion benchmark: each
//! scenario is one timed run, and what matters is the rate reached and the 429s taken.
//!
//! `cargo bench -p postroom-jira --bench pace` prints, per scenario:
//! - (a) no limit, 20 ms latency: creates/s once the pace has opened up;
//! - (b) a hidden limit of 50 requests/s: requests/s accepted and the share of 429s;
//! - (c) the limit drops from 50 to 10 requests/s mid-run: how long until the 429s stop;
//! - (d) three clients (three instances) against one site limited to 30 requests/s.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // benchmark set-up

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jira_sandbox::{FaultConfig, LoggedRequest, Sandbox, SandboxConfig};
use postroom_core::ports::tracker::Tracker;
use postroom_jira::{JiraClient, Politeness};
use support::issue;

/// Callers sending at once: more than any rate here needs, so the pace is the limit.
const CALLERS: usize = 32;

/// Creates issues from `CALLERS` tasks per client until `stop` is set.
fn drive(clients: &[JiraClient], stop: &Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
    clients
        .iter()
        .flat_map(|c| {
            (0..CALLERS).map(move |_| {
                let c = c.clone();
                let stop = Arc::clone(stop);
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        // Errors (a 429 beyond the inline wait) are counted from the log.
                        let _ = c.create_issue(&issue()).await;
                    }
                })
            })
        })
        .collect()
}

/// Creates accepted and 429s in the log between `from_ms` and `to_ms`.
fn window(log: &[LoggedRequest], from_ms: f64, to_ms: f64) -> (f64, f64) {
    let inside: Vec<&LoggedRequest> = log
        .iter()
        .filter(|r| r.method == "POST" && r.route.ends_with("/issue"))
        .filter(|r| r.received_ms >= from_ms && r.received_ms < to_ms)
        .collect();
    let accepted = inside.iter().filter(|r| r.status == 201).count() as f64;
    let throttled = inside.iter().filter(|r| r.status == 429).count() as f64;
    let secs = (to_ms - from_ms) / 1000.0;
    (accepted / secs, throttled / (accepted + throttled).max(1.0))
}

async fn run(
    faults: FaultConfig,
    instances: usize,
    secs: u64,
    change: Option<(u64, FaultConfig)>,
) -> Vec<LoggedRequest> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut clients = Vec::new();
    for _ in 0..instances {
        let politeness = Politeness {
            max_concurrency: 32,
            ..Politeness::default()
        };
        clients.push(support::client(&sandbox, politeness).await);
    }
    sandbox.handle.reset_stats();
    sandbox.handle.set_faults(faults);
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = drive(&clients, &stop);
    if let Some((at, later)) = change {
        tokio::time::sleep(Duration::from_secs(at)).await;
        sandbox.handle.set_faults(later);
        tokio::time::sleep(Duration::from_secs(secs - at)).await;
    } else {
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let log = sandbox.handle.requests();
    let base = log.first().map_or(0.0, |r| r.received_ms);
    sandbox.shutdown().await;
    log.into_iter()
        .map(|mut r| {
            r.received_ms -= base;
            r.answered_ms -= base;
            r
        })
        .collect()
}

/// The first whole second after `from_ms` from which every 5 s window accepts between 80 %
/// and 105 % of `limit` creates a second.
fn followed_after(log: &[LoggedRequest], from_ms: f64, limit: f64) -> Option<f64> {
    let end = log.iter().map(|r| r.received_ms).fold(0.0, f64::max);
    let steps = ((end - from_ms) / 1000.0).floor() as u32;
    (0..steps).map(f64::from).find(|&t| {
        let mut at = from_ms + t * 1000.0;
        while at + 5_000.0 <= end {
            let (rate, _) = window(log, at, at + 5_000.0);
            if !(0.8 * limit..=1.05 * limit).contains(&rate) {
                return false;
            }
            at += 1_000.0;
        }
        true
    })
}

/// The first second from `from_ms` after which no 429 came for 5 s.
fn settled_after(log: &[LoggedRequest], from_ms: f64) -> Option<f64> {
    let throttles: Vec<f64> = log
        .iter()
        .filter(|r| r.status == 429 && r.received_ms >= from_ms)
        .map(|r| r.received_ms)
        .collect();
    let end = log.iter().map(|r| r.received_ms).fold(0.0, f64::max);
    let last = throttles.last().copied().unwrap_or(from_ms);
    (end - last >= 5_000.0).then(|| (last - from_ms) / 1000.0)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let log = run(
            FaultConfig {
                latency_ms: 20,
                ..FaultConfig::default()
            },
            1,
            20,
            None,
        )
        .await;
        let (opened, _) = window(&log, 10_000.0, 20_000.0);
        let (first, _) = window(&log, 0.0, 1_000.0);
        println!(
            "(a) no limit, 20 ms latency: {first:.0} creates/s in the first second, \
             {opened:.0} creates/s from 10 s to 20 s"
        );

        let limit = |rate| FaultConfig {
            rate_limit_per_sec: Some(rate),
            ..FaultConfig::default()
        };
        let log = run(limit(50.0), 1, 60, None).await;
        let (rate, share) = window(&log, 10_000.0, 60_000.0);
        println!(
            "(b) hidden limit 50/s: {rate:.1} creates/s accepted from 10 s to 60 s \
             ({:.1} % of the limit), {:.2} % of requests answered 429",
            rate / 50.0 * 100.0,
            share * 100.0
        );

        let log = run(limit(50.0), 1, 60, Some((20, limit(10.0)))).await;
        let (before, _) = window(&log, 10_000.0, 20_000.0);
        let (after, share) = window(&log, 40_000.0, 60_000.0);
        let settled = settled_after(&log, 20_000.0)
            .map_or_else(|| "not within the run".to_owned(), |s| format!("{s:.1} s"));
        let followed = followed_after(&log, 20_000.0, 10.0)
            .map_or_else(|| "not within the run".to_owned(), |s| format!("{s:.0} s"));
        let (first, first_share) = window(&log, 20_000.0, 25_000.0);
        println!(
            "(c) limit 50 → 10/s at 20 s: {before:.1}/s before; {first:.1}/s with {:.1} % 429s \
             in the 5 s after the drop; within 80–105 % of the new limit in every 5 s window \
             from {followed} after it; {after:.1}/s from 40 s to 60 s ({:.2} % 429s); \
             last 429 {settled} after the drop",
            first_share * 100.0,
            share * 100.0
        );

        let log = run(limit(30.0), 3, 60, None).await;
        let (rate, share) = window(&log, 10_000.0, 60_000.0);
        println!(
            "(d) three clients, one site limited to 30/s: {rate:.1} creates/s accepted in all \
             from 10 s to 60 s, {:.2} % of requests answered 429",
            share * 100.0
        );
    });
}
