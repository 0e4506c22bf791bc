//! The audit of what postroom sent: each outbound message's record with its recipient and
//! subject opened, and the full MIME of a sent notification while it is kept.

use postroom_store::TenantStore;
use postroom_store::blobs::BlobKind;
use postroom_store::outbound::SentMail;
use serde::Serialize;

use super::{Audit, AuditError};
use crate::outbound::open_sealed;

/// One outbound message as an administrator reads it.
#[derive(Debug, Clone, Serialize)]
pub struct SentItem {
    pub id: String,
    /// `acknowledgement`, `notice`, `notification` or `test`.
    pub kind: String,
    /// `queued`, `sent`, `skipped` or `failed`.
    pub status: String,
    /// Why it was skipped or failed.
    pub detail: Option<String>,
    pub issue_key: Option<String>,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
    /// The recipient's address (opened from the sealed record).
    pub to: Option<String>,
    pub subject: Option<String>,
    /// The Jira event a notification told (`comment_added`…).
    pub event: Option<String>,
    /// What the administrator should know (a fallback template, an address Jira hid).
    pub notes: Vec<String>,
    /// Whether the full MIME is still kept (notifications, 7 days).
    pub mime_kept: bool,
}

impl Audit {
    /// The outbound messages since `since_ms`, newest first, of `kind` or every kind.
    pub async fn sent_list(
        &self,
        tenant: &TenantStore,
        kind: Option<&str>,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<SentItem>, AuditError> {
        let cipher = self.intake.keyring().cipher(tenant).await?;
        Ok(tenant
            .recent_sent_mail(kind, since_ms, limit)
            .await?
            .into_iter()
            .map(|(sent, mime)| item(&cipher, &sent, mime.is_some()))
            .collect())
    }

    /// One outbound message.
    pub async fn sent(&self, tenant: &TenantStore, id: &str) -> Result<SentItem, AuditError> {
        let sent = tenant
            .sent_mail(id)
            .await?
            .ok_or_else(|| AuditError::NotFound(id.to_owned()))?;
        let cipher = self.intake.keyring().cipher(tenant).await?;
        let kept = tenant.sent_mime_key(id).await?.is_some();
        Ok(item(&cipher, &sent, kept))
    }

    /// The full MIME of a sent notification, as it went out.
    pub async fn sent_mime(&self, tenant: &TenantStore, id: &str) -> Result<Vec<u8>, AuditError> {
        if tenant.sent_mail(id).await?.is_none() {
            return Err(AuditError::NotFound(id.to_owned()));
        }
        if tenant.sent_mime_key(id).await?.is_none() {
            return Err(AuditError::NoMime(id.to_owned()));
        }
        Ok(self.intake.blob(tenant, BlobKind::SentMime, id).await?)
    }
}

/// The record with its sealed facts opened; facts that cannot be opened leave the opened
/// fields empty and say so in the notes rather than hiding the record.
pub(crate) fn item(
    cipher: &postroom_store::crypto::TenantCipher,
    sent: &SentMail,
    mime_kept: bool,
) -> SentItem {
    let facts = open_sealed::<serde_json::Value>(cipher, sent);
    let (facts, mut notes) = match facts {
        Ok(v) => (v, Vec::new()),
        Err(e) => (
            serde_json::Value::Null,
            vec![format!("the sealed record cannot be opened: {e}")],
        ),
    };
    let text = |key: &str| facts.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    notes.extend(
        facts
            .get("notes")
            .and_then(|n| n.as_array())
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_owned)),
    );
    SentItem {
        id: sent.id.clone(),
        kind: sent.kind.clone(),
        status: sent.status.as_str().to_owned(),
        detail: sent.detail.clone(),
        issue_key: sent.issue_key.clone(),
        created_at_ms: sent.created_at_ms,
        sent_at_ms: sent.sent_at_ms,
        to: text("to"),
        subject: text("subject"),
        event: text("event"),
        notes,
        mime_kept,
    }
}
