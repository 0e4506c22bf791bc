//! Per-tenant settings for outbound mail, as they appear in `postroom.toml` or a profile.
//!
//! Plain serde structs with defaults, so an operator writes only what differs from the
//! usual setup (STARTTLS on 587, a pool of four connections). Checking that the settings
//! can work happens when a sender is built from them, where the error can say why.

use std::path::PathBuf;
use std::time::Duration;

use postroom_core::secret::Secret;
use serde::{Deserialize, Serialize};

/// Where outbound mail goes: a real SMTP server, or `.eml` files in a directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "transport", rename_all = "lowercase")]
pub enum OutboundSettings {
    /// Relay through an SMTP server.
    Smtp(Box<SmtpSettings>),
    /// Write each message into a directory.
    File(FileSettings),
}

impl OutboundSettings {
    /// The sandbox default: nothing leaves the machine, everything lands in `./data/outbox`.
    pub fn sandbox() -> Self {
        Self::File(FileSettings::default())
    }
}

/// The file transport's directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    /// Where `.eml` files are written (created when missing).
    #[serde(default = "default_outbox")]
    pub dir: PathBuf,
    /// The base of VERP return paths written into each file's `Return-Path`; a reserved
    /// `.invalid` address by default, since sandbox mail never bounces.
    #[serde(default = "default_file_bounce")]
    pub bounce_address: String,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self {
            dir: default_outbox(),
            bounce_address: default_file_bounce(),
        }
    }
}

fn default_outbox() -> PathBuf {
    PathBuf::from("./data/outbox")
}

fn default_file_bounce() -> String {
    "bounces@postroom.invalid".to_owned()
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte ("SMTPS", usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    #[default]
    StartTls,
    /// No encryption: only to a loopback host unless `allow_plain_remote` is set, because
    /// credentials and mail would cross the network in clear text.
    Plain,
}

impl Security {
    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::StartTls => 587,
            Self::Plain => 25,
        }
    }
}

/// An SMTP relay for one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host name or IP address of the server (also the name its certificate must carry).
    pub host: String,
    /// Port; the usual one for `security` when absent.
    #[serde(default)]
    pub port: Option<u16>,
    /// Transport security.
    #[serde(default)]
    pub security: Security,
    /// Permits `security = "plain"` to a host that is not loopback.
    #[serde(default)]
    pub allow_plain_remote: bool,
    /// A PEM file of CA certificates to trust instead of the system's, for a relay with a
    /// certificate from a private CA.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// User name for AUTH (PLAIN or LOGIN, whichever the server offers); no AUTH without.
    #[serde(default)]
    pub username: Option<String>,
    /// Password for AUTH.
    #[serde(default)]
    pub password: Option<Secret>,
    /// The name postroom gives in `EHLO`; the machine's host name when absent.
    #[serde(default)]
    pub helo_name: Option<String>,
    /// The base of VERP return paths (`bounces@help.example.com` gives
    /// `bounces+TOKEN@help.example.com`); required to send with a VERP token.
    #[serde(default)]
    pub bounce_address: Option<String>,
    /// The most connections open to the server at once.
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
    /// Seconds an idle connection is kept for reuse; servers drop idle clients after a few
    /// minutes, so keeping one longer only costs a failed first command.
    #[serde(default = "default_idle_secs")]
    pub idle_secs: u64,
    /// Seconds allowed for connecting and for each command.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Sign every message with DKIM.
    #[serde(default)]
    pub dkim: Option<DkimSettings>,
    /// More DKIM keys by name, for the sites of an instance that serves several: a site
    /// whose identity names one (`postroom tenant set NAME --dkim-key KEY`) is signed with
    /// it instead of `dkim`.
    #[serde(default)]
    pub dkim_keys: std::collections::BTreeMap<String, DkimSettings>,
}

impl SmtpSettings {
    /// Settings for a server at `host:port` with every other field at its default.
    pub fn new(host: impl Into<String>, port: u16, security: Security) -> Self {
        Self {
            host: host.into(),
            port: Some(port),
            security,
            allow_plain_remote: false,
            ca_file: None,
            username: None,
            password: None,
            helo_name: None,
            bounce_address: None,
            pool_size: default_pool_size(),
            idle_secs: default_idle_secs(),
            timeout_secs: default_timeout_secs(),
            dkim: None,
            dkim_keys: std::collections::BTreeMap::new(),
        }
    }

    /// The port in use.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.security.default_port())
    }

    /// The timeout for connecting and for each command.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
}

fn default_pool_size() -> usize {
    4
}

fn default_idle_secs() -> u64 {
    60
}

fn default_timeout_secs() -> u64 {
    60
}

/// A DKIM key and where it signs for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DkimSettings {
    /// The signing domain (`d=`), normally the domain of the `From` address.
    pub domain: String,
    /// The selector (`s=`): the key is published at `SELECTOR._domainkey.DOMAIN`.
    pub selector: String,
    /// A PEM file with an RSA (PKCS#1 or PKCS#8) or Ed25519 (PKCS#8) private key.
    pub key_file: PathBuf,
    /// Header fields to sign; a sensible set (From, To, Subject, Date, Message-ID, ...)
    /// when absent.
    #[serde(default)]
    pub headers: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_settings_read_from_toml_with_defaults() {
        let s: OutboundSettings = toml::from_str(
            "transport = \"smtp\"\nhost = \"smtp.example.com\"\nusername = \"u\"\npassword = \"hunter2\"\n",
        )
        .unwrap();
        let OutboundSettings::Smtp(s) = s else {
            panic!("not smtp: {s:?}")
        };
        assert_eq!(s.security, Security::StartTls);
        assert_eq!(s.port(), 587);
        assert_eq!(s.pool_size, 4);
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn file_transport_defaults_to_the_sandbox_outbox() {
        let s: OutboundSettings = toml::from_str("transport = \"file\"\n").unwrap();
        assert_eq!(s, OutboundSettings::sandbox());
    }

    #[test]
    fn unknown_keys_and_transports_are_refused() {
        assert!(
            toml::from_str::<OutboundSettings>("transport = \"smtp\"\nhost = \"h\"\nprot = 25\n")
                .is_err()
        );
        assert!(toml::from_str::<OutboundSettings>("transport = \"pigeon\"\n").is_err());
    }
}
