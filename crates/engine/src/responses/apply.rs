//! Using a template on an issue: search the ones that fit, preview the text, and apply it
//! as a comment, public or internal, with an optional transition in the same step.

use std::collections::BTreeMap;

use postroom_core::canned::body_problems;
use postroom_core::markup;
use postroom_core::ports::tracker::{IssueUpdate, NewComment, Tracker, TrackerError};
use postroom_core::template::{CalendarDate, Compiled, Format, IssueContext};

use super::{Responses, ResponsesError, Visible};

/// A rendered template, before it is posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The comment text in the Markdown subset (what the agent reviews).
    pub text: String,
    /// Variables that had no value on this issue (sorted dotted paths).
    pub missing: Vec<String>,
}

/// How to apply a template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplyRequest {
    /// Issue key, e.g. `SUP-12`.
    pub issue: String,
    /// Jira Service Management: `false` posts an internal note; `true` a reply the customer
    /// sees. `None` leaves Jira's default (and is right for projects without JSM).
    pub public: Option<bool>,
    /// A transition to perform after the comment, by id or name (e.g. "Wait for customer").
    pub transition: Option<String>,
    /// Text for variables the issue has no value for, by dotted path (the agent's answers
    /// to the picker's prompt); a value the issue has is never replaced.
    pub values: BTreeMap<String, String>,
}

/// What applying did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Id of the new comment.
    pub comment_id: String,
    /// The posted text and the variables that had no value.
    pub preview: Preview,
    /// Id of the transition performed, if one was asked for.
    pub transition_id: Option<String>,
}

