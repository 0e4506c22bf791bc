//! `postroom tenant list|show`.

use std::process::ExitCode;

use postroom_store::TenantRecord;

use super::Globals;
use crate::app;

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
    }
    Ok(ExitCode::SUCCESS)
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
