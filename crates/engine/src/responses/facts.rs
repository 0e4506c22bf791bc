//! The caller's standing in Jira (groups, admin, project roles and leads), fetched through
//! the `Tracker` and kept for a short while per account, so that a picker that searches on
//! every key stroke does not ask Jira each time.
//!
//! A minute is short enough that a revoked group membership stops granting access soon,
//! and long enough to make a session of searches cheap. Entries are per tenant and account.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::canned::{CallerFacts, ProjectFacts};
use postroom_core::ports::tracker::{Field, Project, Tracker, TrackerError};

use super::indexes::SearchIndexes;

/// Groups whose members hold Administer Jira on a default site: `site-admins` and
/// `jira-admins…` on Cloud, `jira-administrators` and `jira-system-administrators` on Data
/// Center.
pub const DEFAULT_ADMIN_GROUPS: [&str; 4] = [
    "site-admins",
    "jira-admins",
    "jira-administrators",
    "jira-system-administrators",
];

/// The project role whose holders administer a project.
const ADMIN_ROLE: &str = "Administrators";

/// How long facts are reused.
pub const FACTS_TTL: Duration = Duration::from_secs(60);

/// What the console lets an account administer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Administered {
    /// A Jira administrator: everything.
    pub jira_admin: bool,
    /// Otherwise the keys of the projects they administer or lead (possibly none).
    pub projects: BTreeSet<String>,
}

#[derive(Debug)]
struct Entry<T> {
    at: Instant,
    value: T,
}

impl<T: Clone> Entry<T> {
    fn fresh(&self, ttl: Duration) -> Option<T> {
        (self.at.elapsed() < ttl).then(|| self.value.clone())
    }
}

/// Facts per (tenant, account), project standing per (tenant, account, project), and the
/// site's projects and fields per tenant; with them, each tenant's prepared search index,
/// so that everything canned responses keep between requests is in one place.
#[derive(Debug, Default)]
pub struct FactsCache {
    indexes: SearchIndexes,
    people: Mutex<HashMap<(String, String), Entry<CallerFacts>>>,
    standing: Mutex<HashMap<(String, String, String), Entry<ProjectFacts>>>,
    projects: Mutex<HashMap<String, Entry<Vec<Project>>>>,
    fields: Mutex<HashMap<String, Entry<Vec<Field>>>>,
    ttl: Option<Duration>,
}

impl FactsCache {
    /// A cache that keeps answers for `ttl` (zero: always ask Jira, for tests), and
    /// prepared indexes' use counts at most as long.
    pub fn with_ttl(ttl: Duration) -> Self {
        Self {
            ttl: Some(ttl),
            indexes: SearchIndexes::with_use_counts_ttl(ttl.min(super::USE_COUNTS_TTL)),
            ..Self::default()
        }
    }

    /// Each tenant's templates prepared for searching.
    pub fn indexes(&self) -> &SearchIndexes {
        &self.indexes
    }

    fn ttl(&self) -> Duration {
        self.ttl.unwrap_or(FACTS_TTL)
    }

    /// The caller's facts, with their standing in each of `projects`.
    pub async fn facts<T: Tracker>(
        &self,
        tracker: &T,
        tenant: &str,
        account_id: &str,
        projects: &BTreeSet<String>,
    ) -> Result<CallerFacts, TrackerError> {
        let key = (tenant.to_owned(), account_id.to_owned());
        let cached = lock(&self.people)
            .get(&key)
            .and_then(|e| e.fresh(self.ttl()));
        let mut facts = match cached {
            Some(facts) => facts,
            None => {
                let groups: BTreeSet<String> =
                    tracker.user_groups(account_id).await?.into_iter().collect();
                let facts = CallerFacts {
                    account_id: account_id.to_owned(),
                    jira_admin: DEFAULT_ADMIN_GROUPS.iter().any(|g| groups.contains(*g)),
                    groups,
                    projects: Default::default(),
                };
                let entry = Entry {
                    at: Instant::now(),
                    value: facts.clone(),
                };
                lock(&self.people).insert(key, entry);
                facts
            }
        };
        for project in projects {
            let standing = self.standing(tracker, tenant, account_id, project).await?;
            if standing != ProjectFacts::default() {
                facts.projects.insert(project.clone(), standing);
            }
        }
        Ok(facts)
    }

    /// The caller's standing for the console, read like canned responses read it: whether
    /// they are a Jira administrator, and otherwise the projects they administer (role
    /// Administrators) or lead.
    pub async fn administered<T: Tracker>(
        &self,
        tracker: &T,
        tenant: &str,
        account_id: &str,
    ) -> Result<Administered, TrackerError> {
        let own = self
            .facts(tracker, tenant, account_id, &BTreeSet::new())
            .await?;
        if own.jira_admin {
            return Ok(Administered {
                jira_admin: true,
                projects: BTreeSet::new(),
            });
        }
        let keys: BTreeSet<String> = self
            .projects(tracker, tenant)
            .await?
            .into_iter()
            .map(|p| p.key)
            .collect();
        let facts = self.facts(tracker, tenant, account_id, &keys).await?;
        Ok(Administered {
            jira_admin: false,
            projects: facts
                .projects
                .into_iter()
                .filter(|(_, standing)| standing.admin || standing.lead)
                .map(|(key, _)| key)
                .collect(),
        })
    }

    async fn standing<T: Tracker>(
        &self,
        tracker: &T,
        tenant: &str,
        account_id: &str,
        project: &str,
    ) -> Result<ProjectFacts, TrackerError> {
        let key = (tenant.to_owned(), account_id.to_owned(), project.to_owned());
        if let Some(hit) = lock(&self.standing)
            .get(&key)
            .and_then(|e| e.fresh(self.ttl()))
        {
            return Ok(hit);
        }
        let roles = match tracker.project_roles_of(project, account_id).await {
            Ok(roles) => roles,
            Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        let lead = self
            .projects(tracker, tenant)
            .await?
            .iter()
            .any(|p| p.key == project && p.lead.as_deref() == Some(account_id));
        let standing = ProjectFacts {
            member: !roles.is_empty(),
            admin: roles.iter().any(|r| r.name == ADMIN_ROLE),
            lead,
        };
        let entry = Entry {
            at: Instant::now(),
            value: standing,
        };
        lock(&self.standing).insert(key, entry);
        Ok(standing)
    }

    async fn projects<T: Tracker>(
        &self,
        tracker: &T,
        tenant: &str,
    ) -> Result<Vec<Project>, TrackerError> {
        if let Some(hit) = lock(&self.projects)
            .get(tenant)
            .and_then(|e| e.fresh(self.ttl()))
        {
            return Ok(hit);
        }
        let projects = tracker.projects(false).await?;
        let entry = Entry {
            at: Instant::now(),
            value: projects.clone(),
        };
        lock(&self.projects).insert(tenant.to_owned(), entry);
        Ok(projects)
    }

    /// The site's fields, to validate and render `issue.fields.…` by name.
    pub async fn fields<T: Tracker>(
        &self,
        tracker: &T,
        tenant: &str,
    ) -> Result<Vec<Field>, TrackerError> {
        if let Some(hit) = lock(&self.fields)
            .get(tenant)
            .and_then(|e| e.fresh(self.ttl()))
        {
            return Ok(hit);
        }
        let fields = tracker.fields().await?;
        let entry = Entry {
            at: Instant::now(),
            value: fields.clone(),
        };
        lock(&self.fields).insert(tenant.to_owned(), entry);
        Ok(fields)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
