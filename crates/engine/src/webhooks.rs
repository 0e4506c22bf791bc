//! Taking in a Jira webhook delivery: keep it only when a notification rule wants it.
//!
//! The HTTP edge has already checked the signature. Here the body is read, the tenant's
//! rules asked, and — only if one wants the event — the body is sealed, stored and its job
//! queued in one transaction. Nothing here calls Jira or a mail server, so Jira's delivery
//! is answered in the time of one local commit, and a delivery no rule wants is answered
//! without writing anything at all (DESIGN.md §5).

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

use crate::profiles::ProfileCache;
use crate::worker::now_ms;

/// The job kind that turns a stored delivery into notifications (payload: its id).
pub const NOTIFY_JOB: &str = "outbound.notify";

/// How long a tenant's rules are used before the stored profile's version is read again:
/// an imported profile applies to deliveries within this time.
const RULES_FRESH_FOR: Duration = Duration::from_secs(1);

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

struct Inner {
    store: Store,
    keyring: Keyring,
    redactor: Redactor,
    profiles: ProfileCache,
    fresh: Mutex<HashMap<TenantId, Fresh>>,
    /// Woken after each stored delivery, so that an idle worker takes it at once.
    committed: Arc<tokio::sync::Notify>,
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
        let cipher = inner.keyring.cipher(&store).map_err(|e| store_error(&e))?;
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
        let mut tx = store.begin().await.map_err(|e| store_error(&e))?;
        let new = tx
            .record_webhook_event(&row, &identifier_hash)
            .await
            .map_err(|e| store_error(&e))?;
        if !new {
            tx.rollback().await.map_err(|e| store_error(&e))?;
            metrics::counter!("postroom_webhooks_total", "outcome" => "duplicate").increment(1);
            return Ok(Received::Duplicate);
        }
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
        .map_err(|e| store_error(&e))?;
        tx.commit().await.map_err(|e| store_error(&e))?;
        inner.committed.notify_one();
        metrics::counter!("postroom_webhooks_total", "outcome" => "stored").increment(1);
        Ok(Received::Stored(id))
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

fn new_id() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
