//! `postroom tenant erase NAME`: crypto-shred a tenant and delete its data.

use std::process::ExitCode;

use postroom_store::inventory::erase_tenant;

use super::Globals;
use crate::{app, stewardship};

pub async fn run(globals: &Globals, name: &str) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    let _guard = crate::telemetry::init(&config.log, globals.log_format);
    let id = app::tenant_id(name)?;
    let store = app::open_store(&config).await?;
    let (keyring, source) = stewardship::keyring(&config)?;
    stewardship::warn_if_generated(&source);
    let blobs = stewardship::blob_store(&config)?;
    let report = erase_tenant(&store, &keyring, &blobs, &id).await?;
    println!(
        "erased tenant {id}: data key {}, {} blob(s) and {} row(s) deleted",
        if report.key_destroyed {
            "destroyed"
        } else {
            "was already gone"
        },
        report.blobs,
        report.rows
    );
    Ok(ExitCode::SUCCESS)
}
