//! The inbound worker: one intake job in, one Jira issue or comment out (or a reported
//! decision not to), exactly once.
//!
//! The job's payload names an intake row; its raw mail is decrypted, planned by core with the
//! tenant's profile (the engine answers core's lookups from the thread map and from Jira),
//! and the plan's action is carried out through the [`Tracker`]. The result, the thread map
//! entries and the sealed processing report are committed in the same transaction that
//! completes the job. A worker killed at any point redoes the job; the create is then made
//! with `may_exist`, which finds the issue the earlier attempt made, and a comment is looked
//! for by its marker property before it is posted again.

mod acknowledge;
mod conversation;
mod execute;
pub(crate) mod fields;
mod images;
mod jsm;
mod lookup;
mod on_issue;
mod people;
mod report;
mod upload;
pub(crate) mod users;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use postroom_core::auto_reply::About;
use postroom_core::classify::{self, FloodCount};
use postroom_core::conversation::{Headers, Place};
use postroom_core::message::{EmailAddress, Message, ParseLimits};
use postroom_core::plan::{self, Action, PlanInput};
use postroom_core::ports::tracker::{Tracker, TrackerError};
use postroom_core::profile::CheckedProfile;
use postroom_core::redact::Redactor;
use postroom_core::reply;
use postroom_core::tenant::TenantId;
use postroom_store::crypto::TenantCipher;
use postroom_store::inbound::{InboundResult, ResultStatus};
use postroom_store::{Store, TenantStore};

use crate::intake::{Intake, RELEASE_JOB_KIND, REPROCESS_JOB_KIND};
use crate::profiles::ProfileCache;
use crate::worker::{Handler, JobContext, JobError, now_ms};

use acknowledge::ReplyStep;
pub(crate) use acknowledge::suppression_place;
pub use conversation::DEFAULT_THREAD_WAIT;
use report::Report;
pub use report::open as open_report;

/// The Jira site of each tenant, as the inbound worker reaches it.
pub trait Sites: Send + Sync + 'static {
    type Tracker: Tracker + 'static;

    /// The tenant's Jira, `None` when it has none configured (mail then waits in the queue).
    fn tracker(
        &self,
        tenant: &TenantId,
    ) -> impl Future<Output = Result<Option<Self::Tracker>, TrackerError>> + Send;

    /// A link to `issue_key` on the tenant's site (for mail that points people at it).
    fn issue_link(&self, tenant: &TenantId, issue_key: &str) -> Option<String>;
}

/// The handler of `inbound.mail` jobs. Cheap to clone.
pub struct Inbound<S> {
    inner: Arc<Inner<S>>,
}

impl<S> std::fmt::Debug for Inbound<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inbound")
    }
}

impl<S> Clone for Inbound<S> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<S> {
    store: Store,
    intake: Intake,
    redactor: Redactor,
    sites: S,
    profiles: ProfileCache,
    fields: fields::FieldCache,
    users: users::UserCache,
    desks: jsm::DeskCache,
    /// A mail transport is configured, so automatic answers can be queued.
    outbound: bool,
    /// How long a mail waits at most for the earlier mails of its conversation
    /// (`inbound.thread_wait_secs`); zero turns the ordering off.
    thread_wait: Duration,
}

/// Why a message could not be carried out: a transient error is retried; a refusal is
/// recorded as the message's result and parks the job as dead until an administrator
/// replays it (`postroom jobs retry ID`).
#[derive(Debug)]
enum Failure {
    Retry(JobError),
    Refused(String),
}

impl From<JobError> for Failure {
    fn from(e: JobError) -> Self {
        Failure::Retry(e)
    }
}

impl From<TrackerError> for Failure {
    fn from(e: TrackerError) -> Self {
        match e {
            TrackerError::RateLimited {
                retry_after, what, ..
            } => Failure::Retry(JobError::RateLimited {
                retry_after,
                reason: format!("Jira is rate limiting {what}"),
            }),
            TrackerError::Transient { .. } => transient(e),
            _ => Failure::Refused(e.to_string()),
        }
    }
}

