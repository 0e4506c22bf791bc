use crate::crypto::CryptoError;

/// What can go wrong with a blob, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// No blob at this key (never written, or erased).
    #[error("no blob at {key}")]
    NotFound { key: String },
    /// A blob name that cannot be used as the last segment of an object key.
    #[error("invalid blob name {name:?}: {reason}")]
    InvalidName { name: String, reason: &'static str },
    /// The blob store configuration is unusable (named key, what is wrong).
    #[error("blob store configuration: {0}")]
    Config(String),
    /// The blob was read but failed to decrypt or verify.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The backend failed (I/O, network, S3 error); may be transient.
    #[error("blob store error at {key}: {source}")]
    Backend {
        key: String,
        #[source]
        source: object_store::Error,
    },
}

impl BlobError {
    pub(crate) fn backend(key: &str, source: object_store::Error) -> Self {
        match source {
            object_store::Error::NotFound { .. } => BlobError::NotFound {
                key: key.to_owned(),
            },
            source => BlobError::Backend {
                key: key.to_owned(),
                source,
            },
        }
    }
}
