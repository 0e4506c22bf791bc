//! `[keys]` and the blob settings of `[storage]`: where the master key, the tenant key
//! vault and the blobs live.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;

/// Where the instance master key and the wrapped tenant keys are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// The master key as 64 hex digits; prefer `master_key_file` or the variable
    /// `POSTROOM_KEYS__MASTER_KEY`.
    pub master_key: Option<Secret>,
    /// The master key file; default `<storage.data_dir>/master.key`, generated (mode 0600)
    /// by the first `serve` when neither this file nor `master_key` exists.
    pub master_key_file: Option<PathBuf>,
    /// The master key before the last `keys rotate`, kept while instances that still run
    /// with it are restarted; keys wrapped by either one open.
    pub previous_master_key_file: Option<PathBuf>,
    /// The vault of wrapped tenant keys; default `<storage.data_dir>/keys`. Keep it out of
    /// database backups: erasing a tenant deletes its file here.
    pub vault_dir: Option<PathBuf>,
}

/// Which backend holds the blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobBackend {
    /// A local directory (`storage.blob_dir`).
    #[default]
    Local,
    /// An S3-compatible bucket (`storage.s3_*`).
    S3,
}
