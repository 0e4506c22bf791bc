//! `outbound.notify`: one stored Jira delivery turned into one mail per person to tell.
//!
//! Jira is asked only for what the rules need: the issue (for the templates, reporter,
//! assignee and participants field), watchers only when a rule names them, a user's
//! address only when the issue does not show it, group or role membership only for a
//! restricted comment. Every recipient's mail is rendered here and sealed in its
//! `sent_mail` row, mapped in the thread map (so that a reply to it comments on the
//! issue) and queued as its own send job, all in one transaction with the delivery's
//! completion: a crash before the commit plans again, after it sends once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use postroom_core::message::EmailAddress;
use postroom_core::notify::{
    self, Actor, AttachedFile, FileLink, JiraEvent, NotificationFacts, Person, Reader, Restriction,
    Source,
};
use postroom_core::ports::tracker::{IDEMPOTENCY_PROPERTY, Issue, Tracker, TrackerError, User};
use postroom_core::profile::{Audience, CheckedProfile, EventKind};
use postroom_core::redact::Redactor;
use postroom_core::template::{CalendarDate, IssueContext};
use postroom_core::tenant::TenantId;
use postroom_store::crypto::{Keyring, Place, TenantCipher};
use postroom_store::outbound::{SentMail, SentStatus};
use postroom_store::queue::NewJob;
use postroom_store::{Store, TenantStore, TenantTx};
use serde_json::Value;

use super::facts_place;
use crate::inbound::Sites;
use crate::profiles::ProfileCache;
use crate::webhooks::payload_place;
use crate::worker::{Handler, JobContext, JobError, now_ms};

/// The job kind that sends one recipient's notification (payload: the `sent_mail` id).
pub const NOTIFICATION_JOB: &str = "outbound.notification";

/// `sent_mail.kind` of notifications.
pub const NOTIFICATION_KIND: &str = "notification";

/// How long after a delivery its planning waits for the result of the mail that made the
/// issue or comment (see [`Notifier::writer`]).
const WRITER_WAIT_MS: i64 = 120_000;

/// How long a user's address or a field's id, as Jira answered, is used before asking again.
const USER_TTL: Duration = Duration::from_secs(300);

/// The handler of `outbound.notify` jobs. Cheap to clone.
pub struct Notifier<S> {
    inner: Arc<Inner<S>>,
}

impl<S> Clone for Notifier<S> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S> std::fmt::Debug for Notifier<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notifier")
    }
}

/// Tenant and an account id or field name.
type UserKey = (TenantId, String);

struct Inner<S> {
    store: Store,
    keyring: Keyring,
    redactor: Redactor,
    sites: S,
    profiles: ProfileCache,
    users: Mutex<HashMap<UserKey, (Instant, User)>>,
    /// Field names (of `people.email_field`) to ids.
    fields: Mutex<HashMap<UserKey, (Instant, Option<String>)>>,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Transient(e.to_string())
}

fn tracker_error(e: TrackerError) -> JobError {
    match e {
        TrackerError::RateLimited {
            retry_after, what, ..
        } => JobError::RateLimited {
            retry_after,
            reason: format!("Jira is rate limiting {what}"),
        },
        TrackerError::Transient { .. } => retry(e),
        other => JobError::Permanent(other.to_string()),
    }
}

/// One recipient's planned mail.
struct Planned {
    /// Queued, or skipped for a suppressed recipient.
    row: SentMail,
    batch: String,
}

/// What one delivery plans, written in one transaction.
#[derive(Default)]
struct Plan {
    mails: Vec<Planned>,
    /// Message-IDs (hashed) that thread back to the issue: the stable root id.
    roots: Vec<String>,
    issue_key: String,
    left_out: usize,
}

impl<S: Sites> Notifier<S> {
    pub fn new(store: Store, keyring: Keyring, sites: S) -> Self {
        let redactor = Redactor::new(keyring.redaction_key());
        Self {
            inner: Arc::new(Inner {
                store,
                keyring,
                redactor,
                sites,
                profiles: ProfileCache::default(),
                users: Mutex::new(HashMap::new()),
                fields: Mutex::new(HashMap::new()),
            }),
        }
    }

