//! `postroom sandbox`: serve the Jira sandbox (crate `jira-sandbox`) on its own listener, so
//! postroom, its tests or a curious user have a Jira to talk to without a Jira site.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jira_sandbox::{Sandbox, SandboxConfig};

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to serve the sandbox on; port 0 picks a free one. Credentials are accepted
    /// from loopback peers only.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8085")]
    http: SocketAddr,
    /// Keep the site in this JSON file (loaded at start when it exists); in memory if unset.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let sandbox_config = SandboxConfig {
        listen: args.http,
        state_file: args.state,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(sandbox_config)
        .await
        .with_context(|| format!("cannot start the Jira sandbox on {}", args.http))?;
    // One write, and no panic when whoever started it stopped reading (`| head -1`, a
    // script that took the URL): the site keeps serving either way.
    let banner = format!("{}\n", sandbox.banner());
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(banner.as_bytes()).and_then(|()| out.flush()) {
        tracing::info!(error = %e, "the banner was not read to its end");
    }
    drop(out);
    tracing::info!(base_url = %sandbox.base_url, "jira sandbox is serving");
    stopped().await;
    sandbox.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
    }
}
