//! `postroom console link | signout`: a one-time sign-in URL for the console, for the first
//! administrator (before OAuth is set up) or anyone an operator lets in by hand; and ending
//! every session of an account whose access was taken away.

use std::process::ExitCode;

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ConsoleCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ConsoleCommand {
    /// Print a sign-in URL for the Jira account ID of `--tenant`: it works once, within 10
    /// minutes. What the account may see is read from Jira as for any sign-in.
    Link {
        /// The Jira account id to sign in as.
        #[arg(long, value_name = "ID")]
        account_id: String,
    },
    /// End every console session of the Jira account ID of `--tenant` (someone who left,
    /// or whose Jira access was revoked): their next request answers 401.
    Signout {
        /// The Jira account id whose sessions end.
        #[arg(long, value_name = "ID")]
        account_id: String,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    let tenant = app::tenant_id(&globals.tenant)?;
    if tenant == postroom_core::tenant::TenantId::default_tenant() {
        app::ensure_default_tenant(&store, &config).await?;
    }
    let tenant = store.tenant(&tenant).await?;
    match args.command {
        ConsoleCommand::Link { account_id } => {
            let public_url = crate::console::public_url(&config, config.http.addr);
            let link = crate::console::sign_in_link(&tenant, &public_url, &account_id).await?;
            println!("{link}");
        }
        ConsoleCommand::Signout { account_id } => {
            let ended = tenant.console().end_sessions_of(&account_id).await?;
            println!("{ended} console session(s) of {account_id} ended");
        }
    }
    Ok(ExitCode::SUCCESS)
}
