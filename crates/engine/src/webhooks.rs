//! Taking in a Jira webhook delivery: keep it only when a notification rule wants it.
//!
//! The HTTP edge has already checked the signature. Here the body is read, the tenant's
//! rules asked, and — only if one wants the event — the body is sealed, stored and its job
//! queued in one transaction. Nothing here calls Jira or a mail server, so Jira's delivery
//! is answered in the time of one local commit, and a delivery no rule wants is answered
//! without writing anything at all (DESIGN.md §5). Deliveries that arrive while a commit
//! is under way share the next one (a group commit): on SQLite, where writers take turns,
//! one transaction per delivery capped the receiver at ~2,300 stored deliveries a second
//! with a p99 over 100 ms (BENCHMARKS.md); each is still answered only once it is durable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::notify::{self, EventError, JiraEvent};
use postroom_core::profile::CheckedProfile;
use postroom_core::redact::Redactor;
use postroom_core::tenant::TenantId;
use postroom_store::crypto::{Keyring, Place};
use postroom_store::queue::NewJob;
use postroom_store::webhooks::WebhookEvent;
use postroom_store::{Store, StoreError, TenantStore};
use rand::RngCore;
use tokio::sync::oneshot;

use crate::profiles::ProfileCache;
use crate::worker::now_ms;

/// The job kind that turns a stored delivery into notifications (payload: its id).
pub const NOTIFY_JOB: &str = "outbound.notify";

/// How long a tenant's rules are used before the stored profile's version is read again:
/// an imported profile applies to deliveries within this time.
const RULES_FRESH_FOR: Duration = Duration::from_secs(1);

/// Most deliveries one commit takes, so that a burst does not hold the database's write
/// lock for long; the rest go into the next commit.
const MAX_BATCH: usize = 256;

/// What became of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// No rule wants it: nothing was stored.
    Unwanted,
    /// Stored and queued under this id.
    Stored(String),
    /// A delivery with the same identifier was stored before: nothing changed.
    Duplicate,
}

/// Why a delivery was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The body is not a Jira issue webhook (the sender should not retry).
    #[error(transparent)]
    NotAWebhook(#[from] EventError),
    /// No such tenant.
    #[error("unknown tenant {0}")]
    UnknownTenant(TenantId),
    /// The tenant has no usable profile, so no rule can be asked; Jira retries later.
    #[error("the tenant's profile cannot be used: {0}")]
    NoProfile(String),
    /// Storing failed; Jira retries later.
    #[error("storing the delivery: {0}")]
    Store(String),
}

/// The webhook intake. Cheap to clone; one per process.
#[derive(Clone)]
pub struct Webhooks {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Webhooks")
    }
}

/// When a tenant's rules were last confirmed current, and what they were.
type Fresh = (Instant, TenantStore, Arc<CheckedProfile>);

/// A sealed delivery waiting for the next commit, and the caller waiting for its outcome
/// (`true`: new, `false`: a redelivery).
struct Pending {
    store: TenantStore,
    row: WebhookEvent,
    identifier_hash: String,
    reply: oneshot::Sender<Result<bool, String>>,
}

struct Inner {
    store: Store,
    keyring: Keyring,
    redactor: Redactor,
    profiles: ProfileCache,
    fresh: Mutex<HashMap<TenantId, Fresh>>,
    /// Woken after each stored delivery, so that an idle worker takes it at once.
    committed: Arc<tokio::sync::Notify>,
    /// Deliveries sealed and waiting to be written.
    pending: Mutex<Vec<Pending>>,
    /// Held while a batch is committed: one commit at a time, each taking what waits.
    committing: tokio::sync::Mutex<()>,
}

/// Where a delivery's sealed payload lives (bound to its row).
pub fn payload_place(id: &str) -> Place {
    Place::column("webhook_events", "payload", id.to_owned())
}

