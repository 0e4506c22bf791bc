//! What the agent's picker needs besides templates: finding the issue to answer (by key or
//! JQL, only issues the agent may browse), what can be done on it (transitions, whether a
//! reply can be public), and the agent's favourites.

use std::collections::HashSet;

use postroom_core::ports::tracker::{Issue, SearchRequest, Tracker};

use super::apply::project_of;
use super::{Responses, ResponsesError};

/// Most issues one lookup returns.
pub const MAX_ISSUES: u32 = 20;

/// An issue as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueBrief {
    /// Key, e.g. `SUP-12`.
    pub key: String,
    /// Summary.
    pub summary: String,
    /// Project key.
    pub project: String,
    /// Status name.
    pub status: String,
}

/// An issue ready to be answered: its brief, the transitions available now, and whether
/// its project is a service desk (then a reply is public or an internal note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answerable {
    /// The issue.
    pub brief: IssueBrief,
    /// Transitions available now: (id, name).
    pub transitions: Vec<(String, String)>,
    /// Jira Service Management project: replies are public or internal.
    pub service_desk: bool,
}

const FIELDS: [&str; 3] = ["summary", "status", "project"];

impl<T: Tracker> Responses<'_, T> {
    /// Issues matching `query`: the issue itself when `query` is an issue key, else the
    /// results of `query` as JQL; only those the caller may browse, at most
    /// [`MAX_ISSUES`].
    pub async fn find_issues(&self, query: &str) -> Result<Vec<IssueBrief>, ResponsesError> {
        let query = query.trim();
        if looks_like_key(query) {
            let key = query.to_ascii_uppercase();
            return match self.answerable(&key).await {
                Ok(found) => Ok(vec![found.brief]),
                Err(ResponsesError::IssueNotFound(_)) => Ok(Vec::new()),
                Err(e) => Err(e),
            };
        }
        let page = self
            .tracker
            .search(&SearchRequest {
                jql: query.to_owned(),
                fields: FIELDS.map(str::to_owned).to_vec(),
                page_token: None,
                max_results: MAX_ISSUES,
            })
            .await?;
        let mut out = Vec::new();
        for issue in &page.issues {
            if self.tracker.may_browse(&issue.key, &self.caller).await? {
                out.push(brief(issue));
            }
        }
        Ok(out)
    }

    /// Issue `key` with what the picker needs to answer it; `IssueNotFound` when it does
    /// not exist or the caller may not browse it.
    pub async fn answerable(&self, key: &str) -> Result<Answerable, ResponsesError> {
        self.require_browse(key).await?;
        let issue = self.issue(key, &FIELDS).await?;
        let transitions = self
            .tracker
            .transitions(key)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let project = project_of(&issue);
        let service_desk = self
            .tracker
            .service_desks()
            .await?
            .iter()
            .any(|desk| desk.project_key == project);
        Ok(Answerable {
            brief: brief(&issue),
            transitions,
            service_desk,
        })
    }

    /// Marks or unmarks template `id` as one of the caller's favourites; the caller must
    /// be able to use it.
    pub async fn set_favourite(
        &self,
        id: &str,
        favourite: bool,
        now_ms: i64,
    ) -> Result<(), ResponsesError> {
        self.get(id).await?;
        Ok(self
            .templates
            .set_favourite(&self.caller, id, favourite, now_ms)
            .await?)
    }

    /// The ids of the caller's favourite templates.
    pub async fn favourites(&self) -> Result<HashSet<String>, ResponsesError> {
        Ok(self.templates.favourites(&self.caller).await?)
    }
}

/// `PROJ-123`: letters, digits or `_` starting with a letter, a dash, a number.
fn looks_like_key(text: &str) -> bool {
    let Some((project, number)) = text.rsplit_once('-') else {
        return false;
    };
    project
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

fn brief(issue: &Issue) -> IssueBrief {
    let text = |field: &str, inner: &str| {
        issue
            .fields
            .get(field)
            .and_then(|v| {
                if inner.is_empty() {
                    Some(v)
                } else {
                    v.get(inner)
                }
            })
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    IssueBrief {
        key: issue.key.clone(),
        summary: text("summary", ""),
        project: project_of(issue),
        status: text("status", "name"),
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_key;

    #[test]
    fn keys_are_told_from_jql() {
        assert!(looks_like_key("SUP-12"));
        assert!(looks_like_key("sup-12"));
        assert!(looks_like_key("A_B2-1"));
        assert!(!looks_like_key("project = SUP"));
        assert!(!looks_like_key("SUP-"));
        assert!(!looks_like_key("-12"));
        assert!(!looks_like_key("2SUP-1"));
    }
}
