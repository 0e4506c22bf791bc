//! Wiring of the stewardship primitives: the keyring (master key and key vault) and the
//! blob store, as the configuration names them.

use std::path::PathBuf;

use anyhow::Context;
use postroom_core::redact::Redactor;
use postroom_store::blobs::{BlobConfig, BlobStore, S3Config};
use postroom_store::crypto::{
    KMS_RECHECK, KeyVault, Keyring, Kms, KmsSettings, MasterKey, MasterKeyFile, MasterKeySource,
};

use crate::config::Config;

/// The master key file: `keys.master_key_file`, else `DATA_DIR/master.key`.
pub fn master_key_file(config: &Config) -> MasterKeyFile {
    MasterKeyFile::new(
        config
            .keys
            .master_key_file
            .clone()
            .unwrap_or_else(|| config.storage.data_dir.join("master.key")),
    )
}

/// The key vault directory: `keys.vault_dir`, else `DATA_DIR/keys`.
pub fn vault_dir(config: &Config) -> PathBuf {
    config
        .keys
        .vault_dir
        .clone()
        .unwrap_or_else(|| config.storage.data_dir.join("keys"))
}

/// The instance keyring. A master key given as a value is used as is (with
/// `keys.previous_master_key` for keys not yet re-wrapped); otherwise the master key file
/// is read, or generated when it does not exist yet. With `[keys.kms]`, tenant data keys
/// are kept with KMS.
pub fn open_keyring(config: &Config) -> anyhow::Result<(Keyring, MasterKeySource)> {
    let (keyring, source) = open_local_keyring(config)?;
    match kms(config)? {
        Some(kms) => Ok((keyring.with_kms(kms, KMS_RECHECK), source)),
        None => Ok((keyring, source)),
    }
}

/// The KMS client of `[keys.kms]`, when set.
fn kms(config: &Config) -> anyhow::Result<Option<Kms>> {
    let Some(section) = &config.keys.kms else {
        return Ok(None);
    };
    let credentials = section
        .credentials_file
        .as_ref()
        .context("keys.kms.credentials_file is required")?;
    let (access_key_id, secret_access_key) = S3Config::read_credentials(credentials)?;
    let settings = KmsSettings {
        region: section.region.clone(),
        endpoint: section.endpoint.clone(),
        access_key_id,
        secret_access_key,
    };
    Ok(Some(Kms::new(&settings).context("keys.kms")?))
}

fn open_local_keyring(config: &Config) -> anyhow::Result<(Keyring, MasterKeySource)> {
    let vault = KeyVault::new(vault_dir(config));
    match &config.keys.master_key {
        Some(value) => {
            let current = MasterKey::from_hex(value.expose(), "keys.master_key")?;
            let previous = config
                .keys
                .previous_master_key
                .as_ref()
                .map(|v| MasterKey::from_hex(v.expose(), "keys.previous_master_key"))
                .transpose()?;
            Ok((
                Keyring::new(vault, current, previous),
                MasterKeySource::Value,
            ))
        }
        None => {
            let file = master_key_file(config);
            Keyring::from_file(vault, file.clone())
                .with_context(|| format!("master key {}", file.path().display()))
        }
    }
}

/// The keyed-hash maker for logs, from the instance's master key.
pub fn redactor(keyring: &Keyring) -> Redactor {
    Redactor::new(keyring.redaction_key())
}

/// The keyed-hash maker for a command that must not create anything (a dry run): the
/// instance's when its master key exists, else a key for this run only, so hashes still
/// tell values apart within the run.
pub fn existing_redactor(config: &Config) -> anyhow::Result<Redactor> {
    let master = match &config.keys.master_key {
        Some(value) => Some(MasterKey::from_hex(value.expose(), "keys.master_key")?),
        None => {
            let file = master_key_file(config);
            match std::fs::read_to_string(file.path()) {
                Ok(text) => Some(MasterKey::from_hex(
                    &text,
                    &file.path().display().to_string(),
                )?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(e).with_context(|| format!("reading {}", file.path().display()));
                }
            }
        }
    };
    Ok(Redactor::new(
        master.unwrap_or_else(MasterKey::generate).redaction_key(),
    ))
}

/// Says loudly that a master key was just made: losing it loses every stored mail.
pub fn announce(source: &MasterKeySource, vault: &std::path::Path) {
    if let MasterKeySource::Generated(path) = source {
        tracing::warn!(
            file = %path.display(),
            vault = %vault.display(),
            "generated a new master key: back it up now"
        );
        eprintln!(
            "postroom: WARNING: generated a new master key in {} (mode 0600).\n\
             postroom: BACK IT UP, together with the key vault {}: without both, every \
             stored mail and secret is unreadable.",
            path.display(),
            vault.display()
        );
    }
}

/// Where blobs go: `[storage.s3]` when set, else the local directory.
pub fn blob_config(config: &Config) -> anyhow::Result<BlobConfig> {
    let Some(s3) = &config.storage.s3 else {
        return Ok(BlobConfig::Local(
            config
                .storage
                .blobs_dir
                .clone()
                .unwrap_or_else(|| config.storage.data_dir.join("blobs")),
        ));
    };
    let credentials = s3
        .credentials_file
        .as_ref()
        .context("storage.s3.credentials_file is required")?;
    let (access_key_id, secret_access_key) = S3Config::read_credentials(credentials)?;
    Ok(BlobConfig::S3(S3Config {
        endpoint: s3.endpoint.clone(),
        bucket: s3.bucket.clone(),
        region: if s3.region.is_empty() {
            "us-east-1".to_owned()
        } else {
            s3.region.clone()
        },
        access_key_id,
        secret_access_key,
        allow_http: s3
            .endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://")),
    }))
}

/// Opens the blob store the configuration names.
pub fn open_blobs(config: &Config) -> anyhow::Result<BlobStore> {
    let blob_config = blob_config(config)?;
    BlobStore::open(&blob_config).context("cannot open the blob store")
}