    async fn process(&self, ctx: &mut JobContext) -> Result<(), JobError> {
        let inner = &self.inner;
        let tenant = inner.store.tenant(&ctx.job().tenant).await.map_err(retry)?;
        let id = std::str::from_utf8(ctx.payload())
            .map_err(|_| JobError::Permanent("the job's payload is not a delivery id".into()))?
            .to_owned();
        let Some((payload, received_at_ms)) = tenant
            .webhook_event(&id)
            .await
            .map_err(retry)?
            .and_then(|row| Some((row.payload?, row.received_at_ms)))
        else {
            // Processed before, or purged: nothing is left to do.
            return Ok(());
        };
        let cipher = inner.keyring.cipher(&tenant).await.map_err(retry)?;
        let body = cipher
            .open(&payload_place(&id), &payload)
            .map_err(|e| JobError::Permanent(format!("webhook event {id}: {e}")))?;
        let event = JiraEvent::parse(&body)
            .map_err(|e| JobError::Permanent(format!("webhook event {id}: {e}")))?;
        let profile = inner.profiles.get(&tenant).await.map_err(retry)?;
        let plan = self
            .plan(&tenant, &cipher, &profile, &event, received_at_ms)
            .await?;
        let now = now_ms();
        let mut tx = ctx.begin().await?;
        let queued = write(&mut tx, &plan, now).await?;
        tx.finish_webhook_event(&id, now).await.map_err(retry)?;
        ctx.complete_in(tx).await?;
        tracing::info!(
            event = %event.webhook_event,
            issue = %plan.issue_key,
            queued,
            skipped = plan.mails.len() - queued,
            left_out = plan.left_out,
            "notifications planned"
        );
        Ok(())
    }