/// A store or crypto error: worth retrying.
fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Transient(e.to_string())
}

fn transient(e: impl std::fmt::Display) -> Failure {
    Failure::Retry(retry(e))
}

impl<S: Sites> Inbound<S> {
    /// `outbound` says whether a mail transport is configured: without one, acknowledgements
    /// are reported as not sent instead of queued for a sender that does not exist.
    /// `thread_wait` bounds how long a mail waits for the earlier mails of its conversation.
    pub fn new(
        store: Store,
        intake: Intake,
        sites: S,
        outbound: bool,
        thread_wait: Duration,
    ) -> Self {
        let redactor = Redactor::new(intake.keyring().redaction_key());
        let users = users::UserCache::new(redactor.clone(), intake.keyring().clone());
        Self {
            inner: Arc::new(Inner {
                store,
                intake,
                redactor,
                sites,
                profiles: ProfileCache::default(),
                fields: fields::FieldCache::default(),
                users,
                desks: jsm::DeskCache::default(),
                outbound,
                thread_wait,
            }),
        }
    }

    async fn process(&self, ctx: &mut JobContext) -> Result<(), JobError> {
        let inner = &self.inner;
        let tenant = inner.store.tenant(&ctx.job().tenant).await.map_err(retry)?;
        let intake_id = std::str::from_utf8(ctx.payload())
            .map_err(|_| JobError::Permanent("the job's payload is not an intake id".into()))?
            .to_owned();
        let previous = tenant.inbound_result(&intake_id).await.map_err(retry)?;
        let again = ctx.job().kind == REPROCESS_JOB_KIND;
        let released = ctx.job().kind == RELEASE_JOB_KIND;
        let mut report = Report::new(&intake_id);
        match &previous {
            Some(done) if again => report.lines.push(format!(
                "reprocess: an administrator asked for a new attempt; the earlier result was {}{}",
                done.status.as_str(),
                done.issue_key
                    .as_deref()
                    .map(|k| format!(" ({k})"))
                    .unwrap_or_default()
            )),
            Some(done) if released && done.status == ResultStatus::Held => report.lines.push(
                "release: an administrator released the held mail; it is carried out as a comment"
                    .to_owned(),
            ),
            Some(done) if done.status != ResultStatus::Failed => {
                // Processed and committed before; a replayed job has nothing left to do but
                // what may have been cut short after that commit.
                return self.discard_unwanted_raw(&tenant, &intake_id).await;
            }
            _ => {}
        }
        let attempt = tenant.attempt_started(&intake_id).await.map_err(retry)?;
        let replay = Replay {
            any: previous.is_some() || attempt.is_some(),
            since_ms: attempt,
            released,
        };
        match self
            .carry_out(ctx, &tenant, &intake_id, replay, &mut report)
            .await
        {
            Ok(done) => self.commit(ctx, &tenant, done, report).await,
            Err(Failure::Retry(e)) => Err(e),
            Err(Failure::Refused(why)) => {
                report.error = Some(why.clone());
                let failed = Done::failed(&intake_id, report.sender_hash.clone());
                let sealed = report.seal(&self.cipher(&tenant).await?)?;
                let mut tx = ctx.begin().await?;
                tx.record_result(&failed.result(sealed, now_ms()))
                    .await
                    .map_err(retry)?;
                tx.settle_place(&intake_id, false).await.map_err(retry)?;
                tx.commit().await.map_err(retry)?;
                tracing::warn!(intake = %intake_id, reason = %why, "mail could not be carried out");
                Err(JobError::Permanent(why))
            }
        }
    }

