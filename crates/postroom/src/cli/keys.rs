//! `postroom keys rotate`: move every tenant key to a new master key, without downtime.

use std::process::ExitCode;

use postroom_store::crypto::MasterKeySource;

use super::Globals;
use crate::{app, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KeysCommand {
    /// Re-wrap every tenant key under a new master key.
    ///
    /// With a key file (the default, DATA_DIR/master.key) a new key is generated into
    /// FILE.new, every tenant key is re-wrapped, the old key is kept as FILE.previous and the
    /// new one replaces FILE. Running instances follow by themselves. An interrupted run is
    /// finished by running it again. With `keys.master_key` given as a value, set the new
    /// value there and the old one in `keys.previous_master_key`, then run this: every
    /// tenant key is re-wrapped under the new value.
    ///
    /// With `[keys.kms]`, every tenant key still in the vault is then moved under its
    /// tenant's own KMS key (made when missing) and its vault file deleted, and keys already
    /// with KMS are re-wrapped under their KMS key's current material.
    Rotate,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let KeysCommand::Rotate = args.command;
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let (keyring, source) = keys::open_keyring(&config)?;
    keys::announce(&source, &keys::vault_dir(&config));
    match source {
        MasterKeySource::Value => {
            let current = keyring.current_id();
            let rewrapped = keyring.rotate_to_current()?;
            println!("re-wrapped {rewrapped} tenant key(s) under master key {current}");
        }
        MasterKeySource::File(_) | MasterKeySource::Generated(_) => {
            let file = keys::master_key_file(&config);
            let rotation = file.rotate(&keyring)?;
            if rotation.resumed {
                eprintln!("postroom: finishing an interrupted rotation");
            }
            println!(
                "re-wrapped {} tenant key(s) under master key {}; the old key is kept in {} \
                 until the next rotation. Back up {} now.",
                rotation.rewrapped,
                rotation.new_id,
                file.previous_path().display(),
                file.path().display()
            );
        }
    }
    if keyring.kms().is_some() {
        let store = app::open_store(&config).await?;
        let (moved, rewrapped) = keyring.move_to_kms(store.db()).await?;
        println!(
            "moved {moved} tenant key(s) from the vault under KMS; re-wrapped {rewrapped} \
             KMS-kept key(s)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
