//! `postroom serve`: run the HTTP edge, listeners and workers until SIGTERM/SIGINT.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use super::Globals;
use crate::http::{self, AppState, Readiness};
use crate::sandbox;
use crate::{app, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address of the HTTP listener (overrides `http.addr`).
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,

    /// Use an embedded Jira sandbox (under /sandbox/jira on the HTTP listener, state kept
    /// in DATA_DIR/sandbox.json) instead of a real Jira site: for trying postroom out.
    #[arg(long)]
    sandbox: bool,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let mut config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    crate::telemetry::metrics();
    let readiness = Arc::new(Readiness::expecting(&["http"]));

    // The master key exists before anything can be stored, and before /healthz answers.
    let (keyring, source) = keys::open_keyring(&config)?;
    keys::announce(&source, &keys::vault_dir(&config));
    let blobs = keys::open_blobs(&config)?;
    let store = app::open_store(&config).await?;

    let addr = args.http.unwrap_or(config.http.addr);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr().context("listener has no address")?;

    let sandbox = if args.sandbox {
        let sandbox = sandbox::Embedded::start(&config, bound)?;
        config.jira = sandbox.jira_config();
        Some(sandbox)
    } else {
        None
    };
    app::ensure_default_tenant(&store, &config).await?;
    report_jira(&config);
    tracing::info!(
        http = %bound,
        database = %app::redact_url(&config.storage.url),
        blobs = blobs.description(),
        master_key = keyring.current_id(),
        "postroom is serving"
    );
    eprintln!("postroom: serving on http://{bound} (health: http://{bound}/healthz)");

    tokio::spawn(http::purge_access_log_forever(store.clone()));
    let trackers = crate::trackers::Trackers::default();
    if config.jira.url.is_some() {
        let tenant = postroom_core::tenant::TenantId::default_tenant();
        trackers.insert(
            tenant.clone(),
            crate::trackers::client_config(&config.jira, tenant.as_str())?,
        );
    }
    let mut router = http::router(AppState {
        store,
        readiness: readiness.clone(),
        trackers,
    });
    if let Some(sandbox) = &sandbox {
        router = router.nest(sandbox::MOUNT, sandbox.router());
        eprintln!("{}", sandbox.banner());
    }
    readiness.mark_up("http");
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("HTTP server failed")?;
    tracing::info!("postroom stopped");
    Ok(ExitCode::SUCCESS)
}

/// Says loudly what is missing when no Jira site is configured: mail is still taken in and
/// held, so nothing is lost, but nothing reaches Jira either.
fn report_jira(config: &crate::config::Config) {
    let configured = config.jira.url.is_some();
    metrics::gauge!("postroom_jira_configured", "tenant" => "default").set(if configured {
        1.0
    } else {
        0.0
    });
    if !configured {
        tracing::warn!(
            "no Jira site is configured: mail will be taken in and held until one is. \
             Set [jira] url, auth, email and token_file in postroom.toml \
             (or POSTROOM_JIRA__URL etc.), or run `postroom serve --sandbox` to try postroom"
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
