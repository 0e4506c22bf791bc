//! Creating, changing, deleting, importing and exporting templates, each checked against
//! the caller's access and validated before anything is written.

use postroom_core::canned::{
    Access, Action, CallerFacts, Draft, Export, ImportError, Problem, Scope, Template, may_create,
    parse_import,
};
use postroom_core::ports::tracker::Tracker;

use super::{Responses, ResponsesError};

impl<T: Tracker> Responses<'_, T> {
    /// Saves a new template owned by the caller.
    pub async fn create(&self, mut draft: Draft, now_ms: i64) -> Result<Template, ResponsesError> {
        draft.normalize();
        let problems = draft.problems(&self.schema().await?);
        if !problems.is_empty() {
            return Err(ResponsesError::Invalid(problems));
        }
        self.check_scope(&draft.scope).await?;
        Ok(self.templates.create(&draft, &self.caller, now_ms).await?)
    }

    /// Replaces a template's author-written part; the owner and usage stay.
    pub async fn update(
        &self,
        id: &str,
        mut draft: Draft,
        now_ms: i64,
    ) -> Result<Template, ResponsesError> {
        let (template, access, _) = self.find(id).await?;
        self.require(access, Action::Edit, id)?;
        draft.normalize();
        let problems = draft.problems(&self.schema().await?);
        if !problems.is_empty() {
            return Err(ResponsesError::Invalid(problems));
        }
        if draft.scope != template.draft.scope {
            self.check_scope(&draft.scope).await?;
        }
        self.templates
            .update(id, &draft, now_ms)
            .await?
            .ok_or_else(|| ResponsesError::NotFound(id.to_owned()))
    }

    /// Deletes a template.
    pub async fn delete(&self, id: &str) -> Result<(), ResponsesError> {
        let (_, access, _) = self.find(id).await?;
        self.require(access, Action::Delete, id)?;
        if self.templates.delete(id).await? {
            Ok(())
        } else {
            Err(ResponsesError::NotFound(id.to_owned()))
        }
    }

    /// The templates the caller may see, in the exchange format. Personal templates are
    /// never exported, not even the caller's own: an export is made to be shared.
    pub async fn export(&self) -> Result<Export, ResponsesError> {
        let drafts = self
            .list()
            .await?
            .into_iter()
            .filter(|v| v.template.draft.scope != Scope::Personal)
            .map(|v| v.template.draft)
            .collect();
        Ok(Export::new(drafts))
    }

    /// Imports an export file as new templates owned by the caller: every template is
    /// checked first (format, fields, body, and that the caller may use its scope), and
    /// either all are saved or none.
    pub async fn import(&self, bytes: &[u8], now_ms: i64) -> Result<Vec<Template>, ResponsesError> {
        let schema = self.schema().await?;
        let drafts = match parse_import(bytes, &schema) {
            Ok(drafts) => drafts,
            Err(ImportError::Problems(problems)) => return Err(ResponsesError::Invalid(problems)),
            Err(e @ ImportError::Json { .. }) => {
                return Err(ResponsesError::Invalid(vec![Problem {
                    field: String::new(),
                    message: e.to_string(),
                }]));
            }
        };
        let mut problems = Vec::new();
        for (i, draft) in drafts.iter().enumerate() {
            if let Err(why) = may_create(&draft.scope, &self.facts_for_scope(&draft.scope).await?) {
                problems.push(Problem {
                    field: format!("templates[{i}].scope"),
                    message: why,
                });
            }
        }
        if !problems.is_empty() {
            return Err(ResponsesError::Invalid(problems));
        }
        Ok(self
            .templates
            .create_many(&drafts, &self.caller, now_ms)
            .await?)
    }

    fn require(&self, access: Access, action: Action, id: &str) -> Result<(), ResponsesError> {
        if access.allows(action) {
            Ok(())
        } else if access.visible() {
            Err(ResponsesError::Forbidden(format!(
                "you may use template {id} but not change it"
            )))
        } else {
            Err(ResponsesError::NotFound(id.to_owned()))
        }
    }

    async fn check_scope(&self, scope: &Scope) -> Result<(), ResponsesError> {
        may_create(scope, &self.facts_for_scope(scope).await?).map_err(ResponsesError::Forbidden)
    }

    /// The caller's facts with their standing in the projects `scope` names.
    async fn facts_for_scope(&self, scope: &Scope) -> Result<CallerFacts, ResponsesError> {
        let projects = scope.values().iter().cloned();
        let wanted = match scope {
            Scope::Projects(_) => projects.collect(),
            _ => Default::default(),
        };
        Ok(self
            .cache
            .facts(self.tracker, &self.tenant, &self.caller, &wanted)
            .await?)
    }
}
