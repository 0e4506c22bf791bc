//! Carrying out a plan's create or comment in Jira, so that a replay never doubles it.
//!
//! A create carries the idempotency key as an issue property and, on a replay, is made with
//! `may_exist` (the client finds the issue an earlier attempt made). A comment carries the
//! key as a comment property; on a replay postroom's recent comments on the issue are read
//! first and a marked one is taken instead of posting again. Attachments are uploaded each
//! content once ([`super::upload`]), which also keeps a replay from uploading twice.
//!
//! Inline images are shown where the mail showed them, so the text that shows one is
//! written after the upload: a comment is posted after its files are uploaded; an issue,
//! which must exist before anything can be attached to it, is created with the text
//! without its images and its description is set once more after the upload. Both steps
//! stay exactly-once on a replay: the upload finds the files an earlier attempt sent by
//! their content and returns the same attachments, so the description set again is the
//! same document, and the comment is found by its marker.

use std::collections::BTreeMap;

use postroom_core::attachments::Kept;
use postroom_core::message::Message;
use postroom_core::plan::{Action, OnClosed};
use postroom_core::ports::tracker::{
    IDEMPOTENCY_PROPERTY, IdempotencyKey, IssueTypeRef, IssueUpdate, NewComment, NewIssue, NewLink,
    Tracker, TrackerError, Visibility,
};
use postroom_core::post::{self, Author, FULL_TEXT_FILE};
use postroom_core::profile::CheckedProfile;
use postroom_store::TenantStore;
use postroom_store::inbound::ResultStatus;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::fields::FieldCache;
use super::images::{self, shown};
use super::jsm::{self, DeskCache};
use super::on_issue::OnIssue;
use super::people;
use super::upload::{self, File};
use super::users::UserCache;
use super::{Failure, Report};
use crate::worker::now_ms;

/// The comment property that marks a comment as posted for one mail; same name as the
/// issue property of a create.
const COMMENT_MARKER: &str = IDEMPOTENCY_PROPERTY;

/// How many of the newest comments a replay reads to find its own.
const RECENT_COMMENTS: u32 = 50;

/// File name of the original mail when a rule attaches it.
const ORIGINAL_FILE: &str = "original.eml";

/// What one job needs to act.
pub(super) struct Job<'a, T> {
    pub tracker: &'a T,
    pub fields: &'a FieldCache,
    pub users: &'a UserCache,
    pub desks: &'a DeskCache,
    pub profile: &'a CheckedProfile,
    /// True when the sender's authenticity passed (DKIM/SPF/DMARC by the trusted MTA).
    pub authentic: bool,
    pub tenant: &'a TenantStore,
    pub intake_id: &'a str,
    pub idempotency: Result<IdempotencyKey, String>,
    /// True when an earlier attempt may have acted already.
    pub replay: bool,
    /// When the earlier attempt that may have written to Jira began: a create whose answer
    /// it lost is looked for, not made again, until Jira's unknown-outcome limit after it.
    pub unknown_since_ms: Option<i64>,
    pub raw: &'a [u8],
    /// The people on the issue a reply threads to, when the plan needed them.
    pub on_issue: Option<&'a OnIssue>,
}

impl<T> Job<'_, T> {
    /// Records, before the first Jira write of a fresh attempt, that a write may follow: a
    /// retry then looks for what this attempt made; without the record it knows nothing was
    /// sent and skips the (index-lag long) search.
    async fn before_write(&self) -> Result<(), Failure> {
        if self.replay {
            return Ok(());
        }
        self.tenant
            .mark_attempt(self.intake_id, now_ms())
            .await
            .map_err(super::transient)
    }

    /// The first write of a fresh attempt was refused before Jira carried it out (it said
    /// 429, or postroom held no credential to send it with): nothing was written, so the
    /// retry need not look for what this attempt made — which would hold it for the whole
    /// unknown-outcome window.
    async fn refused_before_any_write(&self) -> Result<(), Failure> {
        if self.replay {
            return Ok(());
        }
        self.tenant
            .clear_attempt(self.intake_id)
            .await
            .map_err(super::transient)
    }
}

/// What was done in Jira.
#[derive(Debug)]
pub(super) struct Effect {
    pub status: ResultStatus,
    pub issue_key: String,
    pub comment_id: Option<String>,
}

/// The Jira idempotency key of a job: a digest of its queue key (mailbox and the dedupe
/// hash of Message-ID and content), so it is short, ASCII and holds nothing personal. A
/// mail reusing another's Message-ID has another key, so it never finds the other's issue.
pub(super) fn idempotency_key(job_key: &str) -> Result<IdempotencyKey, String> {
    let digest = Sha256::digest(job_key.as_bytes());
    IdempotencyKey::parse(&format!("postroom:{}", hex::encode(digest))).map_err(|e| e.to_string())
}

