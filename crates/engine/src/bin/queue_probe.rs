//! A worker process for the queue's crash and multi-instance tests.
//!
//! `postroom-queue-probe DATABASE_URL HOLD_MS` runs two workers until killed. Jobs of kind
//! `effect` print `start KEY ATTEMPT` on stdout, wait HOLD_MS (the window in which a test
//! kills the process), then insert a row into the test's `effects` table in the same
//! transaction as the job's completion. Jobs of kind `tick` (recurring) do the same without
//! waiting. Leases last one second so a killed worker's job comes back quickly.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use postroom_engine::worker::{Handler, JobContext, JobError, Registry, WorkerConfig, Workers};
use postroom_store::Store;

struct Effect {
    hold: Duration,
    announce: bool,
}

impl Handler for Effect {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let key = ctx.job().idempotency_key.clone();
            if self.announce {
                let mut out = std::io::stdout().lock();
                writeln!(out, "start {key} {}", ctx.job().attempts)
                    .and_then(|()| out.flush())
                    .map_err(|e| JobError::Transient(e.to_string()))?;
            }
            tokio::time::sleep(self.hold).await;
            let mut tx = ctx.begin().await?;
            sqlx::query("INSERT INTO effects (tenant_id, job_key, attempt) VALUES ($1, $2, $3)")
                .bind(ctx.job().tenant.as_str())
                .bind(key.as_str())
                .bind(ctx.job().attempts)
                .execute(tx.conn())
                .await
                .map_err(|e| JobError::Transient(e.to_string()))?;
            ctx.complete_in(tx).await
        }
        .boxed()
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(hold)) = (args.get(1), args.get(2).and_then(|h| h.parse().ok())) else {
        eprintln!("usage: postroom-queue-probe DATABASE_URL HOLD_MS");
        return ExitCode::from(2);
    };
    let store = match Store::open(url).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut registry = Registry::default();
    registry.register(
        "effect",
        Effect {
            hold: Duration::from_millis(hold),
            announce: true,
        },
    );
    registry.register(
        "tick",
        Effect {
            hold: Duration::ZERO,
            announce: false,
        },
    );
    let config = WorkerConfig {
        concurrency: 2,
        batch: 1,
        lease: Duration::from_secs(1),
        idle_poll: Duration::from_millis(50),
        tick: Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    let (_keep, shutdown) = tokio::sync::watch::channel(false);
    Workers::new(&store, registry, config).run(shutdown).await;
    ExitCode::SUCCESS
}
