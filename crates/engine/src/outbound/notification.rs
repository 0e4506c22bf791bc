//! `outbound.notification`: sends one recipient's planned notification.
//!
//! The words were rendered and sealed when the notification was planned; this job checks
//! the suppression list again (a bounce may have come in since), writes the message,
//! sends it with the row's VERP return path and keeps the full MIME, sealed, in the blob
//! store for the audit of what was sent. One recipient's refusal fails only their row.

use std::sync::Arc;

use futures::future::BoxFuture;
use postroom_core::message::EmailAddress;
use postroom_core::notify::{AttachedFile, NotificationFacts};
use postroom_core::ports::mail_sender::{EnvelopeSender, MailSender, OutboundEnvelope};
use postroom_core::ports::tracker::{Tracker, TrackerError};
use postroom_core::verp::VerpToken;
use postroom_store::Store;
use postroom_store::blobs::{BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{Keyring, TenantCipher};
use postroom_store::outbound::{SentMail, SentStatus};

use super::notify::NOTIFICATION_KIND;
use super::{describe, facts_place, refusal, refused_recipient};
use crate::inbound::Sites;
use crate::profiles::ProfileCache;
use crate::worker::{Handler, JobContext, JobError, now_ms};

/// The handler of `outbound.notification` jobs. Cheap to clone.
pub struct Notifications<M, S> {
    inner: Arc<Inner<M, S>>,
}

impl<M, S> Clone for Notifications<M, S> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<M, S> std::fmt::Debug for Notifications<M, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notifications")
    }
}

struct Inner<M, S> {
    store: Store,
    keyring: Keyring,
    blobs: BlobStore,
    sender: M,
    /// Jira, for the files a notification attaches (fetched when it is sent).
    sites: S,
    profiles: ProfileCache,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Transient(e.to_string())
}