    /// Everything up to the commit: read, plan, act.
    async fn carry_out(
        &self,
        ctx: &mut JobContext,
        tenant: &TenantStore,
        intake_id: &str,
        replay: Replay,
        report: &mut Report,
    ) -> Result<Done, Failure> {
        let inner = &self.inner;
        let Some(record) = tenant.intake(intake_id).await.map_err(transient)? else {
            return Err(Failure::Refused(format!(
                "intake record {intake_id} is gone (purged after its retention?)"
            )));
        };
        report.mailbox = Some(record.mailbox.clone());
        let reused = tenant.reuses_message_id(&record).await.map_err(transient)?;
        if reused {
            report.reused_message_id();
        }
        let store_raw = record.store_raw;
        let profile = self.profile(tenant).await?;
        let raw = inner
            .intake
            .raw(tenant, intake_id)
            .await
            .map_err(|e| match e {
                crate::intake::IntakeError::Blob(postroom_store::blobs::BlobError::NotFound {
                    ..
                }) => Failure::Refused("the raw mail is gone".to_owned()),
                other => transient(other),
            })?;
        let limits = ParseLimits {
            max_size: raw.len().max(inner.intake.max_size()),
            ..ParseLimits::default()
        };
        let mut parsed = Message::parse(&raw, &limits)
            .map_err(|e| Failure::Refused(format!("the mail cannot be read: {e}")))?;
        let envelope = tenant.recipients(intake_id).await.map_err(transient)?;
        let unnamed = add_envelope_recipients(&mut parsed.message, &envelope);
        let message = &parsed.message;
        report.read(message, &parsed.warnings);
        if unnamed > 0 {
            report.lines.push(format!(
                "envelope: delivered to {unnamed} own address(es) the headers do not name \
                 (a Bcc, or another delivery of the same message); routing sees them"
            ));
        }
        let place = Place::of(Headers::of(message), record.received_at_ms, &inner.redactor);
        if let Some(place) = &place
            && !inner.thread_wait.is_zero()
        {
            let asking = conversation::Asking {
                tenant,
                intake_id,
                received_at_ms: record.received_at_ms,
                place,
            };
            conversation::take_turn(&asking, inner.thread_wait, now_ms(), report).await?;
        }
        let sender_hash = message
            .from
            .as_ref()
            .map(|m| inner.redactor.address(&m.address).to_string());
        report.sender_hash.clone_from(&sender_hash);
        let mut context = profile.classify_context();
        context.flood = self.flood(tenant, &profile, sender_hash.as_deref()).await?;
        let classification = classify::classify(message, &context);
        let extraction = reply::extract_message(message);
        report.lines.extend(extraction.report());
        let input = PlanInput {
            message,
            classification: &classification,
            visible_text: &extraction.visible_text,
        };
        let prepared = plan::prepare(&input, &profile);
        let tracker = inner.sites.tracker(tenant.id()).await?;
        let needs_jira = !prepared.lookups.issue_keys.is_empty();
        if needs_jira && tracker.is_none() {
            return Err(no_jira());
        }
        let mut answers =
            lookup::answers(tenant, &inner.redactor, tracker.as_ref(), &prepared.lookups).await?;
        if let Some(own) = &message.message_id
            && (reused || ctx.job().kind == REPROCESS_JOB_KIND)
        {
            // The own id joins a reply's issue only for the original the reply answered: a
            // new attempt at a mail that made an issue is no comment on it, and another
            // mail reusing that mail's Message-ID must not be swallowed by its issue.
            answers.message_ids.remove(own.as_str());
        }
        let mut plan = plan::decide(&input, prepared, &profile, &answers);
        let auth = classification.auth.result;
        let authentic = auth == postroom_core::classify::AuthResult::Pass;
        let standing = on_issue::Standing {
            auth,
            released: replay.released,
        };
        let on_issue = match &tracker {
            Some(tracker) => {
                on_issue::judge(
                    inner, tracker, tenant, &profile, message, standing, &mut plan,
                )
                .await?
            }
            None => None,
        };
        report.planned(&plan);
        let status = match &plan.action {
            Action::CreateIssue { .. } | Action::AddComment { .. } => None,
            Action::Ignore { .. } => Some(ResultStatus::Ignored),
            Action::Hold { .. } => Some(ResultStatus::Held),
            Action::Reject { .. } => Some(ResultStatus::Rejected),
        };
        let mut done = Done {
            store_raw,
            intake_id: intake_id.to_owned(),
            status: status.unwrap_or(ResultStatus::Ignored),
            issue_key: plan.thread.as_ref().map(|t| t.issue_key.clone()),
            comment_id: None,
            sender_hash,
            message_id: message.message_id.as_ref().map(|m| m.as_str().to_owned()),
            parents: place.map(|p| p.parents).unwrap_or_default(),
            root: false,
            reply: None,
            bounce: None,
        };
        if status.is_some() {
            if let Some(bounce) = &classification.bounce {
                let cipher = self.cipher(tenant).await?;
                let scope = self.scope(tenant, &cipher);
                done.bounce = acknowledge::bounce(&scope, bounce, report)
                    .await?
                    .map(|record| (record, profile.profile.bounces.soft_limit));
            }
            if let Some(note) = plan.notice_note(&profile) {
                report.lines.push(note);
            }
            if let Action::Reject {
                notice: true,
                reason,
            } = &plan.action
            {
                let about = About::Refusal {
                    reason: reason.clone(),
                    original_subject: message.subject.clone(),
                };
                let cipher = self.cipher(tenant).await?;
                let scope = self.scope(tenant, &cipher);
                done.reply =
                    acknowledge::prepare(&scope, &profile, message, about, None, report).await?;
            }
            return Ok(done);
        }
        let Some(tracker) = tracker else {
            return Err(no_jira());
        };
        let job = execute::Job {
            tracker: &tracker,
            fields: &inner.fields,
            users: &inner.users,
            desks: &inner.desks,
            profile: &profile,
            authentic,
            tenant,
            intake_id,
            idempotency: execute::idempotency_key(&ctx.job().idempotency_key),
            replay: replay.any,
            unknown_since_ms: replay.since_ms,
            raw: &raw,
            on_issue: on_issue.as_ref(),
        };
        let effect = execute::run(&job, message, &plan.action, report).await?;
        if let Action::CreateIssue {
            acknowledge: true,
            summary,
            ..
        } = &plan.action
            && effect.status == ResultStatus::Created
        {
            let about = About::Issue {
                issue_key: effect.issue_key.clone(),
                summary: summary.clone(),
                link: inner.sites.issue_link(tenant.id(), &effect.issue_key),
            };
            let key = Some(effect.issue_key.as_str());
            let cipher = self.cipher(tenant).await?;
            let scope = self.scope(tenant, &cipher);
            done.reply =
                acknowledge::prepare(&scope, &profile, message, about, key, report).await?;
        }
        done.status = effect.status;
        done.issue_key = Some(effect.issue_key);
        done.comment_id = effect.comment_id;
        done.root = effect.status == ResultStatus::Created;
        Ok(done)
    }

