//! `[inbound]` and `[smtp]`: how mail comes in.

use std::net::SocketAddr;
use std::path::PathBuf;

use postroom_mail::smtp::Network;
use serde::{Deserialize, Serialize};

/// `[inbound]`: what every source shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InboundConfig {
    /// The profile (JSON or TOML) of the tenant `default`: its own addresses decide which
    /// recipients the SMTP listener accepts, its rules what happens to each mail.
    pub profile: Option<PathBuf>,
    /// Largest message taken in, in bytes (SMTP `SIZE`, upload and file limits).
    pub max_size: usize,
    /// Inbound workers per process: mails turned into issues and comments at once.
    pub workers: usize,
    /// Seconds a worker holds a job before another may take it over: how long the mail a
    /// crashed instance held waits. Longer than any one mail's Jira calls.
    pub lease_seconds: u64,
    /// Seconds a mail waits at most for the earlier mails of its conversation (its
    /// original, a reply written before it) to be carried out before it is planned; after
    /// that it is carried out anyway and its report says why.
    pub thread_wait_secs: u64,
    /// Days the audit keeps each message's intake record, raw mail and processing report,
    /// for every tenant of the instance; an hourly purge deletes what is older.
    pub retention_days: u32,
    /// Whether the raw mail of uploads (`POST /api/v1/mail`) and file imports (`postroom
    /// process`) is kept for the retention period; `false` deletes it as soon as its
    /// processing is committed (the report is kept). `[smtp]` and each `[[mailboxes]]`
    /// entry have their own `store_raw`.
    pub store_raw: bool,
}

impl Default for InboundConfig {
    fn default() -> Self {
        Self {
            profile: None,
            max_size: postroom_engine::intake::DEFAULT_MAX_SIZE,
            workers: 4,
            lease_seconds: 60,
            thread_wait_secs: postroom_engine::inbound::DEFAULT_THREAD_WAIT.as_secs(),
            retention_days: postroom_engine::retention::DEFAULT_DAYS,
            store_raw: true,
        }
    }
}

/// `[smtp]`: the SMTP and LMTP listeners (`serve --smtp` / `--lmtp` override the addresses).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// SMTP listener address; unset means no SMTP listener.
    pub addr: Option<SocketAddr>,
    /// LMTP listener address (for a local MTA that delivers by LMTP); unset means none.
    pub lmtp_addr: Option<SocketAddr>,
    /// The name announced in the greeting and EHLO reply.
    pub hostname: String,
    /// PEM certificate chain for STARTTLS; STARTTLS is offered only with both files.
    pub tls_cert_file: Option<PathBuf>,
    /// PEM private key for STARTTLS (mode 0600).
    pub tls_key_file: Option<PathBuf>,
    /// Sessions served at once per listener.
    pub max_connections: usize,
    /// Sessions one peer address may hold at once on the SMTP listener (IPv6 peers are
    /// counted per /64); one more gets `421 4.7.0`. The LMTP listener has no such cap.
    pub max_connections_per_peer: usize,
    /// Addresses or networks (`192.0.2.7`, `10.0.0.0/8`) exempt from
    /// `max_connections_per_peer`: the site's own MX, when all mail is relayed through it.
    pub trusted_relays: Vec<Network>,
    /// Seconds a session may take from its greeting to its first `MAIL FROM`; also the
    /// wait for any command while the listener is at least 80 % full (otherwise 300 s).
    pub greeting_timeout_secs: u64,
    /// Recipients per message.
    pub max_recipients: usize,
    /// Connections plus messages one peer IP may start at once (a token bucket)...
    pub rate_burst: u32,
    /// ...and how many more per minute; beyond that a peer gets `421 4.7.0` and retries.
    pub rate_per_minute: u32,
    /// Whether the raw mail the SMTP and LMTP listeners take in is kept for the retention
    /// period; `false` deletes it as soon as its processing is committed.
    pub store_raw: bool,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            addr: None,
            lmtp_addr: None,
            hostname: "localhost".to_owned(),
            tls_cert_file: None,
            tls_key_file: None,
            max_connections: 100,
            max_connections_per_peer: 10,
            trusted_relays: Vec::new(),
            greeting_timeout_secs: 30,
            max_recipients: 100,
            rate_burst: 200,
            rate_per_minute: 600,
            store_raw: true,
        }
    }
}
