//! A bounded pool of open SMTP connections.
//!
//! Opening a connection costs a TCP handshake, a greeting, EHLO, often TLS and AUTH: more
//! than the transaction itself. Reusing connections across messages makes a burst of
//! notifications cheap, and the bound keeps postroom from opening more connections than a
//! relay tolerates (many refuse or throttle past a handful per client).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::ports::mail_sender::SendError;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::connect::{Connection, Connector};

/// Up to `size` connections, each either in use by one [`Lease`] or idle here.
#[derive(Debug)]
pub struct Pool {
    connector: Connector,
    idle: Mutex<Vec<Idle>>,
    slots: Semaphore,
    max_idle: Duration,
}

#[derive(Debug)]
struct Idle {
    connection: Connection,
    since: Instant,
}

impl Pool {
    /// A pool of at most `size` (at least one) connections, each kept idle for at most
    /// `max_idle`.
    pub fn new(connector: Connector, size: usize, max_idle: Duration) -> Self {
        Self {
            connector,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(size.max(1)),
            max_idle,
        }
    }

    /// Waits for a free slot, then hands out an idle connection or opens a new one.
    pub async fn checkout(&self) -> Result<Lease<'_>, SendError> {
        let slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| SendError::Local("the connection pool is closed".to_owned()))?;
        let (connection, reused) = match self.take_idle() {
            Some(connection) => (connection, true),
            None => (self.connector.connect().await?, false),
        };
        Ok(Lease {
            pool: self,
            _slot: slot,
            connection,
            reused,
        })
    }

    /// Opens a fresh connection outside the idle list, to replace one that broke.
    pub async fn connect(&self) -> Result<Connection, SendError> {
        self.connector.connect().await
    }

    /// The most recently used connection that has not idled too long; older ones are
    /// dropped (closed) on the way, since the server has likely given up on them.
    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let max_idle = self.max_idle;
        idle.retain(|i| i.since.elapsed() < max_idle);
        idle.pop().map(|i| i.connection)
    }

    fn check_in(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.push(Idle {
            connection,
            since: Instant::now(),
        });
    }

    /// How many connections are idle now (for tests and metrics).
    pub fn idle_count(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// One connection in use. Dropping the lease closes the connection; [`Lease::release`]
/// returns it to the pool, which only a connection in a clean state may be.
#[derive(Debug)]
pub struct Lease<'p> {
    pool: &'p Pool,
    _slot: SemaphorePermit<'p>,
    connection: Connection,
    reused: bool,
}

impl Lease<'_> {
    /// True when the connection served an earlier message: it may have been closed by
    /// the server meanwhile, so a failure before anything was accepted deserves one retry
    /// on a fresh connection.
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// The connection.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.connection
    }

    /// Swaps in a fresh connection for a broken one (which is closed).
    pub fn replace(&mut self, connection: Connection) {
        self.connection = connection;
        self.reused = false;
    }

    /// Puts the connection back for the next message.
    pub fn release(self) {
        let Lease {
            pool, connection, ..
        } = self;
        pool.check_in(connection);
    }
}
