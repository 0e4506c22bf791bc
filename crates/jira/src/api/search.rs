//! JQL search: v3 `search/jql` (page tokens) and v2 `search` (offsets), behind one token.

use postroom_core::ports::tracker::{SearchPage, SearchRequest, TrackerError};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::issues::IssueBody;
use crate::client::JiraClient;
use crate::transport::Call;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageBody {
    #[serde(default)]
    issues: Vec<IssueBody>,
    next_page_token: Option<String>,
    #[serde(default)]
    is_last: Option<bool>,
    start_at: Option<u64>,
    total: Option<u64>,
}

/// One page of raw results and the token of the next.
pub(crate) struct RawPage {
    pub issues: Vec<IssueBody>,
    pub next: Option<String>,
}

impl JiraClient {
    /// Searches one page; `properties` are entity properties to return with each issue.
    pub(crate) async fn search_raw(
        &self,
        jql: &str,
        fields: &[String],
        properties: &[&str],
        token: Option<&str>,
        max_results: u32,
    ) -> Result<RawPage, TrackerError> {
        let mut body = json!({ "jql": jql, "fields": fields, "maxResults": max_results });
        if !properties.is_empty() {
            body["properties"] = json!(properties);
        }
        if self.is_cloud() {
            if let Some(t) = token {
                body["nextPageToken"] = json!(t);
            }
            let call = Call::new(Method::POST, self.api("/search/jql"), "the search")
                .json(body)
                .idempotent(true);
            let page: PageBody = self.send(&call).await?.json("search results")?;
            let next = page.next_page_token.filter(|_| page.is_last != Some(true));
            return Ok(RawPage {
                issues: page.issues,
                next,
            });
        }
        let start: u64 = token.and_then(|t| t.parse().ok()).unwrap_or(0);
        body["startAt"] = json!(start);
        let call = Call::new(Method::POST, self.api("/search"), "the search")
            .json(body)
            .idempotent(true);
        let page: PageBody = self.send(&call).await?.json("search results")?;
        let seen = page.start_at.unwrap_or(start) + page.issues.len() as u64;
        let next = (!page.issues.is_empty() && page.total.is_some_and(|t| seen < t))
            .then(|| seen.to_string());
        Ok(RawPage {
            issues: page.issues,
            next,
        })
    }

    pub(crate) async fn search_impl(
        &self,
        request: &SearchRequest,
    ) -> Result<SearchPage, TrackerError> {
        let page = self
            .search_raw(
                &request.jql,
                &request.fields,
                &[],
                request.page_token.as_deref(),
                request.max_results,
            )
            .await?;
        Ok(SearchPage {
            issues: page
                .issues
                .into_iter()
                .map(|b| self.issue_from(b))
                .collect(),
            next_page_token: page.next,
        })
    }
}
