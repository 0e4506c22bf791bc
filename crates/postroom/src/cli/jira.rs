//! `postroom jira check`: the first thing an administrator runs after configuring Jira.

use std::process::ExitCode;

use anyhow::Context;
use postroom_jira::JiraClient;

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: JiraCommand,
}

#[derive(Debug, clap::Subcommand)]
enum JiraCommand {
    /// Connect with the configured Jira and print deployment type, version, account,
    /// the projects postroom can create issues in, whether it can set the reporter and
    /// see e-mail addresses, and the rate-limit headers Jira sent.
    Check {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let JiraCommand::Check { json } = args.command;
    let client_config = crate::trackers::client_config(&config.jira, &globals.tenant)?;
    let client = JiraClient::connect(client_config)
        .await
        .context("connecting to Jira")?;
    let report = postroom_jira::check(&client)
        .await
        .context("checking the Jira connection")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}