    /// Decides who is told of what, and renders each mail.
    async fn plan(
        &self,
        tenant: &TenantStore,
        cipher: &TenantCipher,
        profile: &CheckedProfile,
        event: &JiraEvent,
        received_at_ms: i64,
    ) -> Result<Plan, JobError> {
        let inner = &self.inner;
        let settings = &profile.profile.notifications;
        let Some(compiled) = profile.notifications() else {
            return Ok(Plan::default());
        };
        let mut pending = Vec::new();
        for happening in event.happenings() {
            let rules: Vec<usize> = (0..settings.rules.len())
                .filter(|&i| settings.rules[i].wants(&event.project_key, happening.kind))
                .collect();
            if rules.is_empty() {
                continue;
            }
            let batch = inner
                .redactor
                .lookup_key("batch", &format!("{}:{}", event.issue_id, happening.key));
            if tenant.sent_batch_exists(&batch).await.map_err(retry)? {
                continue;
            }
            pending.push((happening.kind, batch, rules));
        }
        let mut plan = Plan {
            issue_key: event.issue_key.clone(),
            ..Plan::default()
        };
        if pending.is_empty() {
            return Ok(plan);
        }
        let Some(from) = &compiled.from else {
            return Ok(plan);
        };
        let tracker = inner
            .sites
            .tracker(tenant.id())
            .await
            .map_err(tracker_error)?
            .ok_or_else(|| retry("no Jira site is configured for the tenant"))?;
        let issue = match tracker.get_issue(&event.issue_key, &[]).await {
            Ok(issue) => issue,
            Err(TrackerError::NotFound { .. }) => {
                tracing::info!(issue = %event.issue_key, "the issue is gone: nobody is told");
                return Ok(plan);
            }
            Err(e) => return Err(tracker_error(e)),
        };
        let now = now_ms();
        let link = inner.sites.issue_link(tenant.id(), &issue.key);
        let site_url = link
            .as_deref()
            .and_then(|l| l.strip_suffix(&format!("/browse/{}", issue.key)))
            .unwrap_or("");
        let agent = User {
            account_id: event.actor.clone().unwrap_or_default(),
            display_name: event.actor_name.clone().unwrap_or_default(),
            email: event.actor_email.clone(),
            active: true,
        };
        let today = CalendarDate::from_unix_seconds(now.div_euclid(1000), 0)
            .map_err(|e| JobError::Permanent(format!("the clock reads no date: {e}")))?;
        let issue_vars = IssueContext {
            issue: &issue,
            fields: &[],
            agent: &agent,
            today,
            site_url,
        }
        .build();
        let (in_reply_to, root_hash) = self.root(tenant, cipher, &issue, from.domain()).await?;
        let (links, attached) = files(&issue, event, settings.attach_max_bytes);
        plan.roots.push(root_hash);
        let own: Vec<String> = profile
            .profile
            .own
            .addresses
            .iter()
            .map(|a| a.to_ascii_lowercase())
            .collect();
        let actor = Actor {
            account_id: event.actor.clone(),
            address: event.actor_email.clone(),
        };
        let mut people = PeopleOf::new(self, &tracker, tenant.id(), &issue, profile);
        for (kind, batch, rules) in pending {
            let comment_kind = matches!(kind, EventKind::CommentAdded | EventKind::CommentEdited);
            let restriction = match (&event.comment, comment_kind) {
                (Some(c), true) => c.restriction.clone(),
                _ => Restriction::Public,
            };
            let mut named = Vec::new();
            for &rule in &rules {
                named.extend(people.named(rule, &settings.rules[rule].to).await?);
            }
            let written = match (&event.comment, comment_kind, kind) {
                (Some(comment), true, _) => Some(Some(comment.id.as_str())),
                (_, _, EventKind::IssueCreated) => Some(None),
                _ => None,
            };
            let writer = match written {
                Some(comment) => {
                    self.writer(tenant, &tracker, &issue.key, comment, received_at_ms)
                        .await?
                }
                None => None,
            };
            if let Some(writer) = writer {
                // The issue or comment came from this person's mail: they know what they
                // wrote (and an acknowledgement may have told them the key already).
                named.retain(|p| {
                    let wrote = p.address.as_deref().is_some_and(|a| {
                        EmailAddress::parse(a)
                            .is_ok_and(|a| inner.redactor.address(&a).to_string() == writer)
                    });
                    if wrote {
                        plan.left_out += 1;
                    }
                    !wrote
                });
            }
            people
                .check_restriction(&mut named, &restriction, &event.project_key)
                .await?;
            let cap = usize::try_from(settings.max_recipients).unwrap_or(usize::MAX);
            let chosen = notify::choose(named, &actor, &restriction, &own, cap);
            for (person, why) in &chosen.left_out {
                plan.left_out += 1;
                tracing::info!(
                    issue = %issue.key,
                    who = person.source.as_str(),
                    why = why.as_str(),
                    "a person is not notified"
                );
            }
            for person in chosen.to {
                let Some(address) = person.address.as_deref() else {
                    continue;
                };
                let Ok(parsed) = EmailAddress::parse(address) else {
                    plan.left_out += 1;
                    tracing::info!(issue = %issue.key, who = person.source.as_str(), "a person's address is not an address: not notified");
                    continue;
                };
                let reader = Reader {
                    name: person.name.as_deref(),
                    address: parsed.as_str(),
                    reply_address: compiled.reply_to.as_ref().map(EmailAddress::as_str),
                };
                let context = notify::variables(&issue_vars, kind, event, reader, &links);
                let words = compiled.templates[person.rule]
                    .render(&context, &compiled.defaults)
                    .map_err(|e| JobError::Permanent(format!("rendering a notification: {e}")))?;
                let mut notes = people.notes.clone();
                notes.extend(words.fell_back.iter().map(|part| {
                    format!("the rule's {part} template failed; the default was used")
                }));
                let id = super::sent_mail_id();
                let facts = NotificationFacts {
                    message_id: format!("n.{id}@{}", from.domain()),
                    to: parsed.as_str().to_owned(),
                    to_name: person.name.clone(),
                    from: from.as_str().to_owned(),
                    from_name: compiled.from_name.clone(),
                    reply_to: compiled.reply_to.as_ref().map(|a| a.as_str().to_owned()),
                    subject: words.subject,
                    text: words.text,
                    html: words.html,
                    in_reply_to: in_reply_to.clone(),
                    issue_key: issue.key.clone(),
                    event: kind.as_str().to_owned(),
                    notes,
                    attachments: attached.clone(),
                };
                let recipient_hash = inner.redactor.address(&parsed).to_string();
                let suppressed = tenant
                    .suppression(&recipient_hash)
                    .await
                    .map_err(retry)?
                    .is_some_and(|s| s.suppressed);
                let json = serde_json::to_vec(&facts).map_err(retry)?;
                plan.mails.push(Planned {
                    row: SentMail {
                        id: id.clone(),
                        kind: NOTIFICATION_KIND.to_owned(),
                        issue_key: Some(issue.key.clone()),
                        recipient_hash,
                        message_id_hash: inner.redactor.message_id_key(&facts.message_id),
                        facts: cipher.seal(&facts_place(&id), &json).map_err(retry)?,
                        status: if suppressed {
                            SentStatus::Skipped
                        } else {
                            SentStatus::Queued
                        },
                        detail: suppressed.then(|| "suppressed".to_owned()),
                        created_at_ms: now,
                        sent_at_ms: None,
                    },
                    batch: batch.clone(),
                });
            }
        }
        Ok(plan)
    }

