//! Who ends up on a new issue: the sender as reporter (when the profile says so, the sender
//! is a Jira user whose mail authenticated, and postroom may set reporters), Jira users on
//! the mail as watchers, and everyone without a Jira account in the profile's e-mail field,
//! so that customers without accounts stay on the issue.

use postroom_core::ports::tracker::Tracker;
use postroom_core::post::Author;

use super::execute::Job;
use super::{Failure, Report};

/// The people of one new issue.
#[derive(Debug, Default)]
pub(super) struct Cast {
    /// Account id to set as reporter.
    pub reporter: Option<String>,
    /// Account ids to add as watchers.
    pub watchers: Vec<String>,
    /// `Name <address>` (or the address) of each person without a Jira account.
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
    let people = &job.profile.profile.people;
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
            None => cast.email_only.push(match &author.name {
                Some(name) if !name.trim().is_empty() => {
                    format!("{} <{}>", name.trim(), author.address)
                }
                _ => author.address.clone(),
            }),
        }
    }
    if people.participants {
        if participants.len() > people.max_participants {
            report.lines.push(format!(
                "people: {} other recipients, only the first {} become participants",
                participants.len(),
                people.max_participants
            ));
        }
        for address in participants.iter().take(people.max_participants) {
            match job
                .users
                .mention(job.tenant.id(), job.tracker, address)
                .await
            {
                Some(m)
                    if !cast.watchers.contains(&m.id) && cast.reporter != Some(m.id.clone()) =>
                {
                    cast.watchers.push(m.id);
                }
                Some(_) => {}
                None => cast.email_only.push(address.clone()),
            }
        }
    }
    Ok(cast)
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
