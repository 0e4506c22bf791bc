//! What every send job of postroom's own mail does around its words: find the queued
//! row, skip a recipient who is suppressed by now, send with the row's VERP return path,
//! and record the outcome. A transient failure is retried by the queue; a permanent
//! refusal of the recipient at `RCPT TO` fails the row and counts as a hard bounce, since
//! the server has just said the address takes no mail; any other permanent failure parks
//! the job as dead (a dead letter an administrator replays once the relay is fixed). Each
//! recipient has their own job, so no refusal holds back another's mail.

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{EnvelopeSender, MailSender, OutboundEnvelope};
use postroom_core::verp::VerpToken;
use postroom_store::crypto::{Keyring, TenantCipher};
use postroom_store::outbound::{SentMail, SentStatus};
use postroom_store::{Store, TenantStore};

use super::identity::{IdentityError, site_identity};
use super::{describe, open_sealed, refusal, refused_recipient, retry};
use crate::worker::{JobContext, JobError, now_ms};

/// The row a send job is about, with the tenant's store and key.
pub(super) struct Queued {
    pub tenant: TenantStore,
    pub sent: SentMail,
    pub cipher: TenantCipher,
}

/// The queued row named by the job's payload; `None` when nothing is left to do (purged
/// after its retention, or finished by an earlier run of the job).
async fn queued(
    store: &Store,
    keyring: &Keyring,
    ctx: &JobContext,
) -> Result<Option<Queued>, JobError> {
    let tenant = store.tenant(&ctx.job().tenant).await.map_err(retry)?;
    let id = std::str::from_utf8(ctx.payload())
        .map_err(|_| JobError::Permanent("the job's payload is not a sent-mail id".into()))?;
    let Some(sent) = tenant.sent_mail(id).await.map_err(retry)? else {
        return Ok(None);
    };
    if sent.status != SentStatus::Queued {
        return Ok(None);
    }
    let cipher = keyring.cipher(&tenant).await.map_err(retry)?;
    Ok(Some(Queued {
        tenant,
        sent,
        cipher,
    }))
}

/// The queued row of the job with its facts opened as `T`, unless nothing is left to do:
/// the row is gone or finished, or its recipient was suppressed since it was queued (then
/// the row is marked skipped and the job completed, see [`withheld`]). Facts that cannot be
/// opened fail the job for good: no retry can read them.
pub(super) async fn ready<T: serde::de::DeserializeOwned>(
    store: &Store,
    keyring: &Keyring,
    ctx: &mut JobContext,
) -> Result<Option<(Queued, T)>, JobError> {
    let Some(q) = queued(store, keyring, ctx).await? else {
        return Ok(None);
    };
    let facts = open_sealed::<T>(&q.cipher, &q.sent)
        .map_err(|e| JobError::Permanent(format!("sent_mail {}: {e}", q.sent.id)))?;
    if withheld(ctx, &q).await? {
        return Ok(None);
    }
    Ok(Some((q, facts)))
}

/// When the recipient was suppressed since the mail was queued: marks it skipped, counts
/// it on the suppression entry and completes the job. True when it did.
async fn withheld(ctx: &mut JobContext, q: &Queued) -> Result<bool, JobError> {
    let suppressed = q
        .tenant
        .suppression(&q.sent.recipient_hash)
        .await
        .map_err(retry)?
        .is_some_and(|s| s.suppressed);
    if suppressed {
        let mut tx = ctx.begin().await?;
        tx.note_withheld(&q.sent.recipient_hash)
            .await
            .map_err(retry)?;
        tx.finish_sent_mail(
            &q.sent.id,
            SentStatus::Skipped,
            Some("suppressed"),
            now_ms(),
        )
        .await
        .map_err(retry)?;
        ctx.complete_in(tx).await?;
    }
    Ok(suppressed)
}

/// Marks the row failed for a reason no retry can change, and completes the job.
pub(super) async fn fail(ctx: &mut JobContext, q: &Queued, why: &str) -> Result<(), JobError> {
    let mut tx = ctx.begin().await?;
    tx.finish_sent_mail(&q.sent.id, SentStatus::Failed, Some(why), now_ms())
        .await
        .map_err(retry)?;
    ctx.complete_in(tx).await?;
    tracing::warn!(sent = %q.sent.id, kind = %q.sent.kind, reason = why, "mail not sent");
    Ok(())
}

/// Sends `message` to `to` with the row's VERP return path and records the outcome.
/// `keep` runs after the server took it and returns where the sent MIME was kept, if it
/// was (notifications keep it for the audit); `soft_limit` is the profile's bounce limit.
/// A transient failure is the job's to retry.
pub(super) async fn send<M, K>(
    ctx: &mut JobContext,
    sender: &M,
    q: &Queued,
    to: &str,
    message: &[u8],
    soft_limit: u32,
    keep: K,
) -> Result<(), JobError>
where
    M: MailSender,
    K: AsyncFnOnce() -> Option<String>,
{
    let id = &q.sent.id;
    let kind = q.sent.kind.clone();
    let identity = match site_identity(&q.tenant, &q.cipher).await {
        Ok(identity) => identity,
        Err(IdentityError::Invalid(why)) => return fail(ctx, q, &why).await,
        Err(e) => return Err(retry(e)),
    };
    let recipient = match (VerpToken::parse(id), EmailAddress::parse(to)) {
        (Ok(token), Ok(address)) => OutboundEnvelope {
            sender: EnvelopeSender::Verp(token),
            recipients: vec![address],
            identity,
        },
        (Err(e), _) => return fail(ctx, q, &e.to_string()).await,
        (_, Err(e)) => return fail(ctx, q, &e.to_string()).await,
    };
    match sender.send(&recipient, message).await {
        Ok(_) => {
            let kept = keep().await;
            let mut tx = ctx.begin().await?;
            if let Some(key) = kept {
                tx.set_sent_mime(id, &key).await.map_err(retry)?;
            }
            tx.finish_sent_mail(id, SentStatus::Sent, None, now_ms())
                .await
                .map_err(retry)?;
            ctx.complete_in(tx).await?;
            tracing::info!(sent = %id, kind = %kind, issue = q.sent.issue_key.as_deref().unwrap_or(""), "mail sent");
            metrics::counter!("postroom_outbound_sent_total", "kind" => kind).increment(1);
            Ok(())
        }
        Err(e) if e.is_transient() => Err(JobError::Transient(describe(&e))),
        Err(e) => {
            let detail = describe(&e);
            metrics::counter!("postroom_outbound_failed_total", "kind" => kind.clone())
                .increment(1);
            let Some(code) = refused_recipient(&e) else {
                // Not about the address (the relay refused postroom's login, the message,
                // the sender): the job is parked as dead with the reason and the row stays
                // queued, so that `postroom jobs retry` sends it once the relay is fixed.
                tracing::warn!(sent = %id, kind = %kind, error = %detail, "mail refused: the job is parked");
                return Err(JobError::Permanent(detail));
            };
            let mut tx = ctx.begin().await?;
            tx.finish_sent_mail(id, SentStatus::Failed, Some(&detail), now_ms())
                .await
                .map_err(retry)?;
            let record = refusal(&q.cipher, &q.sent, to, code)?;
            tx.record_bounce(&record, soft_limit).await.map_err(retry)?;
            ctx.complete_in(tx).await?;
            tracing::warn!(sent = %id, kind = %kind, error = %detail, "mail refused: the recipient counts as bounced");
            Ok(())
        }
    }
}
