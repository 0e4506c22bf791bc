use crate::StoreError;
use crate::crypto::CryptoError;

/// What can go wrong with a backup, in terms an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target (`--to`, `[backup] to`) is not a directory or `s3://BUCKET/PREFIX`.
    #[error("backup target {target:?}: {reason}")]
    Target { target: String, reason: String },
    /// No backup of this id at the target.
    #[error("no backup {0} at this target (see `postroom backup list`)")]
    NotFound(String),
    /// The backup has no manifest: it was interrupted, or is still being written.
    #[error("backup {0} is incomplete (no manifest): it was interrupted or is being written")]
    Incomplete(String),
    /// A file of the backup does not match its manifest or fails to open.
    #[error("backup {backup}: {file}: {reason}")]
    Corrupt {
        backup: String,
        file: String,
        reason: String,
    },
    /// A restore would overwrite data: it goes only into an empty database and blob store.
    #[error("{0} is not empty: a backup is restored only into an empty database and blob store")]
    NotEmpty(String),
    /// The backup was made on another database engine, or a newer schema than this postroom.
    #[error("backup {backup} cannot be restored here: {reason}")]
    Incompatible { backup: String, reason: String },
    /// `pg_dump` or `pg_restore` failed (its message, which names no password).
    #[error("{tool} failed: {message}")]
    PgTool { tool: String, message: String },
    #[error("reading {place}: {source}")]
    Read {
        place: String,
        #[source]
        source: std::io::Error,
    },
    #[error("writing {place}: {source}")]
    Write {
        place: String,
        #[source]
        source: std::io::Error,
    },
    /// The target or the blob store failed (I/O, network, S3 error).
    #[error("object store at {place}: {source}")]
    Object {
        place: String,
        #[source]
        source: object_store::Error,
    },
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

impl BackupError {
    pub(crate) fn object(place: impl Into<String>) -> impl FnOnce(object_store::Error) -> Self {
        let place = place.into();
        move |source| BackupError::Object { place, source }
    }
}
