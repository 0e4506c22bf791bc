//! What an operator configures for one IMAP mailbox, as it appears in `postroom.toml` or a
//! profile (`[[mailboxes]]`). Secrets are wrapped in [`Secret`] so a settings value can be
//! logged or shown in an error without leaking a password or token.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

/// A password, client secret or token. `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it to a server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Writes `***`, as `Debug` does: settings are serialized only to be shown or exported,
/// and an exported profile carries a reference in the secret's place, never its value.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (port 993).
    #[default]
    Tls,
    /// Plain connection upgraded with `STARTTLS` before authenticating (port 143).
    Starttls,
    /// No TLS at all: refused unless the server is on the loopback interface, because the
    /// password would cross the network in clear.
    Plain,
}

impl Security {
    /// `tls`, `starttls` or `plain`, as the settings write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::Plain => "plain",
        }
    }
}

/// How postroom proves who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase", deny_unknown_fields)]
pub enum Auth {
    /// IMAP `LOGIN` with a user name and password.
    Login {
        /// The user name to log in as.
        user: String,
        /// The password (in a profile: a `{"secret_ref": NAME}`).
        password: Secret,
    },
    /// SASL `XOAUTH2` (Google, Microsoft 365): an access token obtained from `token_url`
    /// with the refresh token, and refreshed before it expires.
    Xoauth2 {
        /// The mailbox's user, usually its address.
        user: String,
        /// The OAuth 2.0 token endpoint the access token is obtained from.
        token_url: String,
        /// The OAuth 2.0 app's client id.
        client_id: String,
        /// The OAuth 2.0 app's client secret (in a profile: a `{"secret_ref": NAME}`).
        client_secret: Secret,
        /// The refresh token the mailbox's owner granted (in a profile: a
        /// `{"secret_ref": NAME}`).
        refresh_token: Secret,
    },
}

/// What happens to a message once the intake has committed it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase", deny_unknown_fields)]
pub enum AfterIntake {
    /// Moved to this folder (created when missing).
    Move { folder: String },
    /// Marked `\Seen` and left in place; the cursor keeps it from being read again.
    #[default]
    Flag,
    /// Marked `\Deleted` and expunged.
    Delete,
}

/// One mailbox. Only `name`, `server` and `auth` are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxSettings {
    /// The operator's name for the mailbox, unique within the tenant; used in metrics, logs
    /// and the lease. Not an address.
    pub name: String,
    /// The IMAP server's host name or address.
    pub server: String,
    /// Defaults to 993 for `tls`, 143 otherwise.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    pub auth: Auth,
    /// The folder read.
    #[serde(default = "default_folder")]
    pub folder: String,
    #[serde(default)]
    pub after: AfterIntake,
    /// Where messages the intake refused (over-size) are moved; created when missing.
    #[serde(default = "default_failure_folder")]
    pub failure_folder: String,
    /// Seconds between polls when the server has no `IDLE`.
    #[serde(default = "default_poll_secs")]
    pub poll_interval_secs: u64,
    /// Messages larger than this are not downloaded but refused.
    #[serde(default = "default_max_size")]
    pub max_message_size: u64,
    /// An extra PEM CA bundle to trust besides the system roots (a private CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Whether the raw mail is kept for the audit's retention period (the default) or
    /// deleted as soon as its processing is committed (`false`: the report is kept).
    #[serde(default = "default_store_raw")]
    pub store_raw: bool,
}

fn default_store_raw() -> bool {
    true
}

fn default_folder() -> String {
    "INBOX".to_owned()
}

fn default_failure_folder() -> String {
    "postroom-refused".to_owned()
}

fn default_poll_secs() -> u64 {
    60
}

fn default_max_size() -> u64 {
    25 * 1024 * 1024
}

/// A setting that cannot work, found before connecting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("mailbox {name:?}: {what} is empty")]
    Empty { name: String, what: &'static str },
    #[error(
        "mailbox {name:?}: security = \"plain\" is allowed only for a loopback server \
         (127.0.0.1, ::1 or localhost), not {server:?}; use \"tls\" or \"starttls\""
    )]
    PlainNotLoopback { name: String, server: String },
    #[error("mailbox {name:?}: poll_interval_secs must be at least 1")]
    PollInterval { name: String },
    #[error("mailbox {name:?}: the move folder and the folder read are both {folder:?}")]
    MoveToSelf { name: String, folder: String },
}

impl MailboxSettings {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 993,
            Security::Starttls | Security::Plain => 143,
        })
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.poll_interval_secs)
    }

    /// Checks what can be checked without a network.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let empty = |what| SettingsError::Empty {
            name: self.name.clone(),
            what,
        };
        if self.name.trim().is_empty() {
            return Err(empty("name"));
        }
        if self.server.trim().is_empty() {
            return Err(empty("server"));
        }
        if self.folder.trim().is_empty() {
            return Err(empty("folder"));
        }
        if self.failure_folder.trim().is_empty() {
            return Err(empty("failure_folder"));
        }
        if self.security == Security::Plain && !is_loopback(&self.server) {
            return Err(SettingsError::PlainNotLoopback {
                name: self.name.clone(),
                server: self.server.clone(),
            });
        }
        if self.poll_interval_secs == 0 {
            return Err(SettingsError::PollInterval {
                name: self.name.clone(),
            });
        }
        if let AfterIntake::Move { folder } = &self.after {
            if folder.trim().is_empty() {
                return Err(empty("move folder"));
            }
            if *folder == self.folder {
                return Err(SettingsError::MoveToSelf {
                    name: self.name.clone(),
                    folder: folder.clone(),
                });
            }
        }
        Ok(())
    }
}

/// Whether `server` names the loopback interface by itself (no DNS asked).
pub(crate) fn is_loopback(server: &str) -> bool {
    server.eq_ignore_ascii_case("localhost")
        || server
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;
