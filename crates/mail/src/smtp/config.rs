//! The listener's limits, with defaults fit for a public MX that takes mail only for its
//! own domains.

use std::time::Duration;

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
    /// Recipients per message; one more gets `452 4.5.3`.
    pub max_recipients: usize,
    /// How long to wait for a command before answering `421 4.4.2` and closing.
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
            max_recipients: 100,
            command_timeout: Duration::from_secs(300),
            data_timeout: Duration::from_secs(180),
            max_errors: 10,
            rate: RateLimit::default(),
            tls: None,
        }
    }
}
