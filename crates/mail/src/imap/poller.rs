//! The poller of one mailbox: takes the lease, connects, runs passes, waits with `IDLE`
//! (or sleeps the poll interval), renews the lease, reconnects with backoff, and stops
//! cleanly when its cancellation token fires.
//!
//! Holding the lease is what makes several instances safe: a poller reads only while the
//! database says it is the holder, renews at a third of the lease time, and stops reading
//! the moment a renewal or a cursor save says the lease went elsewhere.

use std::time::Duration;

use postroom_core::ports::mailbox::{MailboxState, PollReport};
use tokio_util::sync::CancellationToken;

use super::connect::{self, Credentials, ImapSession};
use super::error::ImapError;
use super::pass::{Caps, Pass, PassEnd, PassError, now_ms};
use super::settings::{AfterIntake, MailboxSettings};
use super::sink::MessageSink;

/// Lease length; renewed every third of it.
const LEASE: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// One mailbox's poller. `holder` names this instance in the lease (host and process).
#[derive(Debug)]
pub struct Poller<S, M> {
    settings: MailboxSettings,
    credentials: Credentials,
    sink: S,
    state: M,
    holder: String,
    lease: Duration,
}

impl<S: MessageSink, M: MailboxState> Poller<S, M> {
    pub fn new(settings: MailboxSettings, sink: S, state: M, holder: impl Into<String>) -> Self {
        Self {
            credentials: Credentials::for_settings(&settings),
            settings,
            sink,
            state,
            holder: holder.into(),
            lease: LEASE,
        }
    }

    /// Hands a refresh token the provider rotates to `hook`, to be kept in its place.
    pub fn on_rotation(mut self, hook: super::oauth::RotationHook) -> Self {
        self.credentials = self.credentials.on_rotation(hook);
        self
    }

    /// A shorter lease, for tests of the hand-over between instances.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(300));
        self
    }

    /// Runs until `cancel` fires; every error is logged, counted and retried with backoff.
    pub async fn run(self, cancel: CancellationToken) {
        let name = self.settings.name.clone();
        let mut backoff = FIRST_BACKOFF;
        while !cancel.is_cancelled() {
            let wait = match self.lease_and_read(&cancel).await {
                Ok(true) => {
                    backoff = FIRST_BACKOFF;
                    self.lease / 3
                }
                Ok(false) => self.lease / 3,
                Err(error) => {
                    metrics::counter!("postroom_imap_errors_total",
                        "mailbox" => name.clone(), "kind" => kind(&error))
                    .increment(1);
                    self.report(problem(&error), None).await;
                    tracing::warn!(mailbox = %name, %error, retry_in = ?backoff, "mailbox poll failed");
                    let wait = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    wait
                }
            };
            metrics::gauge!("postroom_imap_connected", "mailbox" => name.clone()).set(0.0);
            sleep(&cancel, wait).await;
        }
        if let Err(error) = self.state.release(&name, &self.holder).await {
            tracing::warn!(mailbox = %name, %error, "releasing the mailbox lease failed");
        }
    }

    /// Reads while holding the lease. `Ok(false)`: someone else holds it; `Ok(true)`: this
    /// poller held it until it was lost or the poller was cancelled.
    async fn lease_and_read(&self, cancel: &CancellationToken) -> Result<bool, PassError> {
        if !self.renew(true).await? {
            return Ok(false);
        }
        let mut session = connect::open(&self.settings, &self.credentials).await?;
        let name = self.settings.name.clone();
        metrics::gauge!("postroom_imap_connected", "mailbox" => name.clone()).set(1.0);
        let caps = prepare(&mut session, &self.settings).await?;
        let mut retry = FIRST_BACKOFF;
        let result = loop {
            let pass = Pass {
                settings: &self.settings,
                sink: &self.sink,
                state: &self.state,
                holder: &self.holder,
                caps,
            };
            let wait = match pass.run(&mut session).await {
                Ok(PassEnd::Done) => {
                    self.report(None, Some(0)).await;
                    retry = FIRST_BACKOFF;
                    let secs = now_ms() as f64 / 1000.0;
                    metrics::gauge!("postroom_imap_last_poll_seconds", "mailbox" => name.clone())
                        .set(secs);
                    None
                }
                Ok(PassEnd::Retry { reason, waiting }) => {
                    self.report(Some(INTAKE_FAILED), Some(waiting)).await;
                    tracing::warn!(mailbox = %name, %reason, retry_in = ?retry, "intake failed; message left in place");
                    metrics::counter!("postroom_imap_errors_total",
                        "mailbox" => name.clone(), "kind" => "intake")
                    .increment(1);
                    let wait = retry;
                    retry = (retry * 2).min(MAX_BACKOFF);
                    Some(wait)
                }
                Err(e) => break Err(e),
            };
            if cancel.is_cancelled() {
                break Ok(true);
            }
            session = match wait {
                Some(wait) => {
                    self.wait_renewing(cancel, wait).await?;
                    session
                }
                None if caps.idle => self.idle(session, cancel).await?,
                None => {
                    self.wait_renewing(cancel, self.settings.poll_interval())
                        .await?;
                    session
                }
            };
            if cancel.is_cancelled() {
                break Ok(true);
            }
            if !self.renew(false).await? {
                break Err(PassError::LeaseLost);
            }
        };
        // Logging out is a courtesy; the server cleans up a dropped connection as well.
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        match result {
            Err(PassError::LeaseLost) => {
                tracing::info!(mailbox = %name, "lease lost to another instance; stopped reading");
                Ok(false)
            }
            other => other,
        }
    }

    /// Records how the poll went; a failure to record it is only logged (the next poll
    /// records again).
    async fn report(&self, problem: Option<&'static str>, waiting: Option<u32>) {
        let report = PollReport { problem, waiting };
        let name = &self.settings.name;
        if let Err(error) = self.state.report(name, &report, now_ms()).await {
            tracing::warn!(mailbox = %name, %error, "cannot record how the poll went");
        }
    }

    async fn renew(&self, first: bool) -> Result<bool, PassError> {
        let ttl = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
        let name = &self.settings.name;
        let held = if first {
            self.state
                .try_lease(name, &self.holder, ttl, now_ms())
                .await
        } else {
            self.state.renew(name, &self.holder, ttl, now_ms()).await
        };
        held.map_err(|e| PassError::State(e.to_string()))
    }

    /// Sleeps `total` (or until cancelled), renewing the lease on the way.
    async fn wait_renewing(
        &self,
        cancel: &CancellationToken,
        total: Duration,
    ) -> Result<(), PassError> {
        let deadline = tokio::time::Instant::now() + total;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() || cancel.is_cancelled() {
                return Ok(());
            }
            sleep(cancel, left.min(self.lease / 3)).await;
            if !self.renew(false).await? {
                return Err(PassError::LeaseLost);
            }
        }
    }

    /// Waits in `IDLE` until the server reports a change, the lease needs renewing, or the
    /// poller is cancelled.
    async fn idle(
        &self,
        session: ImapSession,
        cancel: &CancellationToken,
    ) -> Result<ImapSession, PassError> {
        let idle_error = |e| PassError::Imap(ImapError::protocol("IDLE", e));
        let mut handle = session.idle();
        handle.init().await.map_err(idle_error)?;
        {
            let (wait, _stop) = handle.wait_with_timeout(self.lease / 3);
            tokio::select! {
                result = wait => { result.map_err(idle_error)?; }
                () = cancel.cancelled() => {}
            }
        }
        handle.done().await.map_err(idle_error)
    }
}

