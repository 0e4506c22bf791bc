//! `postroom keys rotate`: re-wrap every tenant key under a new master key.
//!
//! Running instances keep serving throughout: they hold the tenant keys they already
//! unwrapped, and after a restart they open keys wrapped by either the new key or the one
//! it replaced (kept as `<master key file>.previous`). An interrupted rotation is finished
//! by running it again: the half-installed new key (`.new`) is picked up, not replaced.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use postroom_store::crypto::{Keyring, MasterKey};

use super::Globals;
use crate::{app, stewardship};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KeysCommand {
    /// Make a new master key and re-wrap every tenant's data key with it.
    Rotate,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    let _guard = crate::telemetry::init(&config.log, globals.log_format);
    match args.command {
        KeysCommand::Rotate => rotate(&config),
    }
}

fn rotate(config: &crate::config::Config) -> anyhow::Result<ExitCode> {
    if config.keys.master_key.is_some() {
        anyhow::bail!(
            "keys.master_key is given as a value; rotate by setting a new value yourself, or \
             move the key to keys.master_key_file and let `keys rotate` manage it"
        );
    }
    let current_file = stewardship::master_key_file(config);
    if !current_file.exists() {
        anyhow::bail!(
            "no master key at {}: nothing to rotate",
            current_file.display()
        );
    }
    let (current, _) = stewardship::master_key(config)?;
    let new_file = with_suffix(&current_file, ".new");
    let new = match std::fs::read_to_string(&new_file) {
        Ok(text) => MasterKey::from_hex(&text, &new_file.display().to_string())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKey::generate();
            key.write_new(&new_file)?;
            key
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", new_file.display())),
    };
    // A run interrupted after some keys were re-wrapped must open those too.
    let keyring = Keyring::new(stewardship::vault(config), current, Some(new.clone()));
    let (count, _) = keyring.rotate(new.clone())?;
    let previous_file = stewardship::previous_key_file(config);
    std::fs::rename(&current_file, &previous_file).with_context(|| {
        format!(
            "cannot move {} to {}",
            current_file.display(),
            previous_file.display()
        )
    })?;
    std::fs::rename(&new_file, &current_file).with_context(|| {
        format!(
            "cannot move {} to {}",
            new_file.display(),
            current_file.display()
        )
    })?;
    tracing::info!(keys = count, master_key = %new.id(), "master key rotated");
    println!(
        "re-wrapped {count} tenant key(s) under master key {}.\nnew key: {}\nold key kept at {} \
         until every instance has restarted; then back up the new key and delete the old one.",
        new.id(),
        current_file.display(),
        previous_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
