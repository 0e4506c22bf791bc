//! The listener's limits, with defaults fit for a public MX that takes mail only for its
//! own domains.

use std::time::Duration;

use super::network::Network;
use super::sink::Protocol;
use super::tls::Tls;

/// How many connections and messages one peer IP may start: a token bucket holding up to
/// `burst` tokens, refilled at `per_minute`. Each connection and each `MAIL FROM` takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Tokens a quiet peer has saved up.
    pub burst: u32,
    /// Tokens added per minute, spread evenly.
    pub per_minute: u32,
}

impl Default for RateLimit {
    /// Generous enough for a provider relaying a busy support address from one IP, small
    /// enough that one peer cannot keep the intake busy alone.
    fn default() -> Self {
        Self {
            burst: 200,
            per_minute: 600,
        }
    }
}

/// Everything a listener needs to know besides its address and sink.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// SMTP or LMTP.
    pub protocol: Protocol,
    /// The name announced in the greeting and the `EHLO` reply.
    pub hostname: String,
    /// Largest message accepted, in bytes; announced as `SIZE` and enforced on the
    /// declared size (`MAIL FROM ... SIZE=`) and on the bytes actually sent.
    pub max_message_size: usize,
    /// Sessions served at once; a connection beyond it gets `421 4.3.2` and is closed.
    pub max_connections: usize,
    /// Sessions one peer may hold at once (IPv6 peers counted per /64), so that idle
    /// connections from one source cannot take every slot; one more gets `421 4.7.0`.
    /// `None`: no cap (the LMTP listener, whose only peer is the local mail server).
    pub max_connections_per_peer: Option<usize>,
    /// Peers exempt from `max_connections_per_peer`: a site that relays all its mail
    /// through its own MX sees every legitimate message come from one address.
    pub trusted_relays: Vec<Network>,
    /// How long a session may take from its greeting to its first `MAIL FROM`, and the
    /// wait for any command while the listener is at least 80 % full.
    pub greeting_timeout: Duration,
    /// Recipients per message; one more gets `452 4.5.3`.
    pub max_recipients: usize,
    /// How long to wait for a command after `MAIL FROM` before answering `421 4.4.2` and
    /// closing (RFC 5321 section 4.5.3.2: five minutes), while the listener is not crowded.
    pub command_timeout: Duration,
    /// How long to wait for each read during `DATA` (and the TLS handshake).
    pub data_timeout: Duration,
    /// Bad commands tolerated in one session before it is closed with `421 4.7.0`.
    pub max_errors: u32,
    /// Per-peer-IP rate of connections and messages.
    pub rate: RateLimit,
    /// The certificate for `STARTTLS`; without one the extension is not offered.
    pub tls: Option<Tls>,
}

impl Default for ListenerConfig {
    /// RFC 5321 section 4.5.3 minimums for recipients and timeouts; the 25 MB.
    fn default() -> Self {
        Self {
            protocol: Protocol::Smtp,
            hostname: "localhost".to_owned(),
            max_message_size: 25 * 1024 * 1024,
            max_connections: 100,
            max_connections_per_peer: Some(10),
            trusted_relays: Vec::new(),
            greeting_timeout: Duration::from_secs(30),
            max_recipients: 100,
            command_timeout: Duration::from_secs(300),
            data_timeout: Duration::from_secs(180),
            max_errors: 10,
            rate: RateLimit::default(),
            tls: None,
        }
    }
}
