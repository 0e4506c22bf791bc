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
//! message of its own.

mod dedupe;

use std::sync::Arc;

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
}

/// The answer to a source: the message is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: String,
    /// True when the tenant had already taken the message in, through any source; nothing
    /// new was stored.
    pub duplicate: bool,
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
    blobs: BlobStore,
    max_size: usize,
    /// Woken after each commit, so this process's idle workers start at once instead of
    /// at their next poll.
    committed: Arc<Notify>,
}

impl Intake {
    pub fn new(keyring: Keyring, blobs: BlobStore, max_size: usize) -> Self {
        Self {
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
            return Ok(Receipt {
                id,
                duplicate: true,
            });
        }
        let id = new_id();
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant)?);
        blobs.put(BlobKind::InboundMail, &id, raw).await?;
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
            store_raw: origin.store_raw,
        };
        match self.commit(tenant, &record).await {
            Ok(true) => Ok(Receipt {
                id,
                duplicate: false,
            }),
            Ok(false) => {
                // Another delivery of the same message committed first: keep theirs.
                discard(&blobs, &id).await;
                let existing = tenant.intake_by_hash(&hash).await?;
                Ok(Receipt {
                    id: existing.unwrap_or(id),
                    duplicate: true,
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
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant)?);
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
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant)?);
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
        let mut tx = tenant.begin().await?;
        let job = tx
            .enqueue(
                &NewJob {
                    kind: REPROCESS_JOB_KIND.to_owned(),
                    payload: id.as_bytes().to_vec(),
                    idempotency_key: format!("reprocess:{id}:{}", new_id()),
                    run_at_ms: now_ms,
                },
                now_ms,
            )
            .await?;
        tx.commit().await?;
        self.committed.notify_waiters();
        Ok(job)
    }

    /// Commits `record` and its job; false when the same message won the race.
    async fn commit(
        &self,
        tenant: &TenantStore,
        record: &IntakeRecord,
    ) -> Result<bool, IntakeError> {
        let now_ms = record.received_at_ms;
        let mut tx = tenant.begin().await?;
        let inserted = tx.record_intake(record).await?;
        if !inserted {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.enqueue(
            &NewJob {
                kind: JOB_KIND.to_owned(),
                payload: record.id.as_bytes().to_vec(),
                idempotency_key: format!("inbound:{}:{}", record.mailbox, record.dedupe_hash),
                run_at_ms: now_ms,
            },
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.committed.notify_waiters();
        metrics::counter!("postroom_intake_messages_total", "source" => record.source.as_str())
            .increment(1);
        Ok(true)
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