    /// Who wrote the issue (`comment` `None`) or comment by mail, as a keyed hash; `None`
    /// when nobody did. Jira can deliver the event before the mail's processing is
    /// committed: when the issue or comment carries postroom's idempotency property (it was
    /// made from mail) but no result names its writer yet, the job is retried for up to
    /// [`WRITER_WAIT_MS`] after the delivery, so that the customer is not told of what they
    /// wrote themselves.
    async fn writer<T: Tracker>(
        &self,
        tenant: &TenantStore,
        tracker: &T,
        issue_key: &str,
        comment: Option<&str>,
        received_at_ms: i64,
    ) -> Result<Option<String>, JobError> {
        if let Some(found) = tenant
            .mail_writer(issue_key, comment)
            .await
            .map_err(retry)?
        {
            return Ok(Some(found));
        }
        if now_ms().saturating_sub(received_at_ms) > WRITER_WAIT_MS {
            return Ok(None);
        }
        let marked = match comment {
            Some(id) => tracker.comment_property(id, IDEMPOTENCY_PROPERTY).await,
            None => {
                tracker
                    .issue_property(issue_key, IDEMPOTENCY_PROPERTY)
                    .await
            }
        };
        match marked {
            Ok(Some(_)) => Err(retry(
                "the mail this event came from is still being processed; waiting for its result",
            )),
            Ok(None) | Err(TrackerError::NotFound { .. }) => Ok(None),
            Err(e) => Err(tracker_error(e)),
        }
    }

    /// The Message-ID notifications answer: the mail that opened the issue when postroom
    /// knows it, else a stable id of the issue under postroom's domain (mapped too, so that
    /// a reply quoting only it still finds the issue). Returns it and its lookup hash.
    async fn root(
        &self,
        tenant: &TenantStore,
        cipher: &TenantCipher,
        issue: &Issue,
        domain: &str,
    ) -> Result<(String, String), JobError> {
        let inner = &self.inner;
        if let Some((hash, sealed)) = tenant.thread_root(&issue.key).await.map_err(retry)? {
            let place = Place::column("thread_map", "root_message_id", hash.clone());
            match cipher.open_str(&place, &sealed) {
                Ok(root) => return Ok((root, hash)),
                // Threading falls back to the issue's stable id rather than failing the
                // notification; the broken record is worth a look.
                Err(e) => {
                    tracing::warn!(issue = %issue.key, error = %e, "the issue's root Message-ID cannot be opened");
                }
            }
        }
        let stable = inner
            .redactor
            .lookup_key("root", &format!("{}:{}", tenant.id().as_str(), issue.id));
        let id = format!(
            "issue.{}@{domain}",
            stable
                .rsplit(':')
                .next()
                .unwrap_or("")
                .get(..24)
                .unwrap_or("")
        );
        let hash = inner.redactor.message_id_key(&id);
        Ok((id, hash))
    }

