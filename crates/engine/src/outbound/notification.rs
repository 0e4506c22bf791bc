//! `outbound.notification`: sends one recipient's planned notification.
//!
//! The words were rendered and sealed when the notification was planned; this job checks
//! the suppression list again (a bounce may have come in since), writes the message,
//! sends it with the row's VERP return path and keeps the full MIME, sealed, in the blob
//! store for the audit of what was sent. One recipient's refusal fails only their row.

use std::sync::Arc;

use futures::future::BoxFuture;
use postroom_core::notify::{AttachedFile, NotificationFacts};
use postroom_core::ports::mail_sender::MailSender;
use postroom_core::ports::tracker::{Tracker, TrackerError};
use postroom_store::Store;
use postroom_store::blobs::{BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::Keyring;

use super::delivery;
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
        let Some((q, facts)) =
            delivery::ready::<NotificationFacts>(&inner.store, &inner.keyring, ctx).await?
        else {
            return Ok(());
        };
        let files = self.fetch(q.tenant.id(), &facts).await?;
        let message = match facts.compose(q.tenant.id().as_str(), now_ms(), &files) {
            Ok(m) => m,
            Err(e) => return delivery::fail(ctx, &q, &e.to_string()).await,
        };
        let profile = inner.profiles.get(&q.tenant).await.map_err(retry)?;
        let blobs = TenantBlobs::new(inner.blobs.clone(), q.cipher.clone());
        let keep = async || match blobs.put(BlobKind::SentMime, &q.sent.id, &message).await {
            Ok(key) => Some(key),
            // Sent is sent: a blob store that is down costs the audit copy, not a second
            // mail to the customer.
            Err(e) => {
                tracing::warn!(sent = %q.sent.id, error = %e, "cannot keep the sent notification's MIME");
                None
            }
        };
        delivery::send(
            ctx,
            &inner.sender,
            &q,
            &facts.to,
            &message,
            profile.profile.bounces.soft_limit,
            keep,
        )
        .await
    }
}

impl<M: MailSender + 'static, S: Sites> Handler for Notifications<M, S> {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.process(ctx))
    }
}