impl Webhooks {
    pub fn new(store: Store, keyring: Keyring, committed: Arc<tokio::sync::Notify>) -> Self {
        let redactor = Redactor::new(keyring.redaction_key());
        Self {
            inner: Arc::new(Inner {
                store,
                keyring,
                redactor,
                profiles: ProfileCache::default(),
                fresh: Mutex::new(HashMap::new()),
                committed,
                pending: Mutex::new(Vec::new()),
                committing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Takes one delivery for `tenant`. `identifier` is `X-Atlassian-Webhook-Identifier`
    /// (the same on Jira's retries); without one, the body itself identifies the delivery.
    pub async fn receive(
        &self,
        tenant: &TenantId,
        identifier: Option<&str>,
        body: &[u8],
    ) -> Result<Received, ReceiveError> {
        let event = JiraEvent::parse(body)?;
        let (store, profile) = self.rules(tenant).await?;
        if !notify::wanted(&profile.profile.notifications, &event) {
            metrics::counter!("postroom_webhooks_total", "outcome" => "unwanted").increment(1);
            return Ok(Received::Unwanted);
        }
        let inner = &self.inner;
        let identifier_hash = match identifier.filter(|i| !i.trim().is_empty()) {
            Some(id) => inner.redactor.lookup_key("whid", id.trim()),
            None => inner
                .redactor
                .lookup_key("whbody", &String::from_utf8_lossy(body)),
        };
        let store_error = |e: &dyn std::fmt::Display| ReceiveError::Store(e.to_string());
        let cipher = inner
            .keyring
            .cipher(&store)
            .await
            .map_err(|e| store_error(&e))?;
        let id = new_id();
        let now = now_ms();
        let row = WebhookEvent {
            id: id.clone(),
            event: event.webhook_event.clone(),
            payload: Some(
                cipher
                    .seal(&payload_place(&id), body)
                    .map_err(|e| store_error(&e))?,
            ),
            received_at_ms: now,
            done_at_ms: None,
        };
        if !self.write(store, row, identifier_hash).await? {
            metrics::counter!("postroom_webhooks_total", "outcome" => "duplicate").increment(1);
            return Ok(Received::Duplicate);
        }
        metrics::counter!("postroom_webhooks_total", "outcome" => "stored").increment(1);
        Ok(Received::Stored(id))
    }

    /// Writes one delivery and its job, together with whatever other deliveries wait, and
    /// says whether it was new. Returns once its commit is done: either another caller's
    /// commit took it, or this caller takes the turn and commits everything waiting.
    async fn write(
        &self,
        store: TenantStore,
        row: WebhookEvent,
        identifier_hash: String,
    ) -> Result<bool, ReceiveError> {
        let inner = &self.inner;
        let (reply, mut answer) = oneshot::channel();
        lock(&inner.pending).push(Pending {
            store,
            row,
            identifier_hash,
            reply,
        });
        let turn = tokio::select! {
            biased;
            done = &mut answer => return outcome(done),
            turn = inner.committing.lock() => turn,
        };
        let batch: Vec<Pending> = {
            let mut pending = lock(&inner.pending);
            let take = pending.len().min(MAX_BATCH);
            pending.drain(..take).collect()
        };
        if !batch.is_empty() {
            // Committed by its own task: a caller that goes away mid-commit (Jira hung up)
            // must not abandon the other callers' deliveries with it.
            let committer = Arc::clone(inner);
            let _ = tokio::spawn(async move { committer.commit(batch).await }).await;
        }
        drop(turn);
        outcome(answer.await)
    }

    /// The tenant's store and compiled rules, confirmed current at most
    /// [`RULES_FRESH_FOR`] ago: at thousands of deliveries a second, reading the profile's
    /// version for each would cost more than the rest of the work.
    async fn rules(
        &self,
        tenant: &TenantId,
    ) -> Result<(TenantStore, Arc<CheckedProfile>), ReceiveError> {
        let inner = &self.inner;
        if let Some((at, store, profile)) = inner
            .fresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant)
            && at.elapsed() < RULES_FRESH_FOR
        {
            return Ok((store.clone(), Arc::clone(profile)));
        }
        let store = match inner.store.tenant(tenant).await {
            Ok(s) => s,
            Err(StoreError::UnknownTenant(t)) => return Err(ReceiveError::UnknownTenant(t)),
            Err(e) => return Err(ReceiveError::Store(e.to_string())),
        };
        let profile = inner
            .profiles
            .get(&store)
            .await
            .map_err(|e| ReceiveError::NoProfile(e.to_string()))?;
        inner
            .fresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                tenant.clone(),
                (Instant::now(), store.clone(), Arc::clone(&profile)),
            );
        Ok((store, profile))
    }
}

impl Inner {
    /// Commits `batch`, one transaction per tenant, and tells each caller its outcome; a
    /// failed transaction fails all of its deliveries (Jira retries them).
    async fn commit(&self, batch: Vec<Pending>) {
        let mut by_tenant: HashMap<TenantId, Vec<Pending>> = HashMap::new();
        for pending in batch {
            by_tenant
                .entry(pending.store.id().clone())
                .or_default()
                .push(pending);
        }
        for group in by_tenant.into_values() {
            match write_group(&group).await {
                Ok(new) => {
                    for (pending, new) in group.into_iter().zip(new) {
                        if new {
                            self.committed.notify_one();
                        }
                        let _ = pending.reply.send(Ok(new));
                    }
                }
                Err(e) => {
                    for pending in group {
                        let _ = pending.reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }
}

/// One tenant's deliveries and their jobs in one transaction; whether each was new.
async fn write_group(group: &[Pending]) -> Result<Vec<bool>, String> {
    let Some(first) = group.first() else {
        return Ok(Vec::new());
    };
    let mut tx = first.store.begin().await.map_err(|e| e.to_string())?;
    let now = now_ms();
    let mut new = Vec::with_capacity(group.len());
    for pending in group {
        let id = &pending.row.id;
        let recorded = tx
            .record_webhook_event(&pending.row, &pending.identifier_hash)
            .await
            .map_err(|e| e.to_string())?;
        if recorded {
            tx.enqueue(
                &NewJob {
                    kind: NOTIFY_JOB.to_owned(),
                    payload: id.as_bytes().to_vec(),
                    idempotency_key: format!("webhook:{id}"),
                    run_at_ms: now,
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
        }
        new.push(recorded);
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(new)
}

/// A caller's outcome from the commit that took its delivery.
fn outcome(
    answer: Result<Result<bool, String>, oneshot::error::RecvError>,
) -> Result<bool, ReceiveError> {
    match answer {
        Ok(Ok(new)) => Ok(new),
        Ok(Err(e)) => Err(ReceiveError::Store(e)),
        Err(_) => Err(ReceiveError::Store(
            "the commit of the delivery was interrupted".to_owned(),
        )),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn new_id() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