    /// Commits the result, the thread map entry, the acknowledgement or bounce, and the
    /// job's completion together.
    async fn commit(
        &self,
        ctx: &mut JobContext,
        tenant: &TenantStore,
        done: Done,
        mut report: Report,
    ) -> Result<(), JobError> {
        let cipher = self.cipher(tenant).await?;
        let now = now_ms();
        let mut tx = ctx.begin().await?;
        // First, so that the report says what the acknowledgement's cap decided.
        self.write_outbound(&mut tx, &done, &mut report, now)
            .await?;
        let sealed = report.seal(&cipher)?;
        if let (Some(id), Some(key)) = (&done.message_id, &done.issue_key)
            && matches!(done.status, ResultStatus::Created | ResultStatus::Commented)
        {
            let hash = self.inner.redactor.message_id_key(id);
            let root = if done.root {
                let place = postroom_store::crypto::Place::column(
                    "thread_map",
                    "root_message_id",
                    hash.clone(),
                );
                Some(cipher.seal(&place, id.as_bytes()).map_err(retry)?)
            } else {
                None
            };
            tx.map_thread(&hash, key, root.as_deref(), now)
                .await
                .map_err(retry)?;
            // The mails this one answers belong to its issue too: one that arrives after
            // it (it was sent earlier, or came by a slower path) threads here.
            for parent in &done.parents {
                tx.map_thread(parent, key, None, now).await.map_err(retry)?;
            }
        }
        tx.settle_place(&done.intake_id, done.status == ResultStatus::Held)
            .await
            .map_err(retry)?;
        tx.record_result(&done.result(sealed, now))
            .await
            .map_err(retry)?;
        ctx.complete_in(tx).await?;
        tracing::info!(
            intake = %done.intake_id,
            status = done.status.as_str(),
            issue = done.issue_key.as_deref().unwrap_or(""),
            "mail processed"
        );
        metrics::counter!("postroom_inbound_processed_total", "status" => done.status.as_str())
            .increment(1);
        if !done.store_raw {
            self.discard_raw(tenant, &done.intake_id).await;
        }
        Ok(())
    }

