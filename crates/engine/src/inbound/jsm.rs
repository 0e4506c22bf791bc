//! Jira Service Management customers (`people.jsm_customers`): on a service project, a
//! sender without a Jira account becomes a JSM customer and the issue is raised as a
//! request on their behalf, so that they are its reporter and follow it in the portal; the
//! other recipients without an account become customers too and join as request
//! participants.
//!
//! Whether a project is a service project is read from Jira's list of service desks, one
//! call per tenant and [`TTL`]: the list also holds the service desk's id that a request is
//! raised in, which `projectTypeKey` alone would not give. (A reply reads the project's
//! `projectTypeKey` from its issue, which it reads anyway; see [`super::on_issue`].)

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::adf::Doc;
use postroom_core::ports::tracker::{
    Created, IdempotencyKey, IssueUpdate, NewRequest, ServiceDesk, Tracker, TrackerError,
};
use postroom_core::post::Author;
use postroom_core::tenant::TenantId;
use serde_json::{Map, Value};

use super::execute::Job;
use super::{Failure, Report};

/// How long the list of service desks is trusted; a new service project is seen after
/// this at worst.
const TTL: Duration = Duration::from_secs(600);

/// Each tenant's service desks, read from Jira at most once per [`TTL`].
#[derive(Debug, Default)]
pub(super) struct DeskCache {
    entries: Mutex<HashMap<TenantId, (Instant, Vec<ServiceDesk>)>>,
}

impl DeskCache {
    /// The id of `project`'s service desk; `None` when it is no service project.
    async fn desk_of<T: Tracker>(
        &self,
        tenant: &TenantId,
        tracker: &T,
        project: &str,
    ) -> Result<Option<String>, TrackerError> {
        let find = |desks: &[ServiceDesk]| {
            desks
                .iter()
                .find(|d| d.project_key.eq_ignore_ascii_case(project))
                .map(|d| d.id.clone())
        };
        if let Some((at, desks)) = self
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant)
            && at.elapsed() < TTL
        {
            return Ok(find(desks));
        }
        let desks = tracker.service_desks().await?;
        let found = find(&desks);
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.clone(), (Instant::now(), desks));
        Ok(found)
    }
}

/// Where and as what a new issue is raised as a request.
#[derive(Debug)]
pub(super) struct Desk<'a> {
    service_desk_id: String,
    request_type: &'a str,
}

/// The service desk a new issue is raised in: only with `people.jsm_customers`, a
/// `request_type`, a sender without a Jira account, and a service project. Each reason
/// not to is reported; a Jira that will not list its service desks counts as none.
pub(super) async fn desk<'a, T: Tracker>(
    job: &Job<'_, T>,
    author: Option<&Author>,
    project: &str,
    request_type: Option<&'a str>,
    report: &mut Report,
) -> Result<Option<Desk<'a>>, Failure> {
    let sender_is_customer = author.is_some_and(|a| a.account.is_none());
    if !job.profile.profile.people.jsm_customers || !sender_is_customer {
        return Ok(None);
    }
    let Some(request_type) = request_type else {
        report.lines.push(
            "people: no request_type in the rule or default; created as a plain issue".to_owned(),
        );
        return Ok(None);
    };
    let found = match job
        .desks
        .desk_of(job.tenant.id(), job.tracker, project)
        .await
    {
        Ok(found) => found,
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => {
            report.lines.push(format!(
                "people: service desks not read ({e}); created as a plain issue"
            ));
            None
        }
    };
    if found.is_none() {
        report.lines.push(format!(
            "people: {project} is not a service project; created as a plain issue"
        ));
    }
    Ok(found.map(|service_desk_id| Desk {
        service_desk_id,
        request_type,
    }))
}

/// What a request is made of.
pub(super) struct Request<'a> {
    pub project: &'a str,
    pub summary: &'a str,
    pub description: Doc,
    /// Further fields by Jira id, set by an edit once the request exists (a request type
    /// refuses fields it does not show on its form; an agent's edit does not).
    pub fields: Map<String, Value>,
    /// The addresses of the other recipients without a Jira account.
    pub participants: &'a [String],
}

