//! `postroom profile import FILE [--dry-run] [--offline] | export [--out FILE] | show`: the
//! tenant's profile in the database.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use postroom_core::tenant::TenantId;

use super::Globals;
use crate::{app, profiles};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ProfileCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ProfileCommand {
    /// Validate a profile (an exported document, or a profile in JSON or TOML) and store
    /// it as the tenant's, in one transaction. Every mistake is listed with its JSON path
    /// (exit status 2) and nothing changes: bad patterns, secret values (write
    /// `{"secret_ref": NAME}` and define NAME in [secrets]), unknown secret references,
    /// project keys and fields Jira does not know. Running workers use it for the next mail.
    Import {
        file: PathBuf,
        /// Only validate; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask Jira whether the project keys and fields exist (say so instead).
        #[arg(long)]
        offline: bool,
    },
    /// Write the tenant's profile (every section, and for the tenant `default` the
    /// mailboxes of [[mailboxes]]) as one versioned JSON document without any secret:
    /// credentials become `{"secret_ref": NAME}`, and the names the importing site must
    /// define in [secrets] are listed on stderr. Canned responses have their own export
    /// (`postroom template export`).
    Export {
        /// Write the document to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the stored profile as JSON.
    Show,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let default_tenant = app::tenant_id(&globals.tenant)? == TenantId::default_tenant();
    match args.command {
        ProfileCommand::Import {
            file,
            dry_run,
            offline,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let store = app::open_store(&config).await?;
            let tenant = tenant(globals, &config, &store).await?;
            let site = if offline {
                None
            } else {
                crate::sites::jira_settings_of(&config, &store, tenant.id()).await?
            };
            let checked = match profiles::import::check(
                &text,
                &config,
                default_tenant,
                site.as_ref(),
                &globals.tenant,
                offline,
            )
            .await?
            {
                Ok(checked) => checked,
                Err(problems) => {
                    eprintln!(
                        "postroom: profile {} is not valid, nothing was stored: {problems}",
                        file.display()
                    );
                    return Ok(ExitCode::from(2));
                }
            };
            for note in &checked.notes {
                eprintln!("postroom: {note}");
            }
            if let Err(taken) =
                profiles::owned_elsewhere(&store, tenant.id(), &checked.profile).await?
            {
                eprintln!(
                    "postroom: profile {} is not valid, nothing was stored: {taken}",
                    file.display()
                );
                return Ok(ExitCode::from(2));
            }
            let rules = checked.profile.profile.rules.len();
            if dry_run {
                println!(
                    "profile {} is valid ({rules} rules); nothing stored",
                    file.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let version = profiles::store(
                &tenant,
                &checked.profile,
                postroom_store::profile_versions::SAVED_BY_CLI,
                app::now_ms(),
            )
            .await?;
            println!("profile imported: version {version}, {rules} rules");
        }
        ProfileCommand::Export { out } => {
            let store = app::open_store(&config).await?;
            let tenant = tenant(globals, &config, &store).await?;
            let Some(stored) = tenant.profile().await? else {
                return Ok(no_profile(globals));
            };
            let export = profiles::export::document(&stored.document, &config, default_tenant)?;
            match &out {
                Some(path) => {
                    std::fs::write(path, &export.text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "postroom: profile version {} exported to {}",
                        stored.version,
                        path.display()
                    );
                }
                None => print!("{}", export.text),
            }
            if !export.secret_names.is_empty() {
                eprintln!(
                    "postroom: the importing site must define these secrets in [secrets] of \
                     its postroom.toml: {}",
                    export.secret_names.join(", ")
                );
            }
        }
        ProfileCommand::Show => {
            let store = app::open_store(&config).await?;
            let tenant = tenant(globals, &config, &store).await?;
            match tenant.profile().await? {
                Some(stored) => println!("{}", stored.document),
                None => return Ok(no_profile(globals)),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn no_profile(globals: &Globals) -> ExitCode {
    eprintln!(
        "postroom: tenant {} has no profile yet: postroom profile import FILE",
        globals.tenant
    );
    ExitCode::from(1)
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
