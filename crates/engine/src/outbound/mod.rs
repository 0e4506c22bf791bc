//! Mail postroom writes itself, sent as jobs of the queue: the automatic answers to a
//! sender — the acknowledgement of a new issue and the notice of a refused mail, both
//! queued by the inbound worker (see `inbound::acknowledge`) and sent by [`AutoReplies`],
//! since they differ only in their words — and the notifications of Jira events (planned
//! by [`Notifier`], sent by [`Notifications`]).
//!
//! The send job re-checks the suppression list (a bounce may have arrived since the mail
//! was queued), renders the tenant's templates, and hands the message to the
//! [`MailSender`] with a VERP return path whose token is the `sent_mail` row's id. A
//! transient failure is retried by the queue; a permanent refusal of the recipient marks
//! the row failed and counts as a hard bounce; any other permanent failure parks the job
//! as dead (see `delivery`).

use std::sync::Arc;

use futures::future::BoxFuture;
use postroom_core::auto_reply::ReplyFacts;
use postroom_core::ports::mail_sender::{MailSender, SendError, SmtpStage};
use postroom_store::Store;
use postroom_store::crypto::{Keyring, Place};
use postroom_store::outbound::{BounceRecord, SentMail};

mod delivery;
mod identity;
mod notification;
mod notify;
pub mod test_mail;

pub use identity::{IdentityError, site_identity};

/// A new sent-mail id, which is also the VERP token of its return path: 96 random bits as
/// lower-case hex, which survives servers that fold the case of a bounce address.
pub fn sent_mail_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
pub use notification::Notifications;
pub use notify::{NOTIFICATION_JOB, NOTIFICATION_KIND, Notifier};

use crate::inbound::suppression_place;
use crate::profiles::ProfileCache;
use crate::worker::{Handler, JobContext, JobError, now_ms};

/// The job kind that sends one queued automatic answer, an acknowledgement or a notice
/// (payload: the `sent_mail` id; the row's facts say which). The name is older than
/// notices and kept, so that jobs queued before them still run.
pub const AUTO_REPLY_JOB: &str = "outbound.ack";

/// Where a `sent_mail` row's sealed facts live (bound to the row).
pub fn facts_place(id: &str) -> Place {
    Place::column("sent_mail", "facts", id.to_owned())
}

/// The handler of `outbound.ack` jobs. Cheap to clone.
pub struct AutoReplies<M> {
    inner: Arc<Inner<M>>,
}

impl<M> Clone for AutoReplies<M> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<M> std::fmt::Debug for AutoReplies<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AutoReplies")
    }
}

struct Inner<M> {
    store: Store,
    keyring: Keyring,
    sender: M,
    profiles: ProfileCache,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Transient(e.to_string())
}

impl<M: MailSender + 'static> AutoReplies<M> {
    pub fn new(store: Store, keyring: Keyring, sender: M) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                keyring,
                sender,
                profiles: ProfileCache::default(),
            }),
        }
    }

    async fn process(&self, ctx: &mut JobContext) -> Result<(), JobError> {
        let inner = &self.inner;
        let Some((q, facts)) =
            delivery::ready::<ReplyFacts>(&inner.store, &inner.keyring, ctx).await?
        else {
            return Ok(());
        };
        let profile = inner.profiles.get(&q.tenant).await.map_err(retry)?;
        let Some(templates) = profile.auto_reply(facts.about.kind()) else {
            let why = format!(
                "the profile no longer has a {} From",
                facts.about.kind().as_str()
            );
            return delivery::fail(ctx, &q, &why).await;
        };
        let message = match templates.compose(&facts, q.tenant.id().as_str(), now_ms()) {
            Ok(m) => m,
            Err(e) => return delivery::fail(ctx, &q, &e.to_string()).await,
        };
        let soft_limit = profile.profile.bounces.soft_limit;
        delivery::send(
            ctx,
            &inner.sender,
            &q,
            &facts.to,
            &message,
            soft_limit,
            async || None,
        )
        .await
    }
}

/// A send failure as it may be logged and stored: a server's reply text often quotes the
/// recipient's address, so a refusal is described by its stage and code only.
pub fn describe(e: &SendError) -> String {
    match e {
        SendError::Rejected { stage, reply } => {
            format!("the mail server refused at {stage} with {}", reply.code)
        }
        other => other.to_string(),
    }
}

