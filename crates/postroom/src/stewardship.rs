//! Opening the key ring and the blob store from the configuration.

use std::path::PathBuf;

use anyhow::Context;
use postroom_store::blobs::{BlobConfig, BlobStore, S3Config};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey, MasterKeySource};

use crate::config::{BlobBackend, Config};

/// The master key file in use: `keys.master_key_file`, else `<data_dir>/master.key`.
pub fn master_key_file(config: &Config) -> PathBuf {
    config
        .keys
        .master_key_file
        .clone()
        .unwrap_or_else(|| config.storage.data_dir.join("master.key"))
}

/// Where `keys rotate` leaves the key it replaced; loaded as the previous key when present.
pub fn previous_key_file(config: &Config) -> PathBuf {
    config
        .keys
        .previous_master_key_file
        .clone()
        .unwrap_or_else(|| {
            let mut name = master_key_file(config).into_os_string();
            name.push(".previous");
            PathBuf::from(name)
        })
}

/// The master key: `keys.master_key` when set, else the key file, generated (mode 0600)
/// when it does not exist yet.
pub fn master_key(config: &Config) -> anyhow::Result<(MasterKey, MasterKeySource)> {
    if let Some(value) = &config.keys.master_key {
        let key = MasterKey::from_hex(value.expose(), "keys.master_key")?;
        return Ok((key, MasterKeySource::Value));
    }
    Ok(MasterKey::load_or_create(&master_key_file(config))?)
}

/// The key ring of this instance, and where its master key came from.
pub fn keyring(config: &Config) -> anyhow::Result<(Keyring, MasterKeySource)> {
    let (current, source) = master_key(config)?;
    let previous_file = previous_key_file(config);
    let previous = match std::fs::read_to_string(&previous_file) {
        Ok(text) => Some(MasterKey::from_hex(
            &text,
            &previous_file.display().to_string(),
        )?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", previous_file.display()));
        }
    };
    Ok((Keyring::new(vault(config), current, previous), source))
}

pub fn vault(config: &Config) -> KeyVault {
    KeyVault::new(
        config
            .keys
            .vault_dir
            .clone()
            .unwrap_or_else(|| config.storage.data_dir.join("keys")),
    )
}

/// Says loudly that a master key was just made and must be backed up: without it, every
/// encrypted value and blob of this instance is lost.
pub fn warn_if_generated(source: &MasterKeySource) {
    if let MasterKeySource::Generated(path) = source {
        let message = format!(
            "generated a new master key at {}: BACK IT UP NOW, apart from the data. Without \
             it every encrypted value and blob of this instance is unreadable",
            path.display()
        );
        tracing::warn!("{message}");
        eprintln!("postroom: WARNING: {message}");
    }
}

/// The blob store named by `[storage]`.
pub fn blob_store(config: &Config) -> anyhow::Result<BlobStore> {
    let storage = &config.storage;
    let blob_config = match storage.blobs {
        BlobBackend::Local => BlobConfig::Local(
            storage
                .blob_dir
                .clone()
                .unwrap_or_else(|| storage.data_dir.join("blobs")),
        ),
        BlobBackend::S3 => {
            let credentials = storage
                .s3_credentials_file
                .as_deref()
                .context("storage.s3_credentials_file is required for S3 blobs")?;
            let (access_key_id, secret_access_key) = S3Config::read_credentials(credentials)?;
            BlobConfig::S3(S3Config {
                endpoint: storage.s3_endpoint.clone(),
                bucket: storage
                    .s3_bucket
                    .clone()
                    .context("storage.s3_bucket is required for S3 blobs")?,
                region: storage.s3_region.clone(),
                access_key_id,
                secret_access_key,
                allow_http: storage.s3_allow_http,
            })
        }
    };
    Ok(BlobStore::open(&blob_config)?)
}