impl<T: Tracker> Responses<'_, T> {
    /// The best `limit` templates for `query`, optionally only those that fit `issue`
    /// (project templates of other projects are left out).
    pub async fn search(
        &self,
        query: &str,
        issue: Option<&str>,
        limit: usize,
        now_ms: i64,
    ) -> Result<Vec<Visible>, ResponsesError> {
        let project = match issue {
            Some(key) => Some(project_of(&self.issue(key, &["project"]).await?)),
            None => None,
        };
        self.search_in(query, project.as_deref(), limit, now_ms)
            .await
    }

    /// The best `limit` templates for `query` that the caller may use, optionally only
    /// those that fit `project` (project templates of other projects are left out), the
    /// caller's favourites and recent ones first. Runs over the tenant's kept index and
    /// the caller's kept recent uses and favourites (see [`super::SearchIndexes`]), both
    /// checked against the database's revisions in one read; the caller's access is
    /// decided with this request's facts, once per distinct scope.
    pub async fn search_in(
        &self,
        query: &str,
        project: Option<&str>,
        limit: usize,
        now_ms: i64,
    ) -> Result<Vec<Visible>, ResponsesError> {
        let arrived = std::time::Instant::now();
        let revisions = self.templates.revisions(&self.caller).await?;
        let indexes = self.cache.indexes();
        let prepared = indexes
            .at(&self.tenant, &self.templates, revisions.templates, arrived)
            .await?;
        let facts = self
            .cache
            .facts(self.tracker, &self.tenant, &self.caller, &prepared.projects)
            .await?;
        let mine = indexes
            .mine()
            .current(
                &self.tenant,
                &self.caller,
                &self.templates,
                revisions,
                now_ms,
            )
            .await?;
        let decided = prepared.classes.decide(&facts, project);
        let hits = prepared
            .index
            .search_where(query, &mine.mine(), now_ms, limit, |i| decided.offers(i));
        Ok(hits
            .into_iter()
            .filter_map(|h| {
                let template = prepared.templates.get(h.position)?.clone();
                let access = decided.access(h.position);
                Some(Visible { template, access })
            })
            .collect())
    }

    /// Renders template `id` for `issue` as the caller, without posting anything.
    pub async fn render(
        &self,
        id: &str,
        issue: &str,
        today: CalendarDate,
    ) -> Result<Preview, ResponsesError> {
        self.render_with(id, issue, &BTreeMap::new(), today).await
    }

    /// Renders template `id` for `issue` with the agent's `values` for variables the issue
    /// has no value for. The caller must be allowed to browse the issue: postroom reads it
    /// with its own credentials, which must not show an agent what Jira would not.
    pub async fn render_with(
        &self,
        id: &str,
        issue: &str,
        values: &BTreeMap<String, String>,
        today: CalendarDate,
    ) -> Result<Preview, ResponsesError> {
        let template = self.get(id).await?.template;
        self.render_body(&template.draft.body, issue, values, today)
            .await
    }

    /// Renders a body that is not saved for `issue`: the editor's live preview. The body is
    /// checked first as a save would check it, so a body the editor could not save is
    /// refused here with the same problems (line and reason), not half rendered. Nothing is
    /// counted or kept.
    pub async fn preview_body(
        &self,
        body: &str,
        issue: &str,
        today: CalendarDate,
    ) -> Result<Preview, ResponsesError> {
        let problems = body_problems(body, &self.schema().await?);
        if !problems.is_empty() {
            return Err(ResponsesError::Invalid(problems));
        }
        self.render_body(body, issue, &BTreeMap::new(), today).await
    }

    /// Renders `body` for `issue` as the caller, who must be allowed to browse it.
    async fn render_body(
        &self,
        body: &str,
        issue: &str,
        values: &BTreeMap<String, String>,
        today: CalendarDate,
    ) -> Result<Preview, ResponsesError> {
        self.require_browse(issue).await?;
        let issue = self.issue(issue, &[]).await?;
        let fields = self.cache.fields(self.tracker, &self.tenant).await?;
        let agent = self.tracker.get_user(&self.caller).await?;
        let mut context = IssueContext {
            issue: &issue,
            fields: &fields,
            agent: &agent,
            today,
            site_url: &self.site_url,
        }
        .build();
        for (path, value) in values {
            context.fill(path, value);
        }
        let rendered = Compiled::new(body, Format::Markup)?.render(&context)?;
        Ok(Preview {
            text: rendered.text,
            missing: rendered.missing,
        })
    }

    /// Renders and posts template `id` as a comment, then performs the transition if one
    /// is asked for, then counts the use. The transition is checked before anything is
    /// posted, so an unavailable one leaves the issue untouched.
    pub async fn apply(
        &self,
        id: &str,
        request: &ApplyRequest,
        today: CalendarDate,
        now_ms: i64,
    ) -> Result<Applied, ResponsesError> {
        let preview = self
            .render_with(id, &request.issue, &request.values, today)
            .await?;
        let transition_id = match &request.transition {
            Some(wanted) => Some(self.transition_id(&request.issue, wanted).await?),
            None => None,
        };
        let comment = NewComment {
            body: markup::to_adf(&preview.text),
            visibility: None,
            public: request.public,
            properties: Vec::new(),
        };
        let posted = self.tracker.add_comment(&request.issue, &comment).await?;
        if let Some(transition) = &transition_id {
            self.tracker
                .transition(&request.issue, transition, &IssueUpdate::default())
                .await
                .map_err(|source| ResponsesError::PartlyApplied {
                    issue: request.issue.clone(),
                    comment_id: posted.id.clone(),
                    source,
                })?;
        }
        self.templates.record_use(id, &self.caller, now_ms).await?;
        Ok(Applied {
            comment_id: posted.id,
            preview,
            transition_id,
        })
    }

    /// The id of the transition named (or numbered) `wanted`, available on the issue now.
    async fn transition_id(&self, issue: &str, wanted: &str) -> Result<String, ResponsesError> {
        let available = self
            .tracker
            .transitions(issue)
            .await
            .map_err(|e| not_found(issue, e))?;
        available
            .iter()
            .find(|t| t.id == wanted)
            .or_else(|| {
                available
                    .iter()
                    .find(|t| t.name.eq_ignore_ascii_case(wanted.trim()))
            })
            .map(|t| t.id.clone())
            .ok_or_else(|| ResponsesError::TransitionUnavailable {
                issue: issue.to_owned(),
                wanted: wanted.to_owned(),
                available: available
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// `IssueNotFound` unless the caller may browse `key` (as Jira would answer the
    /// caller: an issue they may not see does not exist for them).
    pub(super) async fn require_browse(&self, key: &str) -> Result<(), ResponsesError> {
        match self.tracker.may_browse(key, &self.caller).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ResponsesError::IssueNotFound(key.to_owned())),
            Err(e) => Err(not_found(key, e)),
        }
    }

    pub(super) async fn issue(
        &self,
        key: &str,
        fields: &[&str],
    ) -> Result<postroom_core::ports::tracker::Issue, ResponsesError> {
        self.tracker
            .get_issue(key, fields)
            .await
            .map_err(|e| not_found(key, e))
    }
}

/// The key of the project an issue (read with field `project`) is in; empty when Jira
/// did not say.
pub(super) fn project_of(issue: &postroom_core::ports::tracker::Issue) -> String {
    issue
        .fields
        .get("project")
        .and_then(|p| p.get("key"))
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// A tracker's not-found as the issue's not-found; other errors as they are.
fn not_found(key: &str, e: TrackerError) -> ResponsesError {
    match e {
        TrackerError::NotFound { .. } => ResponsesError::IssueNotFound(key.to_owned()),
        e => ResponsesError::Tracker(e),
    }
}
