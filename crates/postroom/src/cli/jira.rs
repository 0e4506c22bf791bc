//! `postroom jira check`: the first thing an administrator runs after configuring Jira.

use std::process::ExitCode;

use anyhow::Context;
use postroom_jira::{Auth, JiraClient, JiraConfig, OAuthTokens, Secret};

use super::Globals;
use crate::app;
use crate::config::JiraAuth;

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
    let jira = &config.jira;
    let url = jira
        .url
        .clone()
        .context("no Jira configured: set jira.url in postroom.toml")?;
    let token = jira
        .token
        .as_ref()
        .map(|t| Secret::new(t.expose()))
        .context("no Jira credential: set jira.token_file (or jira.token)")?;
    let auth = match jira.auth {
        JiraAuth::ApiToken => Auth::ApiToken {
            email: jira
                .email
                .clone()
                .context("API-token auth needs jira.email")?,
            token,
        },
        JiraAuth::Pat => Auth::PersonalAccessToken(token),
        JiraAuth::Oauth => Auth::OAuth(OAuthTokens {
            access_token: token,
            refresh_token: None,
            client_id: String::new(),
            client_secret: Secret::new(""),
            token_url: String::new(),
        }),
    };
    let mut client_config = JiraConfig::new(url, auth);
    client_config.tenant = globals.tenant.clone();
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
