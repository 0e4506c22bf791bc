//! Requests per second the sandbox serves over loopback for issue create and JQL search,
//! one at a time and 32 in flight, so it is never the bottleneck of postroom's benchmarks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark setup

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::future::join_all;
use jira_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const IN_FLIGHT: usize = 32;
const SEEDED_ISSUES: usize = 1000;

fn issue(n: usize) -> Value {
    json!({"fields": {
        "project": {"key": "SUP"}, "issuetype": {"name": "Task"}, "summary": format!("bench issue {n}"),
        "description": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "benchmark body"}]}]},
    }})
}

struct Target {
    sb: RunningSandbox,
    http: reqwest::Client,
    auth: String,
}

impl Target {
    async fn post(&self, path: &str, body: &Value) -> u16 {
        let r = self
            .http
            .post(format!("{}{path}", self.sb.base_url))
            .header("authorization", &self.auth)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        black_box(r.bytes().await.unwrap());
        status
    }
}

fn start(rt: &Runtime) -> Target {
    rt.block_on(async {
        let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let auth = sb.admin().basic_header();
        Target {
            sb,
            http: reqwest::Client::new(),
            auth,
        }
    })
}

fn create(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let t = start(&rt);
    let mut g = c.benchmark_group("create");
    let mut n = 0;
    g.throughput(Throughput::Elements(1));
    g.bench_function("sequential", |b| {
        b.iter(|| {
            n += 1;
            assert_eq!(rt.block_on(t.post("/rest/api/3/issue", &issue(n))), 201);
        })
    });
    g.throughput(Throughput::Elements(IN_FLIGHT as u64));
    g.bench_function("32_in_flight", |b| {
        b.iter(|| {
            n += IN_FLIGHT;
            let bodies: Vec<Value> = (0..IN_FLIGHT).map(|i| issue(n + i)).collect();
            let statuses = rt.block_on(join_all(
                bodies.iter().map(|body| t.post("/rest/api/3/issue", body)),
            ));
            assert!(statuses.iter().all(|s| *s == 201));
        })
    });
    g.finish();
}

fn search(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let t = start(&rt);
    rt.block_on(async {
        for n in 0..SEEDED_ISSUES {
            assert_eq!(t.post("/rest/api/3/issue", &issue(n)).await, 201);
        }
    });
    let query = json!({"jql": "project = SUP AND summary ~ \"issue 42\" AND created >= -1d ORDER BY created DESC",
                       "fields": ["summary", "status", "comment"], "maxResults": 50});
    let mut g = c.benchmark_group(format!("search_jql_{SEEDED_ISSUES}_issues"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("sequential", |b| {
        b.iter(|| assert_eq!(rt.block_on(t.post("/rest/api/3/search/jql", &query)), 200))
    });
    g.throughput(Throughput::Elements(IN_FLIGHT as u64));
    g.bench_function("32_in_flight", |b| {
        b.iter(|| {
            let statuses = rt.block_on(join_all(
                (0..IN_FLIGHT).map(|_| t.post("/rest/api/3/search/jql", &query)),
            ));
            assert!(statuses.iter().all(|s| *s == 200));
        })
    });
    g.finish();
}

criterion_group!(benches, create, search);
criterion_main!(benches);
