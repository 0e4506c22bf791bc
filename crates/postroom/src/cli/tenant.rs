//! `postroom tenant list|show|erase`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use postroom_store::TenantRecord;
use postroom_store::inventory::erase_tenant;

use super::Globals;
use crate::{app, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TenantCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TenantCommand {
    /// List the tenants of this instance.
    List,
    /// Show one tenant (the global --tenant, or NAME).
    Show {
        /// The tenant to show; defaults to --tenant.
        name: Option<String>,
    },
    /// Erase a tenant: destroy its data key first (crypto-shredding: its blobs and every
    /// backup of its rows become unreadable), then delete its blobs and rows. Irreversible.
    Erase {
        /// The tenant to erase.
        name: String,
        /// Do not ask; required when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    match args.command {
        TenantCommand::List => {
            for tenant in store.list_tenants().await? {
                println!(
                    "{}\t{}",
                    tenant.id,
                    tenant.jira.url.as_deref().unwrap_or("-")
                );
            }
        }
        TenantCommand::Show { name } => {
            let id = app::tenant_id(name.as_deref().unwrap_or(&globals.tenant))?;
            let record = store.tenant(&id).await?.record().await?;
            print!("{}", describe(&record));
        }
        TenantCommand::Erase { name, yes } => {
            let id = app::tenant_id(&name)?;
            store.tenant(&id).await?;
            if !yes && !confirmed(&name)? {
                anyhow::bail!("tenant {name} was not erased");
            }
            let (keyring, source) = keys::open_keyring(&config)?;
            keys::announce(&source, &keys::vault_dir(&config));
            let blobs = keys::open_blobs(&config)?;
            let report = erase_tenant(&store, &keyring, &blobs, &id).await?;
            println!(
                "erased tenant {id}: data key {}, {} blob(s), {} row(s) deleted",
                if report.key_destroyed {
                    "destroyed"
                } else {
                    "(none held)"
                },
                report.blobs,
                report.rows
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks for the tenant's name on a terminal; refuses without one, so a script must say
/// `--yes` explicitly.
fn confirmed(name: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("erasing tenant {name} cannot be undone; pass --yes to confirm");
    }
    eprint!("Erasing tenant {name} cannot be undone. Type its name to confirm: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == name)
}

fn describe(record: &TenantRecord) -> String {
    format!(
        "tenant:       {}\njira url:     {}\njira auth:    {}\njira account: {}\n",
        record.id,
        record.jira.url.as_deref().unwrap_or("(not configured)"),
        record.jira.auth.as_deref().unwrap_or("-"),
        record.jira.account.as_deref().unwrap_or("-"),
    )
}
