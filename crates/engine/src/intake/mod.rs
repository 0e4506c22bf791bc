//! Intake: raw bytes from any source become an encrypted blob, an intake record and a
//! queued job, in one commit, before the source is told "done".
//!
//! Order matters. The blob is written first (sealed with the tenant's key); the record and
//! the job are then committed in one transaction. A crash before that commit leaves at
//! worst an unreferenced blob and an unacknowledged source, which delivers again; a crash
//! after it leaves everything needed to process the message. A message delivered twice to
//! one tenant is taken in once, whether it came again through the same mailbox or through
//! another mailbox, own address, the listener or an import: the same message is the same
//! Message-ID **and** the same content digest (see [`Identity`]), or the digest alone
//! without a Message-ID. A mail reusing a Message-ID with other content is taken in as a
//! message of its own. The commit also records the message's place in its conversation
//! ([`postroom_core::conversation`]), so that its replies wait for it.

mod dedupe;

use std::sync::Arc;

use postroom_core::conversation::{Headers, Place};
use postroom_core::message::Message;
use postroom_core::redact::Redactor;
use postroom_store::blobs::{BlobError, BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{CryptoError, Keyring};
use postroom_store::intake::{IntakeRecord, IntakeSource};
use postroom_store::{NewJob, QueueError, StoreError, TenantStore};
use rand::RngCore;
use tokio::sync::Notify;

pub use dedupe::{Identity, dedupe_hash};

/// Largest message taken in by default: 25 MB, what most mail servers accept.
pub const DEFAULT_MAX_SIZE: usize = 25 * 1024 * 1024;

/// The job kind the inbound worker handles; its payload is the intake id.
pub const JOB_KIND: &str = "inbound.mail";

/// The job kind of an administrator's `audit reprocess`: the same handler, with the same
/// payload, but it processes the mail again even when it has a result (a new attempt,
/// under a new idempotency key, never a silent no-op).
pub const REPROCESS_JOB_KIND: &str = "inbound.reprocess";

/// The job kind of an administrator's `audit release`: the same handler and payload, for a
/// reply held under `people.strangers`; it is carried out as a comment, the stranger's
/// hold lifted (and still adds nobody to the issue). A message that is no longer held when
/// the job runs is left as it is.
pub const RELEASE_JOB_KIND: &str = "inbound.release";

/// Where a message came from: the kind of source and the configured name of the mailbox
/// or listener (deduplication is per tenant, across all of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub source: IntakeSource,
    pub mailbox: String,
    /// False when the mailbox or listener opted out of keeping raw mail (`store_raw =
    /// false`): the raw mail is still stored, because processing needs it, but deleted as
    /// soon as the message's result is committed.
    pub store_raw: bool,
    /// The site's own addresses this delivery was for, as its envelope said (SMTP and LMTP
    /// `RCPT TO`), lower-cased; empty where a source has no envelope. Routing sees them
    /// beside the headers' recipients, so a `Bcc` to an own address counts — for every
    /// delivery of a message, its duplicates' included.
    pub recipients: Vec<String>,
}

/// The answer to a source: the message is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: String,
    /// True when the tenant had already taken the message in, through any source; nothing
    /// new was stored.
    pub duplicate: bool,
    /// The job that will process the message (`None` for a duplicate).
    pub job: Option<i64>,
    /// The keyed hash naming the message's conversation, when it names a Message-ID: an
    /// import counts the conversations it took in by it.
    pub conversation: Option<String>,
}

