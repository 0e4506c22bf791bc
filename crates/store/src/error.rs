use postroom_core::tenant::TenantId;

/// What can go wrong in the store, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported scheme {scheme:?}, expected sqlite: or postgres:")]
    UnsupportedUrl { scheme: String },
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Named in plain words (`no tenant "tb" on this instance`), as an operator typed it.
    #[error("cannot create the database file {path}: {source}")]
    CreateFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no tenant {:?} on this instance (see `postroom tenant list`)", .0.as_str())]
    UnknownTenant(TenantId),
    #[error("a tenant named {:?} already exists (see `postroom tenant show {}`)", .0.as_str(), .0.as_str())]
    TenantExists(TenantId),
    /// A value handed in by the caller was refused (what and why in the message).
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("the database holds a value postroom cannot read: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
