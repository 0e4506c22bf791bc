//! The inbound side of automatic answers and bounces: decided while the mail is processed,
//! written in the same commit as its result.
//!
//! An answer — the acknowledgement of a new issue, or the notice of a refused mail — is
//! only queued here (a `sent_mail` row plus an `outbound.ack` job); the send is its own
//! job, so an unreachable mail server never holds up the issue, and a retried inbound job
//! can never queue a second one (the commit is atomic). A bounce of
//! postroom's own mail is matched to the `sent_mail` row it is about — by the VERP token of
//! its return path, else by the original Message-ID it quotes — and only then counted on the
//! suppression list: a forged bounce naming some address cannot suppress it.

use postroom_core::auto_reply::{About, ReplyFacts, ReplyKind};
use postroom_core::classify::Bounce;
use postroom_core::message::Message;
use postroom_core::profile::CheckedProfile;
use postroom_core::redact::Redactor;
use postroom_store::crypto::{Place, TenantCipher};
use postroom_store::outbound::{BounceRecord, SentMail, SentStatus};
use postroom_store::{TenantStore, TenantTx};

use super::report::Report;
use super::{Failure, retry, transient};
use crate::outbound::{AUTO_REPLY_JOB, facts_place, open_recipient};
use crate::worker::JobError;

const HOUR_MS: i64 = 60 * 60 * 1000;

/// What the commit writes for an automatic answer to the sender.
#[derive(Debug)]
pub(super) enum ReplyStep {
    /// Record the message, map its Message-ID to the issue and enqueue its send, unless
    /// `cap` messages went to the recipient in the last hour.
    Queue { row: Box<SentMail>, cap: u32 },
    /// Not sent because the address is suppressed: count it on the suppression entry.
    Withheld(String),
}

/// The tenant's store and keys, and the time, for the steps below.
pub(super) struct Scope<'a> {
    pub tenant: &'a TenantStore,
    pub redactor: &'a Redactor,
    pub cipher: &'a TenantCipher,
    pub now: i64,
    /// The instance has a mail transport: without one (and without a relay of the site's
    /// own) an answer is reported as not sent.
    pub outbound: bool,
}

/// Decides whether the sender of `message` gets the answer `about` says (an
/// acknowledgement of the new issue, or the notice of a refusal), noting the decision in
/// the report. `issue_key` is the issue the answer belongs to in the thread map.
pub(super) async fn prepare(
    scope: &Scope<'_>,
    profile: &CheckedProfile,
    message: &Message,
    about: About,
    issue_key: Option<&str>,
    report: &mut Report,
) -> Result<Option<ReplyStep>, Failure> {
    let Scope {
        tenant,
        redactor,
        cipher,
        now,
        outbound,
    } = *scope;
    let kind = about.kind();
    let section = kind.as_str();
    let mut skip = |why: &str| {
        report.lines.push(format!("{section}: not sent: {why}"));
        Ok(None)
    };
    if !outbound && tenant.record().await.map_err(transient)?.relay.is_none() {
        return skip(
            "no mail transport is configured ([outbound] in postroom.toml, or the site's own \
             relay)",
        );
    }
    let Some(templates) = profile.auto_reply(kind) else {
        return skip(&format!(
            "no From address (set {section}.from or own.addresses)"
        ));
    };
    let Some(sender) = &message.from else {
        return skip("the mail has no sender address");
    };
    let hash = redactor.address(&sender.address).to_string();
    let suppressed = tenant.suppression(&hash).await.map_err(transient)?;
    if suppressed.is_some_and(|s| s.suppressed) {
        report.lines.push(format!(
            "{section}: not sent: the sender's address is on the suppression list \
             (earlier mail to it bounced); `postroom suppression clear` lifts it"
        ));
        return Ok(Some(ReplyStep::Withheld(hash)));
    }
    let id = crate::outbound::sent_mail_id();
    let prefix = match kind {
        ReplyKind::Acknowledgement => "ack",
        ReplyKind::Notice => "notice",
    };
    let facts = ReplyFacts {
        message_id: format!("{prefix}.{id}@{}", templates.from().domain()),
        to: sender.address.as_str().to_owned(),
        to_name: sender.name.clone().filter(|n| !n.trim().is_empty()),
        in_reply_to: message.message_id.as_ref().map(|m| m.as_str().to_owned()),
        references: message
            .references
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        about,
    };
    let json = serde_json::to_vec(&facts).map_err(transient)?;
    let sealed = cipher.seal(&facts_place(&id), &json).map_err(transient)?;
    let cap = match kind {
        ReplyKind::Acknowledgement => profile.profile.acknowledgement.max_per_hour,
        ReplyKind::Notice => profile.profile.notice.max_per_hour,
    };
    Ok(Some(ReplyStep::Queue {
        cap,
        row: Box::new(SentMail {
            id,
            kind: section.to_owned(),
            issue_key: issue_key.map(str::to_owned),
            recipient_hash: hash,
            message_id_hash: redactor.message_id_key(&facts.message_id),
            facts: sealed,
            status: SentStatus::Queued,
            detail: None,
            created_at_ms: now,
            sent_at_ms: None,
        }),
    }))
}

