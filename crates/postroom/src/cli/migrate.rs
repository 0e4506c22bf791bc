//! `postroom migrate`: apply the embedded migrations.

use std::process::ExitCode;

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(globals: &Globals, _args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    println!("database migrated ({:?})", store.backend());
    Ok(ExitCode::SUCCESS)
}
