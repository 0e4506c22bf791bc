//! The SMTP/LMTP listener: takes mail for postroom's own addresses from other mail
//! servers and hands each message to a [`Sink`] (the intake).
//!
//! It acknowledges only what is safe: a `250` after `DATA` is sent only once the sink has
//! committed the message, and every failure to commit is a `451` so the sending server
//! keeps the mail and retries. Commands and replies go through `smtp-proto`; this module
//! holds the session rules, limits and I/O.
//!
//! Nothing the client sends is logged in clear: peers are logged by IP, recipients only
//! as keyed hashes from [`postroom_core::redact::Redactor`].

mod config;
mod listener;
mod network;
mod peers;
mod rate;
mod reply;
mod session;
mod sink;
mod tls;
mod wire;

pub use config::{ListenerConfig, RateLimit};
pub use listener::{Listener, ListenerError};
pub use network::{Network, NetworkError};
pub use sink::{DeliveryError, DeliveryId, Envelope, Protocol, RecipientVerdict, Sink};
pub use tls::{Tls, TlsError};