/// Carries out a create or comment action.
pub(super) async fn run<T: Tracker>(
    job: &Job<'_, T>,
    message: &Message,
    action: &Action,
    report: &mut Report,
) -> Result<Effect, Failure> {
    let key = job.idempotency.clone().map_err(Failure::Refused)?;
    match action {
        Action::CreateIssue {
            project,
            issue_type,
            request_type,
            summary,
            body,
            fields,
            attachments,
            attach_original,
            participants,
            reporter_policy,
            ..
        } => {
            let spec = Create {
                project,
                issue_type,
                request_type: request_type.as_deref(),
                summary,
                body,
                fields,
                attachments,
                attach_original: *attach_original,
                participants,
                reporter_policy: reporter_policy.as_deref(),
            };
            create(job, message, &spec, key, report).await
        }
        Action::AddComment {
            issue_key,
            body,
            visibility,
            internal,
            fields,
            attachments,
            attach_original,
            on_closed,
            participants,
            ..
        } => {
            let closed = match on_closed {
                OnClosed::Comment => false,
                _ => is_closed(job.tracker, issue_key).await?,
            };
            if closed
                && let OnClosed::NewIssue {
                    project,
                    issue_type,
                    summary,
                } = on_closed
            {
                report.lines.push(format!(
                    "jira: {issue_key} is resolved; the rule opens a new issue"
                ));
                let spec = Create {
                    project,
                    issue_type,
                    request_type: None,
                    summary,
                    body,
                    fields,
                    attachments,
                    attach_original: *attach_original,
                    participants: &[],
                    reporter_policy: None,
                };
                let effect = create(job, message, &spec, key, report).await?;
                let link = NewLink {
                    link_type: "Relates".to_owned(),
                    inward: effect.issue_key.clone(),
                    outward: issue_key.clone(),
                };
                match job.tracker.link_issues(&link).await {
                    Ok(()) => report.lines.push(format!(
                        "jira: {} linked to {issue_key} (relates)",
                        effect.issue_key
                    )),
                    Err(e) if e.is_transient() => return Err(e.into()),
                    Err(e) => report.lines.push(format!("jira: not linked: {e}")),
                }
                return Ok(effect);
            }
            let author = author(job, message).await;
            let files = files(message, attachments, body, *attach_original, job.raw);
            job.before_write().await?;
            let on_issue = upload::upload(job.tracker, issue_key, files, false, report).await?;
            let composed = post::compose(author.as_ref(), body, &|cid| shown(&on_issue, cid));
            let earlier = if job.replay {
                marked_comment(job.tracker, issue_key, &key).await?
            } else {
                None
            };
            let comment_id = match earlier {
                Some(id) => {
                    report.lines.push(format!(
                        "jira: comment {id} on {issue_key} was posted by an earlier attempt; not posted again"
                    ));
                    id
                }
                None => {
                    let comment = NewComment {
                        body: composed,
                        visibility: visibility.as_deref().map(parse_visibility),
                        public: internal.then_some(false),
                        properties: vec![(
                            COMMENT_MARKER.to_owned(),
                            json!({ "key": key.as_str() }),
                        )],
                    };
                    let posted = job.tracker.add_comment(issue_key, &comment).await?;
                    report
                        .lines
                        .push(format!("jira: comment {} added to {issue_key}", posted.id));
                    posted.id
                }
            };
            if closed && let OnClosed::Reopen { transition } = on_closed {
                reopen(job.tracker, issue_key, transition, report).await?;
            }
            if !fields.is_empty() {
                set_fields(job, issue_key, fields, report).await?;
            }
            if let Some(on_issue) = job.on_issue {
                people::join(job, issue_key, participants, on_issue, report).await?;
            }
            Ok(Effect {
                status: ResultStatus::Commented,
                issue_key: issue_key.clone(),
                comment_id: Some(comment_id),
            })
        }
        other => Err(Failure::Refused(format!(
            "nothing to carry out for a {} action",
            other.kind()
        ))),
    }
}

/// What a new issue is made of.
struct Create<'a> {
    project: &'a str,
    issue_type: &'a str,
    request_type: Option<&'a str>,
    summary: &'a str,
    body: &'a str,
    fields: &'a BTreeMap<String, Value>,
    attachments: &'a [Kept],
    attach_original: bool,
    participants: &'a [String],
    reporter_policy: Option<&'a str>,
}

