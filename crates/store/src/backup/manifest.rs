//! `manifest.json`: the backup's wrapped key, in clear, and its contents, sealed.
//!
//! Only what a listing needs without keys is in clear (format, id, time, the master key's
//! public id). The contents — how the database was taken, each file's length and SHA-256 —
//! are sealed with the backup's key, so an altered manifest fails to open rather than
//! vouching for altered files.

use serde::{Deserialize, Serialize};

use super::BackupError;
use crate::crypto::Keyring;
use crate::crypto::aead::{self, KEY_LEN};

/// How the database went into the backup, as `backup create` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// SQLite's online backup (`VACUUM INTO`): one consistent read transaction.
    SqliteVacuumInto,
    /// PostgreSQL's own `pg_dump` (custom format), of the server's major version.
    PgDump { version: String },
    /// postroom's own tables, exported in one REPEATABLE READ transaction (no `pg_dump` of
    /// the server's major version was found).
    TableExport { server_version: String },
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::SqliteVacuumInto => write!(f, "SQLite online backup (VACUUM INTO)"),
            Method::PgDump { version } => write!(f, "pg_dump {version}"),
            Method::TableExport { server_version } => write!(
                f,
                "export of postroom's tables in one REPEATABLE READ transaction (no pg_dump \
                 matching PostgreSQL {server_version} found)"
            ),
        }
    }
}

/// One data file of a backup as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    /// Bytes as stored.
    pub bytes: u64,
    pub frames: u64,
    /// SHA-256 of the bytes as stored, hex.
    pub sha256: String,
}

/// What a backup holds (sealed inside its manifest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contents {
    /// `sqlite` or `postgres`: a backup restores only into the same engine.
    pub backend: String,
    pub method: Method,
    /// The newest migration applied to the database at the time.
    pub schema_version: i64,
    /// The postroom version that made the backup.
    pub made_by: String,
    pub blobs: u64,
    /// Bytes of the blobs as stored (sealed with their tenants' keys).
    pub blob_bytes: u64,
    pub files: Vec<FileEntry>,
}

impl Contents {
    pub fn file(&self, name: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Bytes of the backup's data files as stored.
    pub fn stored_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// The manifest as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub format: String,
    pub id: String,
    pub created_at_ms: i64,
    /// The public id of the master key that wraps `wrapped_key`.
    pub master_key_id: String,
    /// The backup's key, wrapped by that master key (hex).
    pub wrapped_key: String,
    /// [`Contents`] as JSON, sealed with the backup's key (hex).
    pub contents: String,
}

impl Manifest {
    pub(crate) fn seal(
        keyring: &Keyring,
        id: &str,
        created_at_ms: i64,
        key: &[u8; KEY_LEN],
        contents: &Contents,
    ) -> Result<Vec<u8>, BackupError> {
        let (master_key_id, wrapped) = keyring.wrap_backup_key(id, key)?;
        let json = serde_json::to_vec(contents).map_err(|e| corrupt(id, &e.to_string()))?;
        let sealed = aead::seal(key, &contents_aad(id), &json)
            .map_err(|_| corrupt(id, "contents too large to seal"))?;
        let manifest = Manifest {
            format: super::FORMAT.to_owned(),
            id: id.to_owned(),
            created_at_ms,
            master_key_id,
            wrapped_key: hex::encode(wrapped),
            contents: hex::encode(sealed),
        };
        serde_json::to_vec_pretty(&manifest).map_err(|e| corrupt(id, &e.to_string()))
    }

    /// Parses a stored manifest of backup `id` (clear part only).
    pub(crate) fn parse(id: &str, bytes: &[u8]) -> Result<Self, BackupError> {
        let manifest: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| corrupt(id, &format!("not a backup manifest: {e}")))?;
        if manifest.format != super::FORMAT {
            return Err(corrupt(
                id,
                &format!("unknown format {:?}", manifest.format),
            ));
        }
        if manifest.id != id {
            return Err(corrupt(id, "the manifest names another backup"));
        }
        Ok(manifest)
    }

    /// Unwraps the backup's key and opens the contents.
    pub(crate) fn open(&self, keyring: &Keyring) -> Result<([u8; KEY_LEN], Contents), BackupError> {
        let wrapped =
            hex::decode(&self.wrapped_key).map_err(|_| corrupt(&self.id, "wrapped key"))?;
        let key = keyring.unwrap_backup_key(&self.id, &self.master_key_id, &wrapped)?;
        let sealed = hex::decode(&self.contents).map_err(|_| corrupt(&self.id, "contents"))?;
        let json = aead::open(&key, &contents_aad(&self.id), &sealed)
            .map_err(|_| corrupt(&self.id, "the contents failed verification"))?;
        let contents =
            serde_json::from_slice(&json).map_err(|e| corrupt(&self.id, &e.to_string()))?;
        Ok((key, contents))
    }
}

fn contents_aad(id: &str) -> Vec<u8> {
    format!("postroom-backup/v1/manifest/{id}").into_bytes()
}

fn corrupt(id: &str, reason: &str) -> BackupError {
    BackupError::Corrupt {
        backup: id.to_owned(),
        file: super::MANIFEST_FILE.to_owned(),
        reason: reason.to_owned(),
    }
}
