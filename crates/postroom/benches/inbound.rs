//! Mails per second from the SMTP `250` to a Jira issue in the sandbox: the listener, the
//! intake, the queue, the inbound worker and the Jira client, all in this process, with
//! the sandbox on a loopback socket.
//!
//! - `unlimited`: the sandbox answers at once; SQLite, and PostgreSQL when
//!   `POSTROOM_TEST_PG` names a server. After the run the latency from each mail's `250`
//!   to its committed result is printed as p50/p99.
//! - `limited`: the sandbox adds 100 ms to every request and allows 10 requests per second
//!   per endpoint; the client is set to 10 requests per second. Printed afterwards: the
//!   request rate reached (aim: at least 95 % of 10/s) and the 429s seen (aim: none).
//! - `ordering`: a burst of 1,000 independent mails (10 connections × 100) on SQLite with
//!   the conversation order on (`ordered`, the default wait) and off (`unordered`,
//!   `inbound.thread_wait_secs = 0`): the cost of the ordering check (aim: under 5 %).
//!   Afterwards 50 originals, each followed at once by its reply, are sent with the order
//!   on, and the p50/p99 latency from `250` to result of originals and of replies is
//!   printed: what a reply pays for waiting for its original.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jira_sandbox::{FaultConfig, RunningSandbox, Sandbox, SandboxConfig};
use postroom::inbound::ListenerSink;
use postroom::trackers::Trackers;
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_core::redact::Redactor;
use postroom_core::tenant::TenantId;
use postroom_engine::inbound::{DEFAULT_THREAD_WAIT, Inbound};
use postroom_engine::intake::{Intake, JOB_KIND};
use postroom_engine::worker::{Registry, WorkerConfig, Workers};
use postroom_jira::{Auth, JiraConfig, Politeness, Secret};
use postroom_mail::smtp::{Listener, ListenerConfig, RateLimit};
use postroom_store::blobs::{BlobConfig, BlobStore};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::{JiraConnection, Store, TenantStore, testing};
use tokio_util::sync::CancellationToken;

const PROFILE: &str = r#"{"own": {"addresses": ["support@example.com"]},
    "default": {"project": "SUP", "issue_type": "Task"}}"#;

static NEXT: AtomicU64 = AtomicU64::new(0);

fn message(sender: u64) -> Vec<u8> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "Message-ID: <inbound-bench-{n}@example.org>\r\nFrom: Customer <c{sender}@example.org>\r\n\
         To: support@example.com\r\nSubject: printer {n}\r\n\r\n\
         The printer on the third floor prints blank pages again.\r\n\r\nRegards\r\n.\r\n"
    )
    .into_bytes()
}

/// Sends `count` mails on one connection; returns intake id → time of its `250`.
async fn client(addr: SocketAddr, count: u64, sender: u64) -> Vec<(String, i64)> {
    support::session(addr, count, || message(sender))
        .await
        .into_iter()
        .map(|(reply, at)| (reply.trim().rsplit(' ').next().unwrap().to_owned(), at))
        .collect()
}

/// One whole postroom in this process, pointed at `sandbox`.
struct Rig {
    tenant: TenantStore,
    smtp: SocketAddr,
    _dir: tempfile::TempDir,
}

async fn rig(
    store: &Store,
    sandbox: &RunningSandbox,
    politeness: Politeness,
    thread_wait: Duration,
    workers: usize,
) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let tenant = store
        .ensure_tenant(&TenantId::default_tenant(), &JiraConnection::default(), 1)
        .await
        .unwrap();
    let profile: CheckedProfile = Profile::load(PROFILE).unwrap();
    let mut tx = tenant.begin().await.unwrap();
    tx.put_profile(&serde_json::to_string(&profile.profile).unwrap(), "cli", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let keyring = Keyring::new(
        KeyVault::new(dir.path().join("keys")),
        MasterKey::generate(),
        None,
    );
    let blobs = BlobStore::open(&BlobConfig::Local(dir.path().join("blobs"))).unwrap();
    let intake = Intake::new(keyring, blobs, 25 << 20);

    let admin = sandbox.admin();
    let mut jira = JiraConfig::new(
        sandbox.base_url.clone(),
        Auth::ApiToken {
            email: admin.email,
            token: Secret::new(admin.api_token),
        },
    );
    jira.politeness = politeness;
    let trackers = Trackers::default();
    trackers.insert(TenantId::default_tenant(), jira);

    let mut registry = Registry::default();
    registry.register(
        JOB_KIND,
        Inbound::new(store.clone(), intake.clone(), trackers, false, thread_wait),
    );
    let workers = Workers::new(
        store,
        registry,
        WorkerConfig {
            concurrency: workers,
            batch: 1,
            ..WorkerConfig::default()
        },
    )
    .wake_on(intake.committed());
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _keep = _stop;
        workers.run(stopped).await;
    });

    let sink = ListenerSink::new(
        intake,
        postroom::tenancy::MailRoutes::single(
            tenant.clone(),
            postroom::profiles::SharedProfile::new(profile, 0),
        ),
    );
    let config = ListenerConfig {
        rate: RateLimit {
            burst: u32::MAX,
            per_minute: u32::MAX,
        },
        ..ListenerConfig::default()
    };
    let listener = Listener::bind(
        "127.0.0.1:0".parse().unwrap(),
        config,
        sink,
        Redactor::new([1; 32]),
    )
    .await
    .unwrap();
    let smtp = listener.local_addr().unwrap();
    tokio::spawn(listener.serve(CancellationToken::new()));
    Rig {
        tenant,
        smtp,
        _dir: dir,
    }
}

