//! Throughput of the queue's round trip: enqueue, take and complete, on each backend.
//!
//! One iteration moves `BATCH * ROUNDS` jobs through the queue: each round enqueues `BATCH`
//! jobs in one transaction, takes them with one leasing statement and completes them in one
//! transaction. PostgreSQL is measured when `POSTROOM_TEST_PG` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postroom_core::tenant::TenantId;
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, NewJob};

const BATCH: usize = 100;
const ROUNDS: usize = 10;

async fn round_trips(t: &TestStore, iters: u64, seq: &mut u64) -> Duration {
    let tenant = t
        .store
        .ensure_tenant(
            &TenantId::parse("bench").unwrap(),
            &JiraConnection::default(),
            0,
        )
        .await
        .unwrap();
    let queue = t.store.queue();
    let start = Instant::now();
    for _ in 0..iters {
        for _ in 0..ROUNDS {
            let jobs: Vec<NewJob> = (0..BATCH)
                .map(|_| {
                    *seq += 1;
                    NewJob {
                        kind: "bench".to_owned(),
                        payload: vec![7; 64],
                        idempotency_key: format!("k{seq}"),
                        run_at_ms: 0,
                    }
                })
                .collect();
            let mut tx = tenant.begin().await.unwrap();
            tx.enqueue_many(&jobs, 0).await.unwrap();
            tx.commit().await.unwrap();
            let taken = queue
                .take(&["bench"], u32::try_from(BATCH).unwrap(), 1, 60_000)
                .await
                .unwrap();
            assert_eq!(taken.len(), BATCH);
            let tx = queue.begin(&taken[0]).await.unwrap();
            queue.complete_all_in(tx, &taken, 2).await.unwrap();
        }
    }
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut stores = vec![("sqlite", rt.block_on(testing::sqlite()).unwrap())];
    if let Some(pg) = rt.block_on(testing::postgres()).unwrap() {
        stores.push(("postgres", pg));
    }
    let mut group = c.benchmark_group("queue_enqueue_take_complete");
    group.throughput(Throughput::Elements((BATCH * ROUNDS) as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for (name, store) in &stores {
        let mut seq = 0;
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| rt.block_on(round_trips(store, iters, &mut seq)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
