//! What can go wrong talking to a mailbox, one variant per thing an operator would fix
//! differently. The texts are what `postroom mailbox test` prints, so each says what was
//! tried and what came back; none contains the user name, a password or a token.

use super::oauth::TokenError;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("{0}")]
    Settings(#[from] super::settings::SettingsError),
    #[error("DNS: cannot resolve {server:?}: {reason}")]
    Dns { server: String, reason: String },
    #[error("TCP: cannot connect to {server}:{port}: {reason}")]
    Connect {
        server: String,
        port: u16,
        reason: String,
    },
    #[error(
        "security = \"plain\" but {server:?} resolved to a non-loopback address; \
         the password would cross the network in clear"
    )]
    PlainNotLoopback { server: String },
    #[error("TLS with {server}:{port} failed: {reason}")]
    Tls {
        server: String,
        port: u16,
        reason: String,
    },
    #[error("cannot read the CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("the server does not offer STARTTLS ({server}:{port}); use security = \"tls\"")]
    NoStarttls { server: String, port: u16 },
    #[error("authentication refused: the server rejected the user name or password ({reason})")]
    LoginRefused { reason: String },
    #[error("authentication refused: the server rejected the XOAUTH2 access token ({reason})")]
    TokenRefused { reason: String },
    #[error("OAuth: {0}")]
    Token(#[from] TokenError),
    #[error("folder {folder:?} does not exist on the server (folders: {known})")]
    NoFolder { folder: String, known: String },
    #[error("IMAP {during} failed: {reason}")]
    Protocol {
        during: &'static str,
        reason: String,
    },
    #[error("timed out after {secs} s during {during}")]
    Timeout { during: &'static str, secs: u64 },
}

impl ImapError {
    pub(crate) fn protocol(during: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Protocol {
            during,
            reason: e.to_string(),
        }
    }

    /// A short label for the error metric.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Settings(_) => "settings",
            Self::Dns { .. } => "dns",
            Self::Connect { .. } => "connect",
            Self::PlainNotLoopback { .. } => "settings",
            Self::Tls { .. } | Self::CaFile { .. } | Self::NoStarttls { .. } => "tls",
            Self::LoginRefused { .. } | Self::TokenRefused { .. } | Self::Token(_) => "auth",
            Self::NoFolder { .. } => "folder",
            Self::Protocol { .. } => "protocol",
            Self::Timeout { .. } => "timeout",
        }
    }
}