/// The reply code when the server refused the recipient for good at `RCPT TO` — what a
/// hard bounce says, only sooner. A refusal at `MAIL FROM` or `DATA` is about postroom or
/// the message, not the address, and suppresses nobody.
fn refused_recipient(e: &SendError) -> Option<u16> {
    match e {
        SendError::Rejected {
            stage: SmtpStage::RcptTo,
            reply,
        } if (500..600).contains(&reply.code) => Some(reply.code),
        _ => None,
    }
}

/// A permanent refusal at `RCPT TO` as a hard bounce of the recipient `to`.
fn refusal(
    cipher: &postroom_store::crypto::TenantCipher,
    sent: &SentMail,
    to: &str,
    code: u16,
) -> Result<BounceRecord, JobError> {
    let hash = &sent.recipient_hash;
    Ok(BounceRecord {
        address_hash: hash.clone(),
        address: cipher
            .seal(&suppression_place(hash, "address"), to.as_bytes())
            .map_err(retry)?,
        hard: true,
        status: Some(code.to_string()),
        diagnostic: None,
        at_ms: now_ms(),
    })
}

impl<M: MailSender + 'static> Handler for AutoReplies<M> {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.process(ctx))
    }
}

/// The sealed facts of a stored outbound message, opened as `T` (each kind has its own
/// facts; the audit reads them as plain JSON).
pub(crate) fn open_sealed<T: serde::de::DeserializeOwned>(
    cipher: &postroom_store::crypto::TenantCipher,
    sent: &SentMail,
) -> Result<T, String> {
    let bytes = cipher
        .open(&facts_place(&sent.id), &sent.facts)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// The recipient of any stored outbound message: every kind's facts name it `to`.
pub(crate) fn open_recipient(
    cipher: &postroom_store::crypto::TenantCipher,
    sent: &SentMail,
) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Recipient {
        to: String,
    }
    open_sealed::<Recipient>(cipher, sent).map(|r| r.to)
}

/// Reads a suppression entry's address, for the administrator's list.
pub fn open_address(
    cipher: &postroom_store::crypto::TenantCipher,
    entry: &postroom_store::outbound::Suppression,
) -> Result<String, String> {
    if entry.address.is_empty() {
        // A marker left by `person erase`: only the keyed hash is kept.
        return Ok(format!("(erased; {})", entry.address_hash));
    }
    cipher
        .open_str(
            &suppression_place(&entry.address_hash, "address"),
            &entry.address,
        )
        .map_err(|e| e.to_string())
}

/// Reads a suppression entry's last diagnostic.
pub fn open_diagnostic(
    cipher: &postroom_store::crypto::TenantCipher,
    entry: &postroom_store::outbound::Suppression,
) -> Result<Option<String>, String> {
    entry
        .diagnostic
        .as_ref()
        .map(|d| {
            cipher
                .open_str(&suppression_place(&entry.address_hash, "diagnostic"), d)
                .map_err(|e| e.to_string())
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use postroom_core::ports::mail_sender::SmtpReply;

    fn rejected(stage: SmtpStage, code: u16) -> SendError {
        SendError::Rejected {
            stage,
            reply: SmtpReply {
                code,
                text: "5.1.1 <frank@customer.example>: no such user".to_owned(),
            },
        }
    }

    #[test]
    fn only_a_permanent_refusal_of_the_recipient_counts_as_a_bounce() {
        assert_eq!(
            refused_recipient(&rejected(SmtpStage::RcptTo, 550)),
            Some(550)
        );
        assert_eq!(refused_recipient(&rejected(SmtpStage::RcptTo, 450)), None);
        assert_eq!(refused_recipient(&rejected(SmtpStage::Data, 554)), None);
        assert_eq!(refused_recipient(&rejected(SmtpStage::MailFrom, 553)), None);
        assert_eq!(refused_recipient(&SendError::Config("x".to_owned())), None);
    }

    #[test]
    fn a_refusal_is_described_without_the_servers_text() {
        let text = describe(&rejected(SmtpStage::RcptTo, 550));
        assert_eq!(text, "the mail server refused at RCPT TO with 550");
        assert!(!text.contains("frank"));
    }
}
