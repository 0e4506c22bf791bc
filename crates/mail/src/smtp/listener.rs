//! The accept loop: connection, per-peer and rate limits, STARTTLS hand-over, graceful
//! shutdown.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use postroom_core::redact::Redactor;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::config::ListenerConfig;
use super::peers::{PeerSlot, PeerSlots};
use super::rate::PeerRates;
use super::reply::{self, Reply};
use super::session::{End, Session};
use super::sink::Sink;

/// How long a refused client gets to read its `421`.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// The address could not be bound (in use, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The bound socket could not tell its address.
    #[error("cannot read the listening address: {0}")]
    LocalAddr(std::io::Error),
}

/// What every session of one listener shares.
pub(crate) struct Shared<K> {
    pub(crate) sink: K,
    pub(crate) config: ListenerConfig,
    pub(crate) redactor: Redactor,
    pub(crate) shutdown: CancellationToken,
    rates: Mutex<PeerRates>,
    connections: Arc<Semaphore>,
    peers: Arc<PeerSlots>,
}

impl<K> Shared<K> {
    pub(crate) fn new(
        sink: K,
        config: ListenerConfig,
        redactor: Redactor,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            sink,
            rates: Mutex::new(PeerRates::new(config.rate)),
            connections: Arc::new(Semaphore::new(config.max_connections)),
            peers: Arc::new(PeerSlots::default()),
            config,
            redactor,
            shutdown,
        }
    }

    /// Takes one token from the peer's rate bucket.
    pub(crate) fn allow(&self, peer: IpAddr) -> bool {
        // A poisoned lock only means another session panicked mid-update; the counters
        // are still usable.
        let mut rates = self.rates.lock().unwrap_or_else(|e| e.into_inner());
        rates.allow(peer, Instant::now())
    }

    /// Whether at least 80 % of the connection slots are taken: then every session waits
    /// for its next command only `greeting_timeout`, so idle ones make room sooner.
    pub(crate) fn crowded(&self) -> bool {
        let max = self.config.max_connections;
        let taken = max.saturating_sub(self.connections.available_permits());
        taken * 5 >= max * 4
    }

    /// A slot for one more session of `peer`; `None` for a trusted relay or a listener
    /// without a per-peer cap, which need none.
    fn peer_slot(&self, peer: IpAddr) -> Result<Option<PeerSlot>, Refusal> {
        let Some(max) = self.config.max_connections_per_peer else {
            return Ok(None);
        };
        if self.config.trusted_relays.iter().any(|n| n.contains(peer)) {
            return Ok(None);
        }
        match self.peers.take(peer, max, Instant::now()) {
            Ok(slot) => Ok(Some(slot)),
            Err(full) => {
                if full.log {
                    tracing::info!(%peer, max, "connections refused: peer at max_connections_per_peer (logged once a minute)");
                }
                Err(Refusal::PerPeer)
            }
        }
    }

    /// Takes what one more session needs, in the order that costs a refused peer least.
    fn admit(&self, peer: IpAddr) -> Result<Slots, Refusal> {
        let peer_slot = self.peer_slot(peer)?;
        let Ok(permit) = Arc::clone(&self.connections).try_acquire_owned() else {
            tracing::info!(%peer, "connection refused: at max_connections");
            return Err(Refusal::Busy);
        };
        if !self.allow(peer) {
            tracing::info!(%peer, "connection refused: peer over its rate");
            return Err(Refusal::Rate);
        }
        Ok(Slots {
            _permit: permit,
            _peer: peer_slot,
        })
    }
}

/// Why a connection is not served.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    PerPeer,
    Busy,
    Rate,
}

impl Refusal {
    fn outcome(self) -> &'static str {
        match self {
            Self::PerPeer => "peer_limit",
            Self::Busy => "busy",
            Self::Rate => "rate",
        }
    }

    fn reply(self) -> Reply {
        match self {
            Self::PerPeer => reply::PEER_CONNECTIONS,
            Self::Busy => reply::TOO_MANY_CONNECTIONS,
            Self::Rate => reply::RATE_EXCEEDED,
        }
    }
}

/// What a served session holds until its task ends, however it ends.
struct Slots {
    _permit: OwnedSemaphorePermit,
    _peer: Option<PeerSlot>,
}

/// A bound SMTP or LMTP listener, not yet serving.
#[derive(Debug)]
pub struct Listener<K> {
    tcp: TcpListener,
    sink: K,
    config: ListenerConfig,
    redactor: Redactor,
}

impl<K: Sink> Listener<K> {
    /// Binds `addr` (port 0 picks a free port; see [`Listener::local_addr`]).
    pub async fn bind(
        addr: SocketAddr,
        config: ListenerConfig,
        sink: K,
        redactor: Redactor,
    ) -> Result<Self, ListenerError> {
        let tcp = TcpListener::bind(addr)
            .await
            .map_err(|source| ListenerError::Bind { addr, source })?;
        Ok(Self {
            tcp,
            sink,
            config,
            redactor,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, ListenerError> {
        self.tcp.local_addr().map_err(ListenerError::LocalAddr)
    }

    /// Serves until `shutdown` is cancelled, then stops accepting, lets every session
    /// finish the message it is receiving (idle sessions get `421 4.3.2`), and returns.
    pub async fn serve(self, shutdown: CancellationToken) {
        let shared = Arc::new(Shared::new(
            self.sink,
            self.config,
            self.redactor,
            shutdown.clone(),
        ));
        let tasks = TaskTracker::new();
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = self.tcp.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let peer = peer.ip();
            match shared.admit(peer) {
                Ok(slots) => {
                    metrics::counter!("postroom_smtp_connections_total", "outcome" => "accepted")
                        .increment(1);
                    tasks.spawn(connection(shared.clone(), stream, peer, slots));
                }
                Err(refusal) => {
                    metrics::counter!("postroom_smtp_connections_total", "outcome" => refusal.outcome())
                        .increment(1);
                    tasks.spawn(refuse(stream, refusal.reply()));
                }
            }
        }
        drop(self.tcp);
        tasks.close();
        tasks.wait().await;
    }
}

/// Answers `421` to a connection that will not be served, then closes it.
async fn refuse(mut stream: TcpStream, answer: Reply) {
    let mut out = Vec::new();
    reply::push(&mut out, answer);
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, async {
        stream.write_all(&out).await?;
        stream.shutdown().await
    })
    .await;
}

/// Serves one connection, upgrading it to TLS when the client asks.
async fn connection<K: Sink>(
    shared: Arc<Shared<K>>,
    stream: TcpStream,
    peer: IpAddr,
    _slots: Slots,
) {
    tracing::debug!(%peer, "session started");
    let mut plain = Session::new(stream, &shared, peer, false);
    if plain.run(true).await != End::StartTls {
        return;
    }
    let Some(tls) = shared.config.tls.as_ref() else {
        return;
    };
    let handshake = tls.acceptor().accept(plain.into_io());
    match tokio::time::timeout(shared.config.data_timeout, handshake).await {
        Ok(Ok(stream)) => {
            Session::new(stream, &shared, peer, true).run(false).await;
        }
        Ok(Err(error)) => tracing::info!(%peer, %error, "TLS handshake failed"),
        Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
    }
}
