//! `postroom profile import FILE [--dry-run] | show`: the tenant's profile in the database.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::Globals;
use crate::{app, profiles};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ProfileCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ProfileCommand {
    /// Validate a profile (JSON or TOML) and store it as the tenant's, in one transaction;
    /// nothing changes when anything in it is wrong. Running workers use it for the next mail.
    Import {
        file: PathBuf,
        /// Only validate; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the stored profile as JSON.
    Show,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    match args.command {
        ProfileCommand::Import { file, dry_run } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let profile = match profiles::read(&text, &file.display().to_string()) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("postroom: {e:#}");
                    return Ok(ExitCode::from(2));
                }
            };
            let rules = profile.profile.rules.len();
            if dry_run {
                println!(
                    "profile {} is valid ({rules} rules); nothing stored",
                    file.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let store = app::open_store(&config).await?;
            let tenant = tenant(globals, &config, &store).await?;
            let version = profiles::store(&tenant, &profile, app::now_ms()).await?;
            println!("profile imported: version {version}, {rules} rules");
        }
        ProfileCommand::Show => {
            let store = app::open_store(&config).await?;
            let tenant = tenant(globals, &config, &store).await?;
            match tenant.profile().await? {
                Some(stored) => println!("{}", stored.document),
                None => {
                    eprintln!(
                        "postroom: tenant {} has no profile yet: postroom profile import FILE",
                        globals.tenant
                    );
                    return Ok(ExitCode::from(1));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The tenant named by `--tenant`; `default` is made from `[jira]` when it does not exist yet.
async fn tenant(
    globals: &Globals,
    config: &crate::config::Config,
    store: &postroom_store::Store,
) -> anyhow::Result<postroom_store::TenantStore> {
    if globals.tenant == "default" {
        app::ensure_default_tenant(store, config).await
    } else {
        Ok(store.tenant(&app::tenant_id(&globals.tenant)?).await?)
    }
}