/// Creates the issue (at most once per key), adds its watchers and uploads its files.
async fn create<T: Tracker>(
    job: &Job<'_, T>,
    message: &Message,
    spec: &Create<'_>,
    key: IdempotencyKey,
    report: &mut Report,
) -> Result<Effect, Failure> {
    if spec.project.is_empty() {
        return Err(Failure::Refused(
            "the profile names no project for this mail: set `project` in the rule or in `default`"
                .to_owned(),
        ));
    }
    if spec.issue_type.is_empty() {
        return Err(Failure::Refused(
            "the profile names no issue type for this mail: set `issue_type` in the rule or in `default`".to_owned(),
        ));
    }
    let author = author(job, message).await;
    let composed = post::compose(author.as_ref(), spec.body, &post::no_images);
    let cast = people::cast(
        job,
        author.as_ref(),
        spec.participants,
        spec.reporter_policy,
        spec.project,
        report,
    )
    .await?;
    let desk = jsm::desk(
        job,
        author.as_ref(),
        spec.project,
        spec.request_type,
        report,
    )
    .await?;
    let (mut mapped, skipped) = job
        .fields
        .map(job.tenant.id(), job.tracker, spec.fields)
        .await?;
    report.lines.extend(skipped);
    job.before_write().await?;
    let raised = match (desk, author.as_ref()) {
        (Some(desk), Some(author)) => {
            let request = jsm::Request {
                project: spec.project,
                summary: spec.summary,
                description: composed.clone(),
                fields: mapped.clone(),
                participants: &cast.email_only,
            };
            jsm::raise(job, author, desk, request, key.clone(), report).await?
        }
        _ => None,
    };
    let created = match raised {
        Some(created) => created,
        None => {
            let email_only: Vec<&String> = cast
                .email_only_sender
                .iter()
                .chain(&cast.email_only)
                .collect();
            if let Some(field) = &job.profile.profile.people.email_field
                && !email_only.is_empty()
            {
                let text = email_only
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let field = BTreeMap::from([(field.clone(), Value::String(text))]);
                let (extra, skipped) = job.fields.map(job.tenant.id(), job.tracker, &field).await?;
                report.lines.extend(skipped);
                mapped.extend(extra);
            }
            let new = NewIssue {
                project: spec.project.to_owned(),
                issue_type: IssueTypeRef::Name(spec.issue_type.to_owned()),
                summary: spec.summary.to_owned(),
                description: Some(composed),
                reporter: cast.reporter.clone(),
                fields: mapped,
                properties: Vec::new(),
                idempotency_key: key,
                may_exist: job.replay,
                unknown_since_ms: job.unknown_since_ms,
            };
            let created = match job.tracker.create_issue(&new).await {
                Ok(created) => created,
                Err(e @ TrackerError::RateLimited { .. }) => {
                    job.refused_before_any_write().await?;
                    return Err(e.into());
                }
                Err(e) => return Err(e.into()),
            };
            report.lines.push(if created.recovered {
                format!(
                    "jira: {} was created by an earlier attempt; not created again",
                    created.issue.key
                )
            } else {
                format!("jira: created {}", created.issue.key)
            });
            created
        }
    };
    let issue_key = created.issue.key;
    people::add_watchers(job, &issue_key, &cast.watchers, report).await?;
    let files = files(
        message,
        spec.attachments,
        spec.body,
        spec.attach_original,
        job.raw,
    );
    let fresh = !job.replay && !created.recovered;
    let on_issue = upload::upload(job.tracker, &issue_key, files, fresh, report).await?;
    images::show_in_description(
        job.tracker,
        &issue_key,
        author.as_ref(),
        spec.body,
        &on_issue,
        report,
    )
    .await?;
    Ok(Effect {
        status: ResultStatus::Created,
        issue_key,
        comment_id: None,
    })
}

/// True when the issue's status is in Jira's "done" category (resolved, closed).
async fn is_closed<T: Tracker>(tracker: &T, issue_key: &str) -> Result<bool, TrackerError> {
    let issue = tracker.get_issue(issue_key, &["status"]).await?;
    Ok(issue
        .fields
        .get("status")
        .and_then(|s| s.get("statusCategory"))
        .and_then(|c| c.get("key"))
        .and_then(Value::as_str)
        == Some("done"))
}