    /// The id of the field named `name`, from the cache or Jira's field list.
    async fn field_id<T: Tracker>(
        &self,
        tracker: &T,
        tenant: &TenantId,
        name: &str,
    ) -> Result<Option<String>, JobError> {
        let key = (tenant.clone(), name.to_owned());
        if let Some((at, id)) = self
            .inner
            .fields
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            && at.elapsed() < USER_TTL
        {
            return Ok(id.clone());
        }
        let fields = tracker.fields().await.map_err(tracker_error)?;
        let id = fields
            .iter()
            .find(|f| f.id == name || f.name == name)
            .map(|f| f.id.clone());
        self.inner
            .fields
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, (Instant::now(), id.clone()));
        Ok(id)
    }

    /// A user's address, from the cache or Jira; `None` when Jira hides it.
    async fn user_email<T: Tracker>(
        &self,
        tracker: &T,
        tenant: &TenantId,
        account_id: &str,
    ) -> Result<Option<String>, JobError> {
        let key = (tenant.clone(), account_id.to_owned());
        if let Some((at, user)) = self
            .inner
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            && at.elapsed() < USER_TTL
        {
            return Ok(user.email.clone());
        }
        let user = match tracker.get_user(account_id).await {
            Ok(user) => user,
            Err(TrackerError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(tracker_error(e)),
        };
        let email = user.email.clone();
        let mut users = self
            .inner
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if users.len() > 50_000 {
            users.clear();
        }
        users.insert(key, (Instant::now(), user));
        Ok(email)
    }
}

/// Writes the plan; returns how many mails were queued.
async fn write(tx: &mut TenantTx, plan: &Plan, now: i64) -> Result<usize, JobError> {
    let mut queued = 0;
    for root in &plan.roots {
        tx.map_thread(root, &plan.issue_key, None, now)
            .await
            .map_err(retry)?;
    }
    for mail in &plan.mails {
        tx.record_sent_mail_in(&mail.row, Some(&mail.batch))
            .await
            .map_err(retry)?;
        tx.map_thread(&mail.row.message_id_hash, &plan.issue_key, None, now)
            .await
            .map_err(retry)?;
        if mail.row.status == SentStatus::Skipped {
            tx.note_withheld(&mail.row.recipient_hash)
                .await
                .map_err(retry)?;
            continue;
        }
        tx.enqueue(
            &NewJob {
                kind: NOTIFICATION_JOB.to_owned(),
                payload: mail.row.id.as_bytes().to_vec(),
                idempotency_key: format!("notification:{}", mail.row.id),
                run_at_ms: now,
            },
            now,
        )
        .await
        .map_err(retry)?;
        queued += 1;
    }
    Ok(queued)
}

/// The people of one issue, looked up once per delivery however many rules name them.
struct PeopleOf<'a, S, T> {
    notifier: &'a Notifier<S>,
    tracker: &'a T,
    tenant: &'a TenantId,
    issue: &'a Issue,
    profile: &'a CheckedProfile,
    watchers: Option<Vec<User>>,
    /// What the administrator should know about the lookups (in every mail's facts).
    notes: Vec<String>,
}