/// Why a message was not taken in. [`IntakeError::is_transient`] tells a source whether to
/// keep the message and try again (SMTP 451, IMAP: leave it) or give up (552, refused).
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("message of {size} bytes is over the limit of {limit} bytes")]
    TooBig { size: usize, limit: usize },
    #[error("message is empty")]
    Empty,
    #[error("cannot store the message: {0}")]
    Blob(#[from] BlobError),
    #[error("cannot seal the message: {0}")]
    Crypto(#[from] CryptoError),
    #[error("cannot record the message: {0}")]
    Store(#[from] StoreError),
    #[error("cannot queue the message: {0}")]
    Queue(#[from] QueueError),
}

impl IntakeError {
    /// Storage failures are worth retrying; a message that is too big or empty is not.
    pub fn is_transient(&self) -> bool {
        !matches!(self, IntakeError::TooBig { .. } | IntakeError::Empty)
    }
}

/// Takes messages in for any tenant. Cheap to clone; one per process.
#[derive(Debug, Clone)]
pub struct Intake {
    keyring: Keyring,
    /// Hashes the Message-IDs of each message's place in its conversation.
    redactor: Redactor,
    blobs: BlobStore,
    max_size: usize,
    /// Woken after each commit, so this process's idle workers start at once instead of
    /// at their next poll.
    committed: Arc<Notify>,
}

impl Intake {
    pub fn new(keyring: Keyring, blobs: BlobStore, max_size: usize) -> Self {
        Self {
            redactor: Redactor::new(keyring.redaction_key()),
            keyring,
            blobs,
            max_size,
            committed: Arc::new(Notify::new()),
        }
    }

    /// Notified after each message is committed; hand it to [`crate::worker::Workers::wake_on`].
    pub fn committed(&self) -> Arc<Notify> {
        Arc::clone(&self.committed)
    }

    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// The blob store the raw mail is kept in; test cases made from the audit go there too.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// The keyring the raw mail is sealed with; the inbound worker seals its reports too.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Takes `raw` in for `tenant`. Returns only once the blob, the record and the job are
    /// committed (or the message is known as a duplicate). An over-size or empty message
    /// is recorded as refused, with its reason, and nothing else is stored.
    pub async fn accept(
        &self,
        tenant: &TenantStore,
        origin: &Origin,
        raw: &[u8],
        now_ms: i64,
    ) -> Result<Receipt, IntakeError> {
        self.accept_held(tenant, origin, raw, now_ms, now_ms).await
    }

    /// Like [`Intake::accept`], but the message's job waits until `hold_until_ms` unless
    /// released earlier (`TenantJobs::release` with [`Receipt::job`]). An import holds its
    /// messages until the last one is taken in, so that the workers see whole
    /// conversations and carry them out in order even while the import runs; a crashed
    /// import's messages are processed when the hold ends.
    pub async fn accept_held(
        &self,
        tenant: &TenantStore,
        origin: &Origin,
        raw: &[u8],
        now_ms: i64,
        hold_until_ms: i64,
    ) -> Result<Receipt, IntakeError> {
        if raw.len() > self.max_size {
            let error = IntakeError::TooBig {
                size: raw.len(),
                limit: self.max_size,
            };
            self.refuse(tenant, origin, raw.len(), &error.to_string(), now_ms)
                .await?;
            return Err(error);
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            self.refuse(tenant, origin, raw.len(), "message is empty", now_ms)
                .await?;
            return Err(IntakeError::Empty);
        }
        let identity = Identity::of(raw);
        let hash = identity.dedupe_hash();
        if let Some(id) = tenant.intake_by_hash(&hash).await? {
            tenant.add_recipients(&id, &origin.recipients).await?;
            return Ok(Receipt {
                id,
                duplicate: true,
                job: None,
                conversation: None,
            });
        }
        // A site that opted out of the raw-mail audit keeps none, whatever the source says.
        let store_raw = origin.store_raw && tenant.keeps_raw_mail().await?;
        let id = new_id();
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant).await?);
        blobs.put(BlobKind::InboundMail, &id, raw).await?;
        let headers = Message::parse_thread_headers(raw);
        let place = Place::of(Headers::of(&headers), now_ms, &self.redactor);
        let record = IntakeRecord {
            id: id.clone(),
            mailbox: origin.mailbox.clone(),
            source: origin.source,
            dedupe_hash: hash.clone(),
            message_id_sha256: identity.message_id_hash,
            size: i64::try_from(raw.len()).unwrap_or(i64::MAX),
            status: "queued".to_owned(),
            reason: None,
            received_at_ms: now_ms,
            store_raw,
        };
        match self
            .commit(
                tenant,
                &record,
                place.as_ref(),
                &origin.recipients,
                hold_until_ms,
            )
            .await
        {
            Ok(Some(job)) => Ok(Receipt {
                id,
                duplicate: false,
                job,
                conversation: place.map(|p| p.thread),
            }),
            Ok(None) => {
                // Another delivery of the same message committed first: keep theirs.
                discard(&blobs, &id).await;
                let existing = tenant.intake_by_hash(&hash).await?;
                if let Some(existing) = &existing {
                    tenant.add_recipients(existing, &origin.recipients).await?;
                }
                Ok(Receipt {
                    id: existing.unwrap_or(id),
                    duplicate: true,
                    job: None,
                    conversation: None,
                })
            }
            Err(e) => {
                discard(&blobs, &id).await;
                Err(e)
            }
        }
    }

    /// Records that a message was refused before it could be stored (over the size limit,
    /// empty), so the refusal can be found later; `reason` must hold no personal data.
    pub async fn refuse(
        &self,
        tenant: &TenantStore,
        origin: &Origin,
        size: usize,
        reason: &str,
        now_ms: i64,
    ) -> Result<String, IntakeError> {
        let id = new_id();
        let mut tx = tenant.begin().await?;
        tx.record_intake(&IntakeRecord {
            id: id.clone(),
            mailbox: origin.mailbox.clone(),
            source: origin.source,
            // Refusals are never deduplicated: each one is its own event.
            dedupe_hash: format!("refused:{id}"),
            message_id_sha256: None,
            size: i64::try_from(size).unwrap_or(i64::MAX),
            status: "refused".to_owned(),
            reason: Some(reason.to_owned()),
            received_at_ms: now_ms,
            store_raw: origin.store_raw,
        })
        .await?;
        tx.commit().await?;
        tracing::info!(intake = %id, mailbox = %origin.mailbox, size, reason, "message refused");
        Ok(id)
    }

    /// The raw bytes of a message taken in, decrypted (for the inbound worker and audit).
    pub async fn raw(&self, tenant: &TenantStore, id: &str) -> Result<Vec<u8>, IntakeError> {
        self.blob(tenant, BlobKind::InboundMail, id).await
    }

    /// One of the tenant's blobs, decrypted.
    pub async fn blob(
        &self,
        tenant: &TenantStore,
        kind: BlobKind,
        name: &str,
    ) -> Result<Vec<u8>, IntakeError> {
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant).await?);
        Ok(blobs.get(kind, name).await?)
    }

    /// Deletes the raw mail of the messages `ids`; a blob already gone is no error.
    pub async fn discard_raw(
        &self,
        tenant: &TenantStore,
        ids: &[String],
    ) -> Result<(), IntakeError> {
        self.discard(tenant, BlobKind::InboundMail, ids).await
    }

    /// Deletes the tenant's blobs of `kind` named `names`; one already gone is no error.
    pub async fn discard(
        &self,
        tenant: &TenantStore,
        kind: BlobKind,
        names: &[String],
    ) -> Result<(), IntakeError> {
        if names.is_empty() {
            // Nothing to delete: no need to open (or make) the tenant's key.
            return Ok(());
        }
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant).await?);
        for name in names {
            blobs.delete(kind, name).await?;
        }
        Ok(())
    }

    /// Queues the message `id` to be processed again, as an explicit new attempt (see
    /// [`REPROCESS_JOB_KIND`]); returns the new job's id. The caller has checked that the
    /// message was taken in and that its raw mail is still there.
    pub async fn reprocess(
        &self,
        tenant: &TenantStore,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, IntakeError> {
        let key = format!("reprocess:{id}:{}", new_id());
        self.requeue(tenant, id, REPROCESS_JOB_KIND, key, now_ms)
            .await
    }

    /// Queues the held message `id` to be carried out (see [`RELEASE_JOB_KIND`]); returns
    /// the new job's id, or `None` when this hold (`held_at_ms`, the time of its result)
    /// was released already, so that a second click does not comment twice.
    pub async fn release(
        &self,
        tenant: &TenantStore,
        id: &str,
        held_at_ms: i64,
        now_ms: i64,
    ) -> Result<Option<i64>, IntakeError> {
        let key = format!("release:{id}:{held_at_ms}");
        self.requeue(tenant, id, RELEASE_JOB_KIND, key, now_ms)
            .await
    }

    /// Queues a job of `kind` for message `id` and wakes the workers.
    async fn requeue(
        &self,
        tenant: &TenantStore,
        id: &str,
        kind: &str,
        idempotency_key: String,
        now_ms: i64,
    ) -> Result<Option<i64>, IntakeError> {
        let mut tx = tenant.begin().await?;
        let job = tx
            .enqueue(
                &NewJob {
                    kind: kind.to_owned(),
                    payload: id.as_bytes().to_vec(),
                    idempotency_key,
                    run_at_ms: now_ms,
                },
                now_ms,
            )
            .await?;
        tx.commit().await?;
        self.committed.notify_waiters();
        Ok(job)
    }

    /// Commits `record`, its place in its conversation, its envelope's own recipients and
    /// its job, runnable at `run_at_ms`; `None` when the same message won the race, else
    /// the new job's id (`None` inside when its key was already done).
    async fn commit(
        &self,
        tenant: &TenantStore,
        record: &IntakeRecord,
        place: Option<&Place>,
        recipients: &[String],
        run_at_ms: i64,
    ) -> Result<Option<Option<i64>>, IntakeError> {
        let now_ms = record.received_at_ms;
        let mut tx = tenant.begin().await?;
        let inserted = tx.record_intake(record).await?;
        if !inserted {
            tx.rollback().await?;
            return Ok(None);
        }
        if let Some(place) = place {
            tx.record_place(&record.id, place, now_ms).await?;
        }
        tx.record_recipients(&record.id, recipients).await?;
        let job = tx
            .enqueue(
                &NewJob {
                    kind: JOB_KIND.to_owned(),
                    payload: record.id.as_bytes().to_vec(),
                    idempotency_key: format!("inbound:{}:{}", record.mailbox, record.dedupe_hash),
                    run_at_ms,
                },
                now_ms,
            )
            .await?;
        tx.commit().await?;
        self.committed.notify_waiters();
        metrics::counter!("postroom_intake_messages_total", "source" => record.source.as_str())
            .increment(1);
        Ok(Some(job))
    }
}

/// Best effort: a blob that lost the race or whose commit failed is not needed.
async fn discard(blobs: &TenantBlobs, id: &str) {
    if let Err(e) = blobs.delete(BlobKind::InboundMail, id).await {
        tracing::warn!(intake = %id, error = %e, "cannot delete an unused raw-mail blob");
    }
}

pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