    /// The acknowledgement and suppression-list writes of the commit.
    async fn write_outbound(
        &self,
        tx: &mut postroom_store::TenantTx,
        done: &Done,
        report: &mut Report,
        now: i64,
    ) -> Result<(), JobError> {
        if let Some(step) = &done.reply {
            acknowledge::write(tx, step, report, now).await?;
        }
        if let Some((bounce, soft_limit)) = &done.bounce {
            let entry = tx.record_bounce(bounce, *soft_limit).await.map_err(retry)?;
            tracing::info!(
                intake = %done.intake_id,
                hard = bounce.hard,
                suppressed = entry.suppressed,
                "bounce of postroom's mail counted"
            );
        }
        Ok(())
    }

    /// After a replayed job found its result committed: deletes the raw mail of a mailbox
    /// that opted out of keeping it, in case the first run stopped right after its commit.
    async fn discard_unwanted_raw(
        &self,
        tenant: &TenantStore,
        intake_id: &str,
    ) -> Result<(), JobError> {
        let record = tenant.intake(intake_id).await.map_err(retry)?;
        if record.is_some_and(|r| !r.store_raw) {
            self.discard_raw(tenant, intake_id).await;
        }
        Ok(())
    }

    /// Deletes the raw mail of a processed message whose source opted out of keeping it.
    /// The result is committed already, so a failure is only logged: the retention purge
    /// deletes the blob at the latest.
    async fn discard_raw(&self, tenant: &TenantStore, intake_id: &str) {
        let ids = [intake_id.to_owned()];
        if let Err(e) = self.inner.intake.discard_raw(tenant, &ids).await {
            tracing::warn!(intake = %intake_id, error = %e, "cannot delete raw mail that is not to be kept");
        }
    }

    /// What the acknowledgement and bounce steps work with, as of now.
    fn scope<'a>(
        &'a self,
        tenant: &'a TenantStore,
        cipher: &'a TenantCipher,
    ) -> acknowledge::Scope<'a> {
        acknowledge::Scope {
            tenant,
            redactor: &self.inner.redactor,
            cipher,
            now: now_ms(),
            outbound: self.inner.outbound,
        }
    }

    /// The tenant's data key, which seals the report and the thread's root Message-ID.
    async fn cipher(&self, tenant: &TenantStore) -> Result<TenantCipher, JobError> {
        self.inner
            .intake
            .keyring()
            .cipher(tenant)
            .await
            .map_err(retry)
    }

    /// The tenant's compiled profile.
    async fn profile(&self, tenant: &TenantStore) -> Result<Arc<CheckedProfile>, Failure> {
        self.inner.profiles.get(tenant).await.map_err(transient)
    }

    /// The sender's count for the profile's flood limit, when it has one.
    async fn flood(
        &self,
        tenant: &TenantStore,
        profile: &CheckedProfile,
        sender_hash: Option<&str>,
    ) -> Result<Option<FloodCount>, Failure> {
        let t = &profile.profile.thresholds;
        let (Some(threshold), Some(sender)) = (t.flood_max_per_sender, sender_hash) else {
            return Ok(None);
        };
        let window_ms = i64::from(t.flood_window_minutes.unwrap_or(60)) * 60_000;
        let seen = tenant
            .sender_count_since(sender, now_ms() - window_ms)
            .await
            .map_err(transient)?;
        Ok(Some(FloodCount {
            recent: seen.saturating_add(1),
            threshold,
        }))
    }
}