impl<'a, S: Sites, T: Tracker> PeopleOf<'a, S, T> {
    fn new(
        notifier: &'a Notifier<S>,
        tracker: &'a T,
        tenant: &'a TenantId,
        issue: &'a Issue,
        profile: &'a CheckedProfile,
    ) -> Self {
        Self {
            notifier,
            tracker,
            tenant,
            issue,
            profile,
            watchers: None,
            notes: Vec::new(),
        }
    }

    /// The people `audience` names for `rule`, in its order.
    async fn named(&mut self, rule: usize, audience: &[Audience]) -> Result<Vec<Person>, JobError> {
        let mut out = Vec::new();
        for who in audience {
            match who {
                Audience::Reporter => {
                    let mut reporter = self.user_field("reporter", Source::Reporter, rule).await?;
                    let hidden = reporter.iter().any(|p| p.address.is_none());
                    if hidden && !audience.contains(&Audience::Participants) {
                        // On Jira Cloud an address is often hidden; for mail-created issues
                        // the customer is in the participants field, so tell them there.
                        let participants = self.participants(rule).await?;
                        if !participants.is_empty() {
                            self.note("Jira hides the reporter's e-mail address: the participants field was used instead");
                            reporter.extend(participants);
                        }
                    }
                    out.extend(reporter);
                }
                Audience::Assignee => {
                    out.extend(self.user_field("assignee", Source::Assignee, rule).await?);
                }
                Audience::Participants => {
                    let participants = self.participants(rule).await?;
                    out.extend(participants);
                }
                Audience::Watchers => {
                    if self.watchers.is_none() {
                        let found = match self.tracker.watchers(&self.issue.key).await {
                            Ok(w) => w,
                            Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => {
                                self.note("Jira does not show the watchers to postroom");
                                Vec::new()
                            }
                            Err(e) => return Err(tracker_error(e)),
                        };
                        self.watchers = Some(found);
                    }
                    for user in self.watchers.clone().unwrap_or_default() {
                        let person = self.person(&user, Source::Watcher, rule).await?;
                        out.push(person);
                    }
                }
                Audience::Group(group) => {
                    let members = match self.tracker.group_members(group).await {
                        Ok(m) => m,
                        Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => {
                            self.note(
                                "a group of the rule is unknown to Jira or hidden from postroom",
                            );
                            Vec::new()
                        }
                        Err(e) => return Err(tracker_error(e)),
                    };
                    for user in members {
                        let person = self.person(&user, Source::GroupMember, rule).await?;
                        out.push(person);
                    }
                }
                Audience::Address(address) => out.push(Person {
                    address: Some(address.clone()),
                    name: None,
                    account_id: None,
                    source: Source::Fixed,
                    rule,
                    may_read_restricted: false,
                }),
            }
        }
        Ok(out)
    }

    fn note(&mut self, text: &str) {
        if !self.notes.iter().any(|n| n == text) {
            self.notes.push(text.to_owned());
        }
    }

    /// The reporter or assignee, with the address Jira shows (asked for when the issue
    /// does not carry it).
    async fn user_field(
        &mut self,
        field: &str,
        source: Source,
        rule: usize,
    ) -> Result<Vec<Person>, JobError> {
        let Some(value) = self.issue.fields.get(field).filter(|v| v.is_object()) else {
            return Ok(Vec::new());
        };
        let Some(user) = user_from(value) else {
            return Ok(Vec::new());
        };
        Ok(vec![self.person(&user, source, rule).await?])
    }

    async fn person(
        &mut self,
        user: &User,
        source: Source,
        rule: usize,
    ) -> Result<Person, JobError> {
        let address = match &user.email {
            Some(email) => Some(email.clone()),
            None if !user.account_id.is_empty() => {
                self.notifier
                    .user_email(self.tracker, self.tenant, &user.account_id)
                    .await?
            }
            None => None,
        };
        Ok(Person {
            address,
            name: Some(user.display_name.clone()).filter(|n| !n.is_empty()),
            account_id: Some(user.account_id.clone()).filter(|a| !a.is_empty()),
            source,
            rule,
            may_read_restricted: false,
        })
    }

