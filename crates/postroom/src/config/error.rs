use std::path::PathBuf;

/// A configuration that postroom cannot start with, said so that the administrator can
/// find the line: `postroom.toml:12: storage.url: unsupported …`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    /// `origin` is `file:line` or the environment variable that set the key.
    #[error("{origin}: {key}: {message}")]
    Invalid {
        origin: String,
        key: String,
        message: String,
    },
    #[error("{variable}: {message}")]
    UnknownVariable { variable: String, message: String },
    #[error("environment overrides ({}): {message}", variables.join(", "))]
    Environment {
        variables: Vec<String>,
        message: String,
    },
}
