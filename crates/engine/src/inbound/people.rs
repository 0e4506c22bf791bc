//! Who ends up on an issue: the sender as reporter of a new one (when the profile says so,
//! the sender is a Jira user whose mail authenticated, and postroom may set reporters),
//! Jira users on the mail as watchers, and everyone without a Jira account in the profile's
//! e-mail field, so that customers without accounts stay on the issue. A reply's other
//! recipients join the issue it answers the same way.

use postroom_core::plan::email_field;
use postroom_core::ports::tracker::{IssueUpdate, Tracker};
use postroom_core::post::Author;
use serde_json::{Map, Value};

use super::execute::Job;
use super::jsm;
use super::on_issue::OnIssue;
use super::{Failure, Report};

/// The people of one new issue.
#[derive(Debug, Default)]
pub(super) struct Cast {
    /// Account id to set as reporter.
    pub reporter: Option<String>,
    /// Account ids to add as watchers.
    pub watchers: Vec<String>,
    /// `Name <address>` (or the address) of the sender, when they have no Jira account.
    pub email_only_sender: Option<String>,
    /// The address of each other recipient without a Jira account.
    pub email_only: Vec<String>,
}

/// Sorts the sender and the other recipients into reporter, watchers and e-mail-only people.
pub(super) async fn cast<T: Tracker>(
    job: &Job<'_, T>,
    author: Option<&Author>,
    participants: &[String],
    reporter_policy: Option<&str>,
    project: &str,
    report: &mut Report,
) -> Result<Cast, Failure> {
    let mut cast = Cast::default();
    if let Some(author) = author {
        match &author.account {
            Some(account) => {
                let wanted = reporter_policy == Some("sender");
                if wanted && job.authentic && may_set_reporter(job, project).await? {
                    cast.reporter = Some(account.id.clone());
                    report
                        .lines
                        .push("people: the sender reports the issue".to_owned());
                } else {
                    if wanted {
                        report.lines.push(
                            "people: the sender is a Jira user but cannot be made reporter \
                             (authenticity did not pass, or postroom may not set reporters); \
                             added as watcher"
                                .to_owned(),
                        );
                    }
                    cast.watchers.push(account.id.clone());
                }
            }
            None => {
                cast.email_only_sender = Some(match &author.name {
                    Some(name) if !name.trim().is_empty() => {
                        format!("{} <{}>", name.trim(), author.address)
                    }
                    _ => author.address.clone(),
                })
            }
        }
    }
    let mut on = cast.reporter.iter().cloned().collect::<Vec<_>>();
    sort(job, participants, &mut on, &mut cast, report).await;
    Ok(cast)
}

/// Sorts up to `max_participants` of `participants` into watchers and e-mail-only people,
/// leaving out accounts in `on` (the issue's people); nothing when `people.participants`
/// is off.
async fn sort<T: Tracker>(
    job: &Job<'_, T>,
    participants: &[String],
    on: &mut Vec<String>,
    cast: &mut Cast,
    report: &mut Report,
) {
    let people = &job.profile.profile.people;
    if !people.participants {
        return;
    }
    if participants.len() > people.max_participants {
        report.lines.push(format!(
            "people: {} other recipients, only the first {} become participants",
            participants.len(),
            people.max_participants
        ));
    }
    on.extend(cast.watchers.iter().cloned());
    for address in participants.iter().take(people.max_participants) {
        match job.users.mention(job.tenant, job.tracker, address).await {
            Some(m) if !on.contains(&m.id) => {
                on.push(m.id.clone());
                cast.watchers.push(m.id);
            }
            Some(_) => {}
            None => cast.email_only.push(address.clone()),
        }
    }
}

/// Adds a reply's other recipients who are not on the issue yet: Jira users as watchers,
/// the others appended to the e-mail field (each address once), or on a service project
/// under `people.jsm_customers` made customers and request participants. Safe to repeat: watchers
/// are a set, and the field is only appended to with addresses it does not hold.
pub(super) async fn join<T: Tracker>(
    job: &Job<'_, T>,
    issue_key: &str,
    participants: &[String],
    on_issue: &OnIssue,
    report: &mut Report,
) -> Result<(), Failure> {
    let mut cast = Cast::default();
    let mut on: Vec<String> = on_issue.people.accounts.iter().cloned().collect();
    sort(job, participants, &mut on, &mut cast, report).await;
    add_watchers(job, issue_key, &cast.watchers, report).await?;
    if cast.email_only.is_empty() {
        return Ok(());
    }
    if on_issue.people.service_desk && job.profile.profile.people.jsm_customers {
        return jsm::add_participants(job, issue_key, &cast.email_only, report).await;
    }
    let Some(field) = &on_issue.email_field else {
        report.lines.push(format!(
            "people: {} without a Jira account not recorded: no people.email_field in Jira",
            cast.email_only.len()
        ));
        return Ok(());
    };
    let Some(text) = email_field::append(on_issue.email_text.as_deref(), &cast.email_only) else {
        return Ok(());
    };
    let mut fields = Map::new();
    fields.insert(field.clone(), Value::String(text));
    let update = IssueUpdate {
        fields,
        rich_text: Vec::new(),
    };
    match job.tracker.edit_issue(issue_key, &update).await {
        Ok(()) => report.lines.push(format!(
            "people: {} added to the e-mail field of {issue_key}",
            cast.email_only.len()
        )),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => report
            .lines
            .push(format!("people: e-mail field of {issue_key} not set: {e}")),
    }
    Ok(())
}

/// Adds each account as a watcher; Jira refusing one is reported and the rest go on.
pub(super) async fn add_watchers<T: Tracker>(
    job: &Job<'_, T>,
    issue_key: &str,
    watchers: &[String],
    report: &mut Report,
) -> Result<(), Failure> {
    for watcher in watchers {
        match job.tracker.add_watcher(issue_key, watcher).await {
            Ok(()) => report
                .lines
                .push(format!("people: watcher {watcher} added")),
            Err(e) if e.is_transient() => return Err(e.into()),
            Err(e) => report
                .lines
                .push(format!("people: watcher {watcher} not added: {e}")),
        }
    }
    Ok(())
}

/// Whether postroom may set the reporter in `project`; a Jira that will not say counts as no.
async fn may_set_reporter<T: Tracker>(job: &Job<'_, T>, project: &str) -> Result<bool, Failure> {
    match job
        .users
        .may_set_reporter(job.tenant.id(), job.tracker, project)
        .await
    {
        Ok(may) => Ok(may),
        Err(e) if e.is_transient() => Err(e.into()),
        Err(_) => Ok(false),
    }
}