    /// The e-mail-only people of the participants field (`people.email_field`, by id or
    /// by name).
    async fn participants(&mut self, rule: usize) -> Result<Vec<Person>, JobError> {
        let Some(field) = self.profile.profile.people.email_field.clone() else {
            return Ok(Vec::new());
        };
        let id = if self.issue.fields.contains_key(&field) {
            field
        } else {
            match self
                .notifier
                .field_id(self.tracker, self.tenant, &field)
                .await?
            {
                Some(id) => id,
                None => {
                    self.note("people.email_field names no field of the site");
                    return Ok(Vec::new());
                }
            }
        };
        let Some(text) = self.issue.fields.get(&id).and_then(Value::as_str) else {
            return Ok(Vec::new());
        };
        Ok(postroom_core::plan::email_field::entries(text)
            .into_iter()
            .map(|(name, address)| Person {
                address: Some(address),
                name,
                account_id: None,
                source: Source::Participant,
                rule,
                may_read_restricted: false,
            })
            .collect())
    }

    /// Asks Jira, for each Jira user among `people`, whether they are inside a group or
    /// role restriction.
    async fn check_restriction(
        &mut self,
        people: &mut [Person],
        restriction: &Restriction,
        project: &str,
    ) -> Result<(), JobError> {
        for person in people.iter_mut() {
            let Some(account) = person.account_id.clone() else {
                continue;
            };
            person.may_read_restricted = match restriction {
                Restriction::Public | Restriction::Internal => false,
                Restriction::Group(group) => match self.tracker.user_groups(&account).await {
                    Ok(groups) => groups.iter().any(|g| g == group),
                    Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => false,
                    Err(e) => return Err(tracker_error(e)),
                },
                Restriction::Role(role) => {
                    match self.tracker.project_roles_of(project, &account).await {
                        Ok(roles) => roles.iter().any(|r| r.name == *role || r.id == *role),
                        Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => {
                            false
                        }
                        Err(e) => return Err(tracker_error(e)),
                    }
                }
            };
        }
        Ok(())
    }
}

/// The files the delivery added (its changelog's attachments; on creation, every file of
/// the issue), in the issue's order: all of them for `event.attachments`, and those that
/// fit `cap` bytes together to attach. What Jira says of each comes from the issue's
/// `attachment` field.
fn files(issue: &Issue, event: &JiraEvent, cap: u64) -> (Vec<FileLink>, Vec<AttachedFile>) {
    let added = event.added_attachments();
    let created = event.webhook_event == "jira:issue_created";
    let mut links = Vec::new();
    let mut attached = Vec::new();
    let mut budget = cap;
    let all = issue.fields.get("attachment").and_then(Value::as_array);
    for file in all.into_iter().flatten() {
        let text = |key: &str| file.get(key).and_then(Value::as_str).map(str::to_owned);
        let id = match file.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        if !created && !added.contains(&id) {
            continue;
        }
        let size = file.get("size").and_then(Value::as_u64).unwrap_or(u64::MAX);
        let name = text("filename").unwrap_or_else(|| format!("attachment-{id}"));
        let fits = size <= budget;
        if fits {
            budget -= size;
            attached.push(AttachedFile {
                id,
                name: name.clone(),
                content_type: text("mimeType")
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
            });
        }
        links.push(FileLink {
            name,
            size,
            link: text("content"),
            attached: fits,
        });
    }
    (links, attached)
}

/// A user object of an issue field, on Cloud (`accountId`) or Data Center (`name`).
fn user_from(value: &Value) -> Option<User> {
    let id = value
        .get("accountId")
        .or_else(|| value.get("name"))
        .and_then(Value::as_str)?;
    Some(User {
        account_id: id.to_owned(),
        display_name: value
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        email: value
            .get("emailAddress")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
        active: value.get("active").and_then(Value::as_bool).unwrap_or(true),
    })
}

impl<S: Sites> Handler for Notifier<S> {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.process(ctx))
    }
}
