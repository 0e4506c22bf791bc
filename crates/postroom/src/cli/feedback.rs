//! `postroom feedback "TEXT" [--include-address ADDRESS]`: feedback from the tenant's
//! administrator to the people who run postroom, queued for the operator's webhook
//! (`[operator] webhook_url_file`) and sent by `serve`'s workers.

use std::process::ExitCode;

use postroom_engine::operator::{self, OperatorEvent};

use super::Globals;
use crate::{app, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to tell the operator (at most 4,000 characters).
    text: String,
    /// An address the operator may answer at; without it no address is sent.
    #[arg(long, value_name = "ADDRESS")]
    include_address: Option<String>,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let event = OperatorEvent::feedback(&args.text, args.include_address.as_deref())?;
    if config.operator.webhook_url.is_none() {
        eprintln!(
            "postroom: this postroom sends no feedback: set [operator] webhook_url_file to \
             the operator's incoming webhook"
        );
        return Ok(ExitCode::FAILURE);
    }
    let store = app::open_store(&config).await?;
    let tenant_id = app::tenant_id(&globals.tenant)?;
    if tenant_id == postroom_core::tenant::TenantId::default_tenant() {
        app::ensure_default_tenant(&store, &config).await?;
    }
    let tenant = store.tenant(&tenant_id).await?;
    let (keyring, _) = keys::open_keyring(&config)?;
    let job = operator::queue(&tenant, &keyring, &event, app::now_ms()).await?;
    match job {
        Some(id) => {
            println!("feedback queued as job {id}: `postroom serve` sends it to the operator")
        }
        None => println!("feedback queued"),
    }
    Ok(ExitCode::SUCCESS)
}