/// Takes the named transition; a workflow without it is reported, not fatal.
async fn reopen<T: Tracker>(
    tracker: &T,
    issue_key: &str,
    name: &str,
    report: &mut Report,
) -> Result<(), Failure> {
    let available = tracker.transitions(issue_key).await?;
    let Some(found) = available.iter().find(|t| t.name.eq_ignore_ascii_case(name)) else {
        let names: Vec<&str> = available.iter().map(|t| t.name.as_str()).collect();
        report.lines.push(format!(
            "jira: {issue_key} not reopened: no transition {name:?} (available: {})",
            names.join(", ")
        ));
        return Ok(());
    };
    match tracker
        .transition(issue_key, &found.id, &IssueUpdate::default())
        .await
    {
        Ok(()) => report
            .lines
            .push(format!("jira: {issue_key} reopened ({})", found.name)),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => report
            .lines
            .push(format!("jira: {issue_key} not reopened: {e}")),
    }
    Ok(())
}

/// The sender, with a mention when the address is exactly one active Jira user's.
async fn author<T: Tracker>(job: &Job<'_, T>, message: &Message) -> Option<Author> {
    let from = message.from.as_ref()?;
    let address = from.address.as_str().to_owned();
    let account = job.users.mention(job.tenant, job.tracker, &address).await;
    Some(Author {
        name: from.name.clone(),
        address,
        account,
    })
}

/// `role:NAME`, `group:NAME`, or a bare name (a project role, what help desks restrict to).
fn parse_visibility(text: &str) -> Visibility {
    match text.split_once(':') {
        Some(("group", name)) => Visibility::Group(name.trim().to_owned()),
        Some(("role", name)) => Visibility::Role(name.trim().to_owned()),
        _ => Visibility::Role(text.trim().to_owned()),
    }
}

/// The id of the comment on `issue_key` that an earlier attempt posted for `key`, if any.
async fn marked_comment<T: Tracker>(
    tracker: &T,
    issue_key: &str,
    key: &IdempotencyKey,
) -> Result<Option<String>, TrackerError> {
    let me = tracker.myself().await?;
    let comments = tracker.recent_comments(issue_key, RECENT_COMMENTS).await?;
    for comment in comments {
        if comment
            .author
            .as_deref()
            .is_some_and(|a| a != me.account_id)
        {
            continue;
        }
        let marker = tracker
            .comment_property(&comment.id, COMMENT_MARKER)
            .await?;
        if marker
            .as_ref()
            .and_then(|v| v.get("key"))
            .and_then(Value::as_str)
            == Some(key.as_str())
        {
            return Ok(Some(comment.id));
        }
    }
    Ok(None)
}

/// Sets the fields a reply's directives asked for. Jira refusing them is reported; the
/// comment stands either way.
async fn set_fields<T: Tracker>(
    job: &Job<'_, T>,
    issue_key: &str,
    fields: &BTreeMap<String, Value>,
    report: &mut Report,
) -> Result<(), Failure> {
    let (mapped, skipped) = job.fields.map(job.tenant.id(), job.tracker, fields).await?;
    report.lines.extend(skipped);
    if mapped.is_empty() {
        return Ok(());
    }
    let update = IssueUpdate {
        fields: mapped,
        rich_text: Vec::new(),
    };
    match job.tracker.edit_issue(issue_key, &update).await {
        Ok(()) => report
            .lines
            .push(format!("jira: fields of {issue_key} set by directives")),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => report
            .lines
            .push(format!("jira: directive fields not set: {e}")),
    }
    Ok(())
}

/// The attachments the plan kept, the whole text when it is too long for a body, and the
/// original when the rule asks for it.
fn files(message: &Message, kept: &[Kept], body: &str, original: bool, raw: &[u8]) -> Vec<File> {
    let mut out = upload::parts(message, kept);
    if let Some(text) = post::full_text(body) {
        out.push(File::made(
            FULL_TEXT_FILE,
            "text/plain; charset=utf-8",
            text.into_bytes(),
        ));
    }
    if original {
        out.push(File::made(ORIGINAL_FILE, "message/rfc822", raw.to_vec()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_stable_ascii_and_differ_per_job() {
        let a = idempotency_key("inbound:support desk:abc").unwrap();
        assert_eq!(a, idempotency_key("inbound:support desk:abc").unwrap());
        assert_ne!(a, idempotency_key("inbound:support desk:abd").unwrap());
        assert!(a.as_str().starts_with("postroom:"));
        assert!(!a.as_str().contains("support"));
    }

    #[test]
    fn visibility_is_a_role_unless_said_otherwise() {
        assert_eq!(
            parse_visibility("Developers"),
            Visibility::Role("Developers".into())
        );
        assert_eq!(
            parse_visibility("group:jira-staff"),
            Visibility::Group("jira-staff".into())
        );
        assert_eq!(
            parse_visibility("role: Agents"),
            Visibility::Role("Agents".into())
        );
    }
}
