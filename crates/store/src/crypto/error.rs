use std::path::PathBuf;

use postroom_core::tenant::TenantId;

/// What can go wrong with keys and ciphertexts, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The ciphertext did not verify: it was altered, moved to another place or tenant, or
    /// sealed under another key. Never retried; reported as an integrity failure.
    #[error(
        "ciphertext of tenant {tenant} at {place} failed verification (tampered, moved or wrong key)"
    )]
    Tampered { tenant: TenantId, place: String },
    /// The value is beyond AES-GCM's per-message limit (64 GiB).
    #[error("value for {place} of tenant {tenant} is too large to encrypt")]
    TooLarge { tenant: TenantId, place: String },
    /// Not a value postroom sealed (too short, unknown format version).
    #[error("value at {place} of tenant {tenant} is not a postroom ciphertext")]
    Malformed { tenant: TenantId, place: String },
    /// The tenant has no data key: it was erased (crypto-shredded) or never had one.
    #[error("tenant {0} has no data key (erased or never created)")]
    NoKey(TenantId),
    /// A wrapped data key was wrapped by a master key this instance does not hold.
    #[error("the key of tenant {tenant} is wrapped by master key {key_id}, which is not loaded")]
    UnknownMasterKey { tenant: TenantId, key_id: String },
    /// The key of a backup could not be wrapped or opened (which backup, what is wrong).
    #[error("the key of backup {backup} {message}")]
    BackupKey { backup: String, message: String },
    /// The master key file or value could not be read or is not 64 hex digits.
    #[error("master key {origin}: {message}")]
    MasterKey { origin: String, message: String },
    /// The key vault could not be read or written.
    #[error("key vault {path}: {source}")]
    Vault {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// KMS refused or could not be reached for the tenant's key; after an erasure this is
    /// `DisabledException`.
    #[error("the KMS key of tenant {tenant}: {source}")]
    Kms {
        tenant: TenantId,
        #[source]
        source: super::kms::KmsError,
    },
    /// The table of KMS-wrapped keys could not be read or written.
    #[error("the tenant key table: {0}")]
    KeyTable(#[from] crate::StoreError),
    /// A file in the key vault is not in the vault's format.
    #[error("key vault file {path} is malformed: {message}")]
    VaultFormat { path: PathBuf, message: String },
}