/// Creates the folders postroom moves messages into, and reads the capabilities.
async fn prepare(session: &mut ImapSession, settings: &MailboxSettings) -> Result<Caps, ImapError> {
    let mut folders = vec![settings.failure_folder.as_str()];
    if let AfterIntake::Move { folder } = &settings.after {
        folders.push(folder);
    }
    for folder in folders {
        // `NO` means it exists already (or cannot be made, which the first move will say).
        match session.create(folder).await {
            Ok(()) | Err(async_imap::error::Error::No(_)) => {}
            Err(e) => return Err(ImapError::protocol("CREATE", e)),
        }
    }
    let caps = session
        .capabilities()
        .await
        .map_err(|e| ImapError::protocol("CAPABILITY", e))?;
    Ok(Caps {
        idle: caps.has_str("IDLE"),
        mv: caps.has_str("MOVE"),
        uidplus: caps.has_str("UIDPLUS"),
    })
}

const INTAKE_FAILED: &str =
    "postroom could not take a message in; it is left in the mailbox and tried again";

/// The overview's words for a failed poll: a fixed phrase per kind of failure, never the
/// server's own words (which can carry an address).
fn problem(error: &PassError) -> Option<&'static str> {
    Some(match kind(error) {
        "settings" => "the mailbox's settings cannot work (see the log)",
        "dns" => "the server's name does not resolve",
        "connect" => "the server cannot be reached",
        "tls" => "the TLS connection to the server failed",
        "auth" => "the server refused postroom's sign-in",
        "folder" => "the folder does not exist on the server",
        "timeout" => "the server did not answer in time",
        "state" => "postroom's database could not be reached",
        // Another instance reads it now: not a problem of this mailbox.
        "lease" => return None,
        _ => "the server answered something postroom did not expect",
    })
}

fn kind(error: &PassError) -> &'static str {
    match error {
        PassError::Imap(e) => e.kind(),
        PassError::State(_) => "state",
        PassError::LeaseLost => "lease",
    }
}

async fn sleep(cancel: &CancellationToken, duration: Duration) {
    tokio::select! {
        () = tokio::time::sleep(duration) => {}
        () = cancel.cancelled() => {}
    }
}
