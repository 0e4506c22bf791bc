//! The processing audit as administrators use it: one message's record, its report opened,
//! its raw mail, a new attempt at it, the release of a stranger's held reply, and a bundle
//! for support.
//!
//! Reprocessing is an explicit new attempt, never a silent no-op: a message that created an
//! issue creates another one when reprocessed (under a new idempotency key), because the
//! administrator asked for exactly that, typically after fixing a rule. The new result
//! replaces the old one in the audit, and its report says it was a reprocess of what.

mod bundle;
pub(crate) mod sent;

use postroom_store::audit::{AuditEntry, AuditStatus};
use postroom_store::blobs::BlobError;
use postroom_store::crypto::CryptoError;
use postroom_store::inbound::ResultStatus;
use postroom_store::{StoreError, TenantStore};

use crate::inbound::open_report;
use crate::intake::{Intake, IntakeError};

pub use bundle::{BUNDLE_FORMAT, BUNDLE_VERSION};
pub use sent::SentItem;

/// Why an audit request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("no message {0:?} in the audit (unknown, or purged after its retention period)")]
    NotFound(String),
    /// The message is known but its raw mail is not there; `why` says why.
    #[error("the raw mail of message {id} is not available: {why}")]
    NoRawMail { id: String, why: &'static str },
    /// The outbound message is known but its MIME is not kept (not a notification, not
    /// sent, or past its 7 days).
    #[error("the MIME of sent message {0} is not kept (only sent notifications, for 7 days)")]
    NoMime(String),
    /// A release of a message that is not a held reply.
    #[error("message {id} cannot be released: {why}")]
    NotHeld { id: String, why: String },
    #[error("cannot open the processing report of message {id}: {why}")]
    Report { id: String, why: String },
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error("cannot read the audit: {0}")]
    Store(#[from] StoreError),
    #[error("cannot open the tenant's key: {0}")]
    Crypto(#[from] CryptoError),
}

/// The audit of any tenant. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Audit {
    intake: Intake,
}

impl Audit {
    pub fn new(intake: Intake) -> Self {
        Self { intake }
    }

    /// The record of message `id`.
    pub async fn entry(&self, tenant: &TenantStore, id: &str) -> Result<AuditEntry, AuditError> {
        tenant
            .audit_entry(id)
            .await?
            .ok_or_else(|| AuditError::NotFound(id.to_owned()))
    }

    /// The record of message `id` with its processing report, opened (`None` before it
    /// has a result); both from one read, so they always describe the same attempt.
    pub async fn record(
        &self,
        tenant: &TenantStore,
        id: &str,
    ) -> Result<(AuditEntry, Option<serde_json::Value>), AuditError> {
        let (entry, sealed) = tenant
            .audit_record(id)
            .await?
            .ok_or_else(|| AuditError::NotFound(id.to_owned()))?;
        let Some(sealed) = sealed else {
            return Ok((entry, None));
        };
        let cipher = self.intake.keyring().cipher(tenant).await?;
        let report = open_report(&cipher, id, &sealed).map_err(|why| AuditError::Report {
            id: id.to_owned(),
            why,
        })?;
        Ok((entry, Some(report)))
    }

    /// The processing report of message `id`, opened; `None` before it has a result.
    pub async fn report(
        &self,
        tenant: &TenantStore,
        id: &str,
    ) -> Result<Option<serde_json::Value>, AuditError> {
        let Some(result) = tenant.inbound_result(id).await? else {
            return Ok(None);
        };
        let cipher = self.intake.keyring().cipher(tenant).await?;
        open_report(&cipher, id, &result.report)
            .map(Some)
            .map_err(|why| AuditError::Report {
                id: id.to_owned(),
                why,
            })
    }

    /// The original bytes of the message, as taken in.
    pub async fn raw(
        &self,
        tenant: &TenantStore,
        entry: &AuditEntry,
    ) -> Result<Vec<u8>, AuditError> {
        let id = &entry.intake.id;
        if entry.status() == AuditStatus::Refused {
            return Err(AuditError::NoRawMail {
                id: id.clone(),
                why: "it was refused at intake, so only its record was stored",
            });
        }
        match self.intake.raw(tenant, id).await {
            Ok(raw) => Ok(raw),
            Err(IntakeError::Blob(BlobError::NotFound { .. })) => Err(AuditError::NoRawMail {
                id: id.clone(),
                why: if entry.intake.store_raw {
                    "it is gone (purged?)"
                } else {
                    "its mailbox or listener has store_raw = false, so it was deleted once processed"
                },
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Queues message `id` for a new attempt (see the module documentation); returns the
    /// new job's id. Refused when its raw mail is not there to process.
    pub async fn reprocess(
        &self,
        tenant: &TenantStore,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, AuditError> {
        let entry = self.entry(tenant, id).await?;
        self.raw(tenant, &entry).await?;
        Ok(self.intake.reprocess(tenant, id, now_ms).await?)
    }

    /// Queues the held reply `id` to be carried out as a comment on the issue it named,
    /// past the stranger's check that held it (`people.strangers: hold`); returns the new
    /// job's id, `None` when this hold is being released already. Refused for a message
    /// that is not held, that named no issue, or whose raw mail is gone. A mail held for
    /// another reason (a rule's `hold`) is held again, and its new report says why.
    pub async fn release(
        &self,
        tenant: &TenantStore,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, AuditError> {
        let entry = self.entry(tenant, id).await?;
        let not_held = |why: String| AuditError::NotHeld {
            id: id.to_owned(),
            why,
        };
        let held = match &entry.result {
            Some(r) if r.status == ResultStatus::Held => r,
            _ => {
                return Err(not_held(format!(
                    "it is {}, not held",
                    entry.status().as_str()
                )));
            }
        };
        if held.issue_key.is_none() {
            return Err(not_held(
                "it named no issue to comment on (reprocess it after changing the profile)"
                    .to_owned(),
            ));
        }
        self.raw(tenant, &entry).await?;
        Ok(self
            .intake
            .release(tenant, id, held.processed_at_ms, now_ms)
            .await?)
    }
}
