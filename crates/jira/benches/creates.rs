//! Issue creates per second the client sustains against the sandbox over loopback HTTP:
//! at 0 ms and 50 ms added latency with no rate limit, and under a 20 req/s limit that the
//! client is configured to respect (the 429s it still got are printed after the run).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

mod support;

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::future::join_all;
use jira_sandbox::{FaultConfig, RunningSandbox, Sandbox, SandboxConfig};
use postroom_core::ports::tracker::Tracker;
use postroom_jira::{JiraClient, Politeness};
use support::issue;

const BATCH: u64 = 50;

async fn setup(faults: FaultConfig, politeness: Politeness) -> (RunningSandbox, JiraClient) {
    let sandbox = Sandbox::start(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = support::client(&sandbox, politeness).await;
    (sandbox, client)
}

async fn batch(client: &JiraClient) {
    let results = join_all((0..BATCH).map(|_| {
        let new = issue();
        async move { client.create_issue(&new).await }
    }))
    .await;
    for r in results {
        r.unwrap();
    }
}

fn creates(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let unlimited = Politeness {
        start_rate: 10_000.0,
        max_concurrency: 16,
        ..Politeness::default()
    };
    let mut group = c.benchmark_group("jira_creates");
    group.throughput(Throughput::Elements(BATCH));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));

    for latency_ms in [0u64, 50] {
        let (sandbox, client) = rt.block_on(setup(
            FaultConfig {
                latency_ms,
                ..FaultConfig::default()
            },
            unlimited.clone(),
        ));
        group.bench_function(format!("latency_{latency_ms}ms_concurrency_16"), |b| {
            b.to_async(&rt).iter(|| batch(&client))
        });
        rt.block_on(sandbox.shutdown());
    }

    let limit = 20.0;
    let polite = Politeness {
        requests_per_sec: Some(limit),
        burst_secs: 0.0,
        max_concurrency: 16,
        ..Politeness::default()
    };
    let (sandbox, client) = rt.block_on(setup(
        FaultConfig {
            rate_limit_per_sec: Some(limit),
            ..FaultConfig::default()
        },
        polite,
    ));
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("sandbox_limit_20rps_client_configured_20rps", |b| {
        b.to_async(&rt).iter(|| batch(&client))
    });
    let stats = sandbox.handle.stats();
    eprintln!(
        "under a 20 req/s limit: {} creates, {} answered 429",
        stats.effect("issue_created"),
        stats.effect("throttled")
    );
    rt.block_on(sandbox.shutdown());
    group.finish();
}

criterion_group!(benches, creates);
criterion_main!(benches);