/// Raises the request on behalf of the sender (made a customer first) and adds the other
/// recipients as request participants. `None` when the sender cannot be made a customer:
/// the caller then creates a plain issue.
pub(super) async fn raise<T: Tracker>(
    job: &Job<'_, T>,
    author: &Author,
    desk: Desk<'_>,
    request: Request<'_>,
    key: IdempotencyKey,
    report: &mut Report,
) -> Result<Option<Created>, Failure> {
    let Some(customer) = customer(job, &author.address, author.name.as_deref(), report).await?
    else {
        report
            .lines
            .push("people: the sender is no JSM customer; created as a plain issue".to_owned());
        return Ok(None);
    };
    let new = NewRequest {
        service_desk_id: desk.service_desk_id,
        project: request.project.to_owned(),
        request_type_id: desk.request_type.to_owned(),
        summary: request.summary.to_owned(),
        fields: Map::new(),
        on_behalf_of: Some(customer),
        participants: Vec::new(),
        idempotency_key: key,
        may_exist: job.replay,
        unknown_since_ms: job.unknown_since_ms,
    };
    let created = job.tracker.create_request(&new).await?;
    let issue_key = &created.issue.key;
    report.lines.push(if created.recovered {
        format!("jira: request {issue_key} was raised by an earlier attempt; not raised again")
    } else {
        format!("jira: raised request {issue_key} on behalf of the sender (a JSM customer)")
    });
    let update = IssueUpdate {
        fields: request.fields,
        rich_text: vec![("description".to_owned(), request.description)],
    };
    match job.tracker.edit_issue(issue_key, &update).await {
        Ok(()) => {}
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => report.lines.push(format!(
            "jira: description and fields of {issue_key} not set: {e}"
        )),
    }
    add_participants(job, issue_key, request.participants, report).await?;
    Ok(Some(created))
}

/// Makes each address a customer and adds them as request participants of `issue_key`;
/// an address Jira will not make a customer is reported and left out.
pub(super) async fn add_participants<T: Tracker>(
    job: &Job<'_, T>,
    issue_key: &str,
    addresses: &[String],
    report: &mut Report,
) -> Result<(), Failure> {
    let mut ids = Vec::new();
    for address in addresses {
        if let Some(id) = customer(job, address, None, report).await? {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    match job.tracker.add_request_participants(issue_key, &ids).await {
        Ok(()) => report.lines.push(format!(
            "people: {} added as request participants of {issue_key}",
            ids.len()
        )),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => report.lines.push(format!(
            "people: request participants of {issue_key} not added: {e}"
        )),
    }
    Ok(())
}

/// The customer account of `address`: remembered from the last hour, created, or
/// found when Jira says it exists (a repeat of an earlier attempt, or a customer from the
/// portal). `None`, reported, when Jira will do neither.
async fn customer<T: Tracker>(
    job: &Job<'_, T>,
    address: &str,
    name: Option<&str>,
    report: &mut Report,
) -> Result<Option<String>, Failure> {
    let tenant = job.tenant;
    if let Some(known) = job.users.customer(tenant, address).await {
        return Ok(Some(known));
    }
    let found = made_or_found(job, address, name, report).await?;
    if let Some(id) = &found {
        job.users.remember_customer(tenant, address, id).await;
    }
    Ok(found)
}

/// Makes the customer account of `address`, or finds it when Jira says it exists.
async fn made_or_found<T: Tracker>(
    job: &Job<'_, T>,
    address: &str,
    name: Option<&str>,
    report: &mut Report,
) -> Result<Option<String>, Failure> {
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(address);
    let refused = match job.tracker.create_customer(address, name).await {
        Ok(user) => return Ok(Some(user.account_id)),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => e,
    };
    let found = match job.tracker.find_users_by_email(address).await {
        Ok(users) => users.into_iter().filter(|u| u.active).collect::<Vec<_>>(),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(_) => Vec::new(),
    };
    match found.as_slice() {
        [user] => Ok(Some(user.account_id.clone())),
        _ => {
            report
                .lines
                .push(format!("people: a JSM customer was not created: {refused}"));
            Ok(None)
        }
    }
}
