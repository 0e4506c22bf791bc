//! Canned responses as a service: list, search, preview and apply templates for an agent,
//! and manage them (create, change, delete, import, export), with every decision of
//! `postroom_core::canned` and the caller's standing read from Jira through the `Tracker`.
//!
//! The service is cheap to build per request: it borrows the tracker of the tenant and the
//! shared [`FactsCache`], and holds the tenant's [`Templates`] handle, so a tenant's request
//! can only ever reach that tenant's templates.

mod agent;
mod apply;
mod error;
mod facts;
mod indexes;
mod insights;
mod manage;
mod mine;
mod scopes;
mod starter;

use std::collections::BTreeSet;

use postroom_core::canned::{Access, CallerFacts, Template, access};
use postroom_core::ports::tracker::Tracker;
use postroom_core::template::{Schema, issue_schema};
use postroom_store::templates::Templates;

pub use agent::{Answerable, IssueBrief, MAX_ISSUES};
pub use apply::{Applied, ApplyRequest, Preview};
pub use error::ResponsesError;
pub use facts::{Administered, DEFAULT_ADMIN_GROUPS, FACTS_TTL, FactsCache};
pub use indexes::{Prepared, SearchIndexes, USE_COUNTS_TTL};
pub use insights::{Counts, Insights, ProjectTop, TemplateUse, UNUSED_AFTER_MS};
pub use mine::{KeptMine, MineCopies};
pub use scopes::{Decided, ScopeClasses};
pub use starter::{starter, starter_languages};

/// A template together with what the caller may do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible {
    /// The template.
    pub template: Template,
    /// [`Access::Use`] or [`Access::Administer`].
    pub access: Access,
}

/// The canned responses of one tenant, as one agent uses them.
#[derive(Debug)]
pub struct Responses<'a, T> {
    tracker: &'a T,
    templates: Templates,
    cache: &'a FactsCache,
    tenant: String,
    site_url: String,
    caller: String,
}

impl<'a, T: Tracker> Responses<'a, T> {
    /// The service for `caller` (a Jira account id) on `tenant`, whose Jira is `tracker` at
    /// `site_url` (for `issue.link`).
    pub fn new(
        tracker: &'a T,
        templates: Templates,
        cache: &'a FactsCache,
        tenant: &str,
        site_url: &str,
        caller: &str,
    ) -> Self {
        Self {
            tracker,
            templates,
            cache,
            tenant: tenant.to_owned(),
            site_url: site_url.to_owned(),
            caller: caller.to_owned(),
        }
    }

    /// The caller's facts, with their standing in every project the templates name.
    async fn facts_for<'t>(
        &self,
        templates: impl IntoIterator<Item = &'t Template>,
    ) -> Result<CallerFacts, ResponsesError> {
        let mut projects = BTreeSet::new();
        for t in templates {
            if let postroom_core::canned::Scope::Projects(keys) = &t.draft.scope {
                projects.extend(keys.iter().cloned());
            }
        }
        Ok(self
            .cache
            .facts(self.tracker, &self.tenant, &self.caller, &projects)
            .await?)
    }

    /// Every template the caller may see, by name.
    pub async fn list(&self) -> Result<Vec<Visible>, ResponsesError> {
        let all = self.templates.list().await?;
        let facts = self.facts_for(&all).await?;
        Ok(all
            .into_iter()
            .filter_map(|template| {
                let access = access(&template.draft.scope, &template.owner, &facts);
                access.visible().then_some(Visible { template, access })
            })
            .collect())
    }

    /// One template with the caller's access; `NotFound` when the caller may not see it
    /// (nor delete it unseen).
    async fn find(&self, id: &str) -> Result<(Template, Access, CallerFacts), ResponsesError> {
        let template = self
            .templates
            .get(id)
            .await?
            .ok_or_else(|| ResponsesError::NotFound(id.to_owned()))?;
        let facts = self.facts_for([&template]).await?;
        let access = access(&template.draft.scope, &template.owner, &facts);
        if access == Access::Invisible {
            return Err(ResponsesError::NotFound(id.to_owned()));
        }
        Ok((template, access, facts))
    }

    /// One template the caller may see.
    pub async fn get(&self, id: &str) -> Result<Visible, ResponsesError> {
        match self.find(id).await? {
            (template, access, _) if access.visible() => Ok(Visible { template, access }),
            _ => Err(ResponsesError::NotFound(id.to_owned())),
        }
    }

    /// The variables a body may use on this site, sorted: what the editor's variable picker
    /// offers.
    pub async fn variables(&self) -> Result<Vec<String>, ResponsesError> {
        Ok(self.schema().await?.paths().map(str::to_owned).collect())
    }

    /// The variables a body may use on this site (custom fields by id and name).
    async fn schema(&self) -> Result<Schema, ResponsesError> {
        let fields = self.cache.fields(self.tracker, &self.tenant).await?;
        Ok(issue_schema(&fields))
    }
}