impl Rig {
    /// Sends `connections × per_connection` mails and waits for every result; returns the
    /// time taken and each mail's latency from `250` to its result in milliseconds.
    async fn batch(&self, connections: u64, per_connection: u64) -> (Duration, Vec<i64>) {
        let before = self.tenant.recent_results(1_000_000).await.unwrap().len();
        let start = Instant::now();
        let clients: Vec<_> = (0..connections)
            .map(|c| tokio::spawn(client(self.smtp, per_connection, c)))
            .collect();
        let mut sent = HashMap::new();
        for c in clients {
            sent.extend(c.await.unwrap());
        }
        let want = before + sent.len();
        loop {
            let results = self.tenant.recent_results(1_000_000).await.unwrap();
            if results.len() >= want {
                let elapsed = start.elapsed();
                let latencies = results
                    .iter()
                    .filter_map(|r| Some(r.processed_at_ms - sent.get(&r.intake_id)?))
                    .collect();
                return (elapsed, latencies);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Benchmarks `rig` under `name` with batches of `connections × per_connection` mails, then
/// prints the latency from each mail's `250` to its result.
fn batches(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    rig: &Rig,
    name: &str,
    (connections, per_connection): (u64, u64),
) {
    let mut latencies = Vec::new();
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (took, lat) = rt.block_on(rig.batch(connections, per_connection));
                total += took;
                latencies.extend(lat);
            }
            total
        });
    });
    latencies.sort_unstable();
    println!(
        "inbound {name}: latency from SMTP 250 to result over {} mails: p50 {} ms, p99 {} ms",
        latencies.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0)
    );
}

fn unlimited(c: &mut Criterion) {
    const CONNECTIONS: u64 = 5;
    const PER_CONNECTION: u64 = 10;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("inbound_to_issue_unlimited");
    group.throughput(Throughput::Elements(CONNECTIONS * PER_CONNECTION));
    group.sample_size(10);
    let stores = rt.block_on(testing::all_backends()).unwrap();
    for test_store in &stores {
        let sandbox = rt
            .block_on(Sandbox::start(SandboxConfig::default()))
            .unwrap();
        let politeness = Politeness {
            max_concurrency: 16,
            start_rate: 10_000.0,
            ..Politeness::default()
        };
        let rig = rt.block_on(rig(
            &test_store.store,
            &sandbox,
            politeness,
            DEFAULT_THREAD_WAIT,
            8,
        ));
        let name = format!("{:?}", test_store.backend());
        batches(&mut group, &rt, &rig, &name, (CONNECTIONS, PER_CONNECTION));
    }
    group.finish();
}

fn limited(c: &mut Criterion) {
    const MAILS: u64 = 20;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("inbound_to_issue_100ms_10rps");
    group.throughput(Throughput::Elements(MAILS));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    let store = rt.block_on(testing::sqlite()).unwrap();
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig::default()))
        .unwrap();
    sandbox.handle.set_faults(FaultConfig {
        latency_ms: 100,
        rate_limit_per_sec: Some(10.0),
        ..FaultConfig::default()
    });
    let politeness = Politeness {
        requests_per_sec: Some(10.0),
        burst_secs: 0.0,
        ..Politeness::default()
    };
    let rig = rt.block_on(rig(
        &store.store,
        &sandbox,
        politeness,
        DEFAULT_THREAD_WAIT,
        8,
    ));
    let before = sandbox.handle.stats();
    let mut busy = Duration::ZERO;
    group.bench_function("Sqlite", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (took, _) = rt.block_on(rig.batch(1, MAILS));
                total += took;
            }
            busy += total;
            total
        });
    });
    group.finish();
    let after = sandbox.handle.stats();
    let requests: u64 =
        after.requests.values().sum::<u64>() - before.requests.values().sum::<u64>();
    let throttled = after.effect("throttled") - before.effect("throttled");
    println!(
        "inbound limited: {requests} requests in {:.1} s = {:.2} req/s of 10 allowed; {throttled} answered 429",
        busy.as_secs_f64(),
        requests as f64 / busy.as_secs_f64()
    );
}