fn no_jira() -> Failure {
    transient(
        "no Jira site is configured for this tenant: set [jira] in postroom.toml (mail waits until then)",
    )
}

impl<S: Sites> Handler for Inbound<S> {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.process(ctx))
    }
}

/// What this attempt at a message knows of the ones before it.
#[derive(Debug, Clone, Copy)]
struct Replay {
    /// An earlier attempt may have acted.
    any: bool,
    /// When the earlier attempt that may have written to Jira began.
    since_ms: Option<i64>,
    /// An administrator released the mail after it was held (`audit release`).
    released: bool,
}

/// What became of the message, as committed.
#[derive(Debug)]
struct Done {
    intake_id: String,
    /// False when the raw mail is to be deleted once this is committed.
    store_raw: bool,
    status: ResultStatus,
    issue_key: Option<String>,
    comment_id: Option<String>,
    sender_hash: Option<String>,
    message_id: Option<String>,
    /// Keyed hashes of the Message-IDs this message answers (`In-Reply-To`, `References`).
    parents: Vec<String>,
    /// True when the message created the issue (its Message-ID is the thread's root).
    root: bool,
    /// The automatic answer (acknowledgement or notice) to queue or withhold in the commit.
    reply: Option<ReplyStep>,
    /// The suppression-list entry a bounce of postroom's own mail makes, with the
    /// profile's soft-bounce limit.
    bounce: Option<(postroom_store::outbound::BounceRecord, u32)>,
}

impl Done {
    fn failed(intake_id: &str, sender_hash: Option<String>) -> Self {
        Self {
            intake_id: intake_id.to_owned(),
            // A failed mail keeps its raw mail until it is processed (`jobs retry`) or
            // purged: without it there would be nothing to retry.
            store_raw: true,
            status: ResultStatus::Failed,
            issue_key: None,
            comment_id: None,
            sender_hash,
            message_id: None,
            parents: Vec::new(),
            root: false,
            reply: None,
            bounce: None,
        }
    }

    fn result(&self, report: Vec<u8>, now: i64) -> InboundResult {
        InboundResult {
            intake_id: self.intake_id.clone(),
            status: self.status,
            issue_key: self.issue_key.clone(),
            comment_id: self.comment_id.clone(),
            sender_hash: self.sender_hash.clone(),
            report,
            processed_at_ms: now,
        }
    }
}

/// Adds the own addresses the envelopes of the message's deliveries named and its headers
/// do not, as a `Delivered-To` would (routing reads To, Cc and Delivered-To); returns how
/// many were added.
fn add_envelope_recipients(message: &mut Message, addresses: &[String]) -> usize {
    let mut added = 0;
    for address in addresses {
        let named = message
            .to
            .iter()
            .chain(&message.cc)
            .map(|m| &m.address)
            .chain(&message.delivered_to)
            .any(|a| a.as_str().eq_ignore_ascii_case(address));
        if named {
            continue;
        }
        if let Ok(parsed) = EmailAddress::parse(address) {
            message.delivered_to.push(parsed);
            added += 1;
        }
    }
    added
}