/// Writes `step` in the commit's transaction, noting in the report what became of it. The
/// hourly cap is decided here, under the recipient's counter lock, not before: two mails
/// of one sender committed at once must not both see room for one more.
pub(super) async fn write(
    tx: &mut TenantTx,
    step: &ReplyStep,
    report: &mut Report,
    now: i64,
) -> Result<(), JobError> {
    match step {
        ReplyStep::Queue { row, cap } => {
            let section = &row.kind;
            let room = tx
                .claim_send_slot(section, &row.recipient_hash, now - HOUR_MS, *cap, now)
                .await
                .map_err(retry)?;
            if !room {
                report.lines.push(format!(
                    "{section}: not sent: {cap} already sent to this address in the last \
                     hour ({section}.max_per_hour)"
                ));
                return Ok(());
            }
            tx.record_sent_mail(row).await.map_err(retry)?;
            if let Some(key) = &row.issue_key {
                tx.map_thread(&row.message_id_hash, key, None, now)
                    .await
                    .map_err(retry)?;
            }
            tx.enqueue(&send_job(&row.id, now), now)
                .await
                .map_err(retry)?;
            report
                .lines
                .push(format!("{section}: queued ({}) to the sender", row.id));
        }
        ReplyStep::Withheld(hash) => tx.note_withheld(hash).await.map_err(retry)?,
    }
    Ok(())
}

/// The suppression-list entry a bounce of postroom's own mail makes, or `None` when the
/// bounce is not about mail postroom sent.
pub(super) async fn bounce(
    scope: &Scope<'_>,
    bounce: &Bounce,
    report: &mut Report,
) -> Result<Option<BounceRecord>, Failure> {
    let Scope {
        tenant,
        redactor,
        cipher,
        now,
        ..
    } = *scope;
    let by_token = match &bounce.verp_token {
        Some(token) => tenant.sent_mail(token).await.map_err(transient)?,
        None => None,
    };
    let sent = match (by_token, &bounce.original_message_id) {
        (Some(sent), _) => Some(sent),
        (None, Some(id)) => tenant
            .sent_mail_by_message_id(&redactor.message_id_key(id))
            .await
            .map_err(transient)?,
        (None, None) => None,
    };
    let Some(sent) = sent else {
        report.lines.push(
            "bounce: not about mail postroom sent (no known VERP token or Message-ID); \
             the suppression list is unchanged"
                .to_owned(),
        );
        return Ok(None);
    };
    let to = open_recipient(cipher, &sent).map_err(transient)?;
    let address_hash = sent.recipient_hash.clone();
    let address = cipher
        .seal(&suppression_place(&address_hash, "address"), to.as_bytes())
        .map_err(transient)?;
    let diagnostic = bounce
        .diagnostic
        .as_deref()
        .map(|d| {
            cipher.seal(
                &suppression_place(&address_hash, "diagnostic"),
                d.as_bytes(),
            )
        })
        .transpose()
        .map_err(transient)?;
    report.lines.push(format!(
        "bounce: of postroom's {} {} ({}, status {}); the recipient is counted on the \
         suppression list",
        sent.kind,
        sent.id,
        if bounce.hard { "hard" } else { "soft" },
        bounce.status.as_deref().unwrap_or("unknown"),
    ));
    Ok(Some(BounceRecord {
        address_hash,
        address,
        hard: bounce.hard,
        status: bounce.status.clone(),
        diagnostic,
        at_ms: now,
    }))
}

/// Where a suppression entry's sealed column lives (bound to its address hash).
pub(crate) fn suppression_place(address_hash: &str, column: &'static str) -> Place {
    Place::column("suppressions", column, address_hash.to_owned())
}

/// The job that sends a queued automatic answer.
fn send_job(id: &str, now: i64) -> postroom_store::queue::NewJob {
    postroom_store::queue::NewJob {
        kind: AUTO_REPLY_JOB.to_owned(),
        payload: id.as_bytes().to_vec(),
        idempotency_key: format!("ack:{id}"),
        run_at_ms: now,
    }
}
