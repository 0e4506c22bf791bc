//! The console's busiest API calls against a site with 100,000 messages in its audit:
//! `GET /api/v1/overview` and `GET /api/v1/audit` (the newest 100, and the failed ones),
//! through the real router on loopback with an admin token, as the console calls them.
//!
//! The rows are written straight into the tables in one transaction (a real intake of
//! 100,000 mails would take minutes and measure something else): 100,000 messages over the
//! instance's 30-day retention, from 2,000 senders, each with a result. Criterion reports
//! the mean; the p50 and p99 of 1,000 calls each are printed after it, for BENCHMARKS.md
//! (the console's acceptance: p99 ≤ 20 ms).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

mod api_support;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use postroom::trackers::Trackers;
use postroom_core::tenant::TenantId;
use postroom_store::tokens::{ApiTokens, Scope};
use postroom_store::{JiraConnection, Store};

const ROWS: usize = 100_000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const STATUSES: [&str; 6] = [
    "created",
    "commented",
    "commented",
    "ignored",
    "held",
    "failed",
];

struct Site {
    base: String,
    token: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("postroom.db").display());
    let store = Store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    let tenant = store
        .ensure_tenant(&TenantId::default_tenant(), &JiraConnection::default(), 1)
        .await
        .unwrap();
    fill(&store, postroom::app::now_ms()).await;
    let (_, token) = ApiTokens::new(tenant)
        .create("557058:bench", "bench", Scope::Admin, 1)
        .await
        .unwrap();
    let base = api_support::serve(store, Trackers::default(), dir.path()).await;
    Site {
        base,
        token: token.expose().to_owned(),
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

/// 100,000 messages received over the last 30 days, each with its result.
async fn fill(store: &Store, now: i64) {
    let mut tx = store.db().pool().begin().await.unwrap();
    let step = 30 * DAY_MS / ROWS as i64;
    for n in 0..ROWS {
        let at = now - 30 * DAY_MS + step * n as i64;
        let id = format!("bench{n:08}");
        sqlx::query(
            "INSERT INTO intake (id, tenant_id, mailbox, source, dedupe_hash, size, status, \
             received_at_ms) VALUES ($1, 'default', 'support', 'listener', $2, 2048, 'queued', $3)",
        )
        .bind(&id)
        .bind(format!("dedupe{n}"))
        .bind(at)
        .execute(&mut *tx)
        .await
        .unwrap();
        let status = STATUSES[n % STATUSES.len()];
        sqlx::query(
            "INSERT INTO inbound_results (tenant_id, intake_id, status, issue_key, sender_hash, \
             report, processed_at_ms) VALUES ('default', $1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(status)
        .bind(format!("SUP-{}", n / 3 + 1))
        .bind(format!("addr:{:012x}", n % 2_000))
        .bind(vec![0_u8; 64])
        .bind(at + 1_000)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

impl Site {
    async fn get(&self, path: &str) -> usize {
        api_support::get(&self.client, &format!("{}{path}", self.base), &self.token).await
    }
}

const CALLS: [(&str, &str); 3] = [
    ("overview", "/api/v1/overview"),
    ("audit_newest_100", "/api/v1/audit"),
    ("audit_failed_100", "/api/v1/audit?status=failed"),
];

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = runtime.block_on(site());
    let mut group = c.benchmark_group("console_api_100k");
    group.measurement_time(Duration::from_secs(5));
    for (name, path) in CALLS {
        group.bench_function(name, |b| b.iter(|| runtime.block_on(site.get(path))));
    }
    group.finish();
    for (name, path) in CALLS {
        let mut times: Vec<Duration> = runtime.block_on(async {
            let mut times = Vec::with_capacity(1_000);
            for _ in 0..1_000 {
                let start = Instant::now();
                site.get(path).await;
                times.push(start.elapsed());
            }
            times
        });
        times.sort_unstable();
        println!(
            "console_api_100k/{name}: p50 {:.2} ms, p99 {:.2} ms over {} calls",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() * 99 / 100].as_secs_f64() * 1e3,
            times.len()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