/// Issue 28's end-to-end figure (a): a site without a limit that answers in 20 ms, and the
/// client as `serve` builds it (the default politeness: it starts at 10 requests/s and learns
/// the rest), with `serve`'s default number of inbound workers and with 16. Ten senders,
/// one per connection, none a Jira user: once each is looked up (and remembered), a mail
/// costs one request, the create.
fn learnt(c: &mut Criterion) {
    const CONNECTIONS: u64 = 10;
    const PER_CONNECTION: u64 = 20;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("inbound_to_issue_20ms_learnt");
    group.throughput(Throughput::Elements(CONNECTIONS * PER_CONNECTION));
    group.sample_size(10);
    let stores = rt.block_on(testing::all_backends()).unwrap();
    for test_store in &stores {
        for workers in [4, 16] {
            let sandbox = rt
                .block_on(Sandbox::start(SandboxConfig::default()))
                .unwrap();
            sandbox.handle.set_faults(FaultConfig {
                latency_ms: 20,
                ..FaultConfig::default()
            });
            let rig = rt.block_on(rig(
                &test_store.store,
                &sandbox,
                Politeness::default(),
                DEFAULT_THREAD_WAIT,
                workers,
            ));
            let name = format!("{:?}/{workers}_workers", test_store.backend());
            batches(&mut group, &rt, &rig, &name, (CONNECTIONS, PER_CONNECTION));
        }
    }
    group.finish();
}

fn ordering(c: &mut Criterion) {
    const CONNECTIONS: u64 = 10;
    const PER_CONNECTION: u64 = 100;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("inbound_burst_1000");
    group.throughput(Throughput::Elements(CONNECTIONS * PER_CONNECTION));
    group.sample_size(10);
    let politeness = Politeness {
        max_concurrency: 16,
        start_rate: 10_000.0,
        ..Politeness::default()
    };
    for (name, wait) in [
        ("ordered", DEFAULT_THREAD_WAIT),
        ("unordered", Duration::ZERO),
    ] {
        let store = rt.block_on(testing::sqlite()).unwrap();
        let sandbox = rt
            .block_on(Sandbox::start(SandboxConfig::default()))
            .unwrap();
        let rig = rt.block_on(rig(&store.store, &sandbox, politeness.clone(), wait, 8));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += rt.block_on(rig.batch(CONNECTIONS, PER_CONNECTION)).0;
                }
                total
            });
        });
    }
    group.finish();

    let store = rt.block_on(testing::sqlite()).unwrap();
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig::default()))
        .unwrap();
    let rig = rt.block_on(rig(
        &store.store,
        &sandbox,
        politeness,
        DEFAULT_THREAD_WAIT,
        8,
    ));
    let (originals, replies) = rt.block_on(rig.pairs(50));
    println!(
        "inbound ordering: latency from SMTP 250 to result over 50 pairs sent back to back: \
         originals p50 {} ms, p99 {} ms; replies p50 {} ms, p99 {} ms",
        percentile(&originals, 50.0),
        percentile(&originals, 99.0),
        percentile(&replies, 50.0),
        percentile(&replies, 99.0)
    );
}

/// An original (even `n`) or the reply to the one before it (odd `n`).
fn pair_message(n: u64) -> Vec<u8> {
    let thread = n / 2;
    let headers = if n.is_multiple_of(2) {
        format!("Message-ID: <pair-{thread}@example.org>\r\nSubject: jammed {thread}\r\n")
    } else {
        format!(
            "Message-ID: <pair-{thread}-re@example.org>\r\nIn-Reply-To: <pair-{thread}@example.org>\r\n\
             References: <pair-{thread}@example.org>\r\nSubject: Re: jammed {thread}\r\n"
        )
    };
    format!(
        "{headers}From: Customer <c{thread}@example.org>\r\nTo: support@example.com\r\n\r\n\
         Still jammed.\r\n.\r\n"
    )
    .into_bytes()
}

impl Rig {
    /// Sends `count` originals, each followed at once by its reply, on one connection;
    /// returns the latencies (ms from `250` to result) of the originals and of the replies.
    async fn pairs(&self, count: u64) -> (Vec<i64>, Vec<i64>) {
        let before = self.tenant.recent_results(1_000_000).await.unwrap().len();
        let mut n = 0;
        let sent = support::session(self.smtp, 2 * count, || {
            n += 1;
            pair_message(n - 1)
        })
        .await;
        let sent: Vec<(String, i64)> = sent
            .into_iter()
            .map(|(reply, at)| (reply.trim().rsplit(' ').next().unwrap().to_owned(), at))
            .collect();
        let want = before + sent.len();
        let results = loop {
            let results = self.tenant.recent_results(1_000_000).await.unwrap();
            if results.len() >= want {
                break results;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let done: HashMap<&str, i64> = results
            .iter()
            .map(|r| (r.intake_id.as_str(), r.processed_at_ms))
            .collect();
        let (mut originals, mut replies) = (Vec::new(), Vec::new());
        for (i, (id, at)) in sent.iter().enumerate() {
            let latency = done[id.as_str()] - at;
            if i.is_multiple_of(2) {
                originals.push(latency);
            } else {
                replies.push(latency);
            }
        }
        originals.sort_unstable();
        replies.sort_unstable();
        (originals, replies)
    }
}

criterion_group!(benches, unlimited, limited, learnt, ordering);
criterion_main!(benches);
