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
    let site = site_of(globals, &config).await?;
    let client_config = crate::trackers::client_config(&site, &globals.tenant)?;
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

/// The `--tenant`'s site: `[jira]` for `default` when it names one, else the stored one.
async fn site_of(
    globals: &Globals,
    config: &crate::config::Config,
) -> anyhow::Result<crate::config::JiraConfig> {
    if globals.tenant == "default" && config.jira.url.is_some() {
        return Ok(config.jira.clone());
    }
    let store = app::open_store(config).await?;
    let tenant = app::tenant_id(&globals.tenant)?;
    // `default` may not exist yet (no `serve` ran): then it has no site either.
    let site = match store.tenant(&tenant).await {
        Ok(handle) => {
            let (keyring, _) = crate::keys::open_keyring(config)?;
            crate::sites::jira_settings(config, &keyring, &handle).await?
        }
        Err(postroom_store::StoreError::UnknownTenant(_)) if globals.tenant == "default" => None,
        Err(e) => return Err(e.into()),
    };
    site.with_context(|| {
        format!(
            "tenant {tenant} has no Jira site: set jira.url in postroom.toml, or \
                 `postroom tenant set {tenant} --jira-url URL …`"
        )
    })
}