/// The facts of a planned notification, opened.
pub fn open_notification(
    cipher: &TenantCipher,
    sent: &SentMail,
) -> Result<NotificationFacts, String> {
    let bytes = cipher
        .open(&facts_place(&sent.id), &sent.facts)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

impl<M: MailSender + 'static, S: Sites> Notifications<M, S> {
    pub fn new(store: Store, keyring: Keyring, blobs: BlobStore, sender: M, sites: S) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                keyring,
                blobs,
                sender,
                sites,
                profiles: ProfileCache::default(),
            }),
        }
    }

    /// The bytes of each file to attach. A file deleted from the issue since is left out
    /// (and logged); Jira being unavailable retries the send.
    async fn fetch<'f>(
        &self,
        tenant: &postroom_core::tenant::TenantId,
        facts: &'f NotificationFacts,
    ) -> Result<Vec<(&'f AttachedFile, Vec<u8>)>, JobError> {
        if facts.attachments.is_empty() {
            return Ok(Vec::new());
        }
        let tracker = self
            .inner
            .sites
            .tracker(tenant)
            .await
            .map_err(retry)?
            .ok_or_else(|| retry("no Jira site is configured for the tenant"))?;
        let mut files = Vec::new();
        for file in &facts.attachments {
            match tracker.download_attachment(&file.id).await {
                Ok(bytes) => files.push((file, bytes)),
                Err(TrackerError::NotFound { .. }) => {
                    tracing::info!(issue = %facts.issue_key, attachment = %file.id, "an attachment is gone from the issue: not attached");
                }
                Err(e) if e.is_transient() => return Err(retry(e)),
                Err(e) => {
                    tracing::warn!(issue = %facts.issue_key, attachment = %file.id, error = %e, "an attachment cannot be fetched: not attached");
                }
            }
        }
        Ok(files)
    }

    async fn process(&self, ctx: &mut JobContext) -> Result<(), JobError> {
        let inner = &self.inner;
        let tenant = inner.store.tenant(&ctx.job().tenant).await.map_err(retry)?;
        let id = std::str::from_utf8(ctx.payload())
            .map_err(|_| JobError::Permanent("the job's payload is not a sent-mail id".into()))?
            .to_owned();
        let Some(sent) = tenant.sent_mail(&id).await.map_err(retry)? else {
            return Ok(());
        };
        if sent.status != SentStatus::Queued {
            return Ok(());
        }
        let cipher = inner.keyring.cipher(&tenant).map_err(retry)?;
        let facts = open_notification(&cipher, &sent)
            .map_err(|e| JobError::Permanent(format!("sent_mail {id}: {e}")))?;
        if tenant
            .suppression(&sent.recipient_hash)
            .await
            .map_err(retry)?
            .is_some_and(|s| s.suppressed)
        {
            let mut tx = ctx.begin().await?;
            tx.note_withheld(&sent.recipient_hash)
                .await
                .map_err(retry)?;
            tx.finish_sent_mail(&id, SentStatus::Skipped, Some("suppressed"), now_ms())
                .await
                .map_err(retry)?;
            return ctx.complete_in(tx).await;
        }
        let files = self.fetch(tenant.id(), &facts).await?;
        let written = facts
            .compose(tenant.id().as_str(), now_ms(), &files)
            .map_err(|e| e.to_string())
            .and_then(|message| {
                let token = VerpToken::parse(&id).map_err(|e| e.to_string())?;
                let to = EmailAddress::parse(&facts.to).map_err(|e| e.to_string())?;
                Ok((message, token, to))
            });
        let (message, token, to) = match written {
            Ok(w) => w,
            Err(why) => return self.finish(ctx, &id, SentStatus::Failed, &why).await,
        };
        let envelope = OutboundEnvelope {
            sender: EnvelopeSender::Verp(token),
            recipients: vec![to],
        };
        match inner.sender.send(&envelope, &message).await {
            Ok(_) => {
                let blobs = TenantBlobs::new(inner.blobs.clone(), cipher);
                let key = blobs
                    .put(BlobKind::SentMime, &id, &message)
                    .await
                    .map_err(retry);
                let mut tx = ctx.begin().await?;
                match key {
                    Ok(key) => tx.set_sent_mime(&id, &key).await.map_err(retry)?,
                    // Sent is sent: a blob store that is down costs the audit copy, not a
                    // second mail to the customer.
                    Err(e) => {
                        tracing::warn!(sent = %id, error = %e, "cannot keep the sent notification's MIME");
                    }
                }
                tx.finish_sent_mail(&id, SentStatus::Sent, None, now_ms())
                    .await
                    .map_err(retry)?;
                ctx.complete_in(tx).await?;
                tracing::info!(sent = %id, issue = %facts.issue_key, "notification sent");
                metrics::counter!("postroom_outbound_sent_total", "kind" => NOTIFICATION_KIND)
                    .increment(1);
                Ok(())
            }
            Err(e) if e.is_transient() => Err(JobError::Transient(describe(&e))),
            Err(e) => {
                let detail = describe(&e);
                let mut tx = ctx.begin().await?;
                tx.finish_sent_mail(&id, SentStatus::Failed, Some(&detail), now_ms())
                    .await
                    .map_err(retry)?;
                if let Some(code) = refused_recipient(&e) {
                    let profile = inner.profiles.get(&tenant).await.map_err(retry)?;
                    let record = refusal(&cipher, &sent, &facts.to, code)?;
                    tx.record_bounce(&record, profile.profile.bounces.soft_limit)
                        .await
                        .map_err(retry)?;
                }
                ctx.complete_in(tx).await?;
                tracing::warn!(sent = %id, error = %detail, "notification refused");
                metrics::counter!("postroom_outbound_failed_total", "kind" => NOTIFICATION_KIND)
                    .increment(1);
                Ok(())
            }
        }
    }

    /// Ends the row for a reason no retry can change, and completes the job.
    async fn finish(
        &self,
        ctx: &mut JobContext,
        id: &str,
        status: SentStatus,
        why: &str,
    ) -> Result<(), JobError> {
        let mut tx = ctx.begin().await?;
        tx.finish_sent_mail(id, status, Some(why), now_ms())
            .await
            .map_err(retry)?;
        ctx.complete_in(tx).await?;
        tracing::warn!(sent = %id, reason = why, "notification not sent");
        Ok(())
    }
}

impl<M: MailSender + 'static, S: Sites> Handler for Notifications<M, S> {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.process(ctx))
    }
}
