//! Creating an issue at most once.
//!
//! The idempotency key goes into the create request itself, as an entity property, so the
//! issue and its key are committed together. When the answer to a create is lost, the
//! issue may or may not exist: the client then lists the account's own recent issues in
//! the project (`creator = currentUser() AND created >= -15m`), reads the property of each
//! (returned with the search, so one request per page) and returns the match. Search lags
//! behind writes, so it keeps looking for the configured index-lag allowance before it
//! concludes that the create did not happen and creates again. This needs no JQL on entity
//! properties, which real Jira indexes only for properties an installed app declares.

use std::time::Duration;

use postroom_core::ports::tracker::{
    Created, IDEMPOTENCY_PROPERTY, IdempotencyKey, IssueRef, IssueTypeRef, NewIssue, TrackerError,
};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::client::JiraClient;
use crate::transport::Call;

/// Creates attempted per call when answers keep getting lost.
const MAX_CREATE_ROUNDS: u32 = 5;
/// Pages of recent issues read per lookup (100 each).
const MAX_LOOKUP_PAGES: u32 = 20;

#[derive(Deserialize)]
struct CreatedBody {
    id: String,
    key: String,
}

impl JiraClient {
    fn create_body(&self, new: &NewIssue) -> Value {
        let mut fields = new.fields.clone();
        fields.insert("project".into(), json!({ "key": new.project }));
        fields.insert(
            "issuetype".into(),
            match &new.issue_type {
                IssueTypeRef::Id(id) => json!({ "id": id }),
                IssueTypeRef::Name(name) => json!({ "name": name }),
            },
        );
        fields.insert("summary".into(), json!(new.summary));
        if let Some(doc) = &new.description {
            fields.insert("description".into(), self.rich_text(doc));
        }
        if let Some(reporter) = &new.reporter {
            fields.insert("reporter".into(), self.user_ref(reporter));
        }
        let mut properties = vec![
            json!({ "key": IDEMPOTENCY_PROPERTY, "value": { "key": new.idempotency_key.as_str() } }),
        ];
        properties.extend(
            new.properties
                .iter()
                .map(|(k, v)| json!({ "key": k, "value": v })),
        );
        json!({ "fields": fields, "properties": properties })
    }

    pub(crate) async fn create_issue_impl(&self, new: &NewIssue) -> Result<Created, TrackerError> {
        if let Some(found) = self
            .recover(new.may_exist, &new.project, &new.idempotency_key)
            .await?
        {
            return Ok(found);
        }
        let body = self.create_body(new);
        let call = Call::new(Method::POST, self.api("/issue"), "the issue")
            .json(body)
            .idempotent(false);
        for _ in 0..MAX_CREATE_ROUNDS {
            match self.send(&call).await {
                Ok(reply) => {
                    let created: CreatedBody = reply.json("created issue")?;
                    return Ok(Created {
                        issue: IssueRef {
                            id: created.id,
                            key: created.key,
                        },
                        recovered: false,
                    });
                }
                Err(TrackerError::Transient {
                    outcome_unknown: true,
                    what,
                    message,
                }) => {
                    tracing::info!(call = %what, error = %message, "create outcome unknown; looking for the issue");
                    if let Some(issue) = self
                        .find_created(&new.project, &new.idempotency_key)
                        .await?
                    {
                        return Ok(Created {
                            issue,
                            recovered: true,
                        });
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(TrackerError::Transient {
            what: format!("creating an issue in {}", new.project),
            message: format!("the answer was lost {MAX_CREATE_ROUNDS} times"),
            outcome_unknown: true,
        })
    }

    /// The issue an earlier attempt created with `key`, looked for only when one `may_exist`.
    pub(crate) async fn recover(
        &self,
        may_exist: bool,
        project: &str,
        key: &IdempotencyKey,
    ) -> Result<Option<Created>, TrackerError> {
        if !may_exist {
            return Ok(None);
        }
        Ok(self.find_created(project, key).await?.map(|issue| Created {
            issue,
            recovered: true,
        }))
    }

    /// Looks for the issue an earlier attempt created, for up to the index-lag allowance.
    /// A failed lookup is reported as outcome-unknown, so that the caller retries with
    /// `may_exist` rather than creating blindly.
    async fn find_created(
        &self,
        project: &str,
        key: &IdempotencyKey,
    ) -> Result<Option<IssueRef>, TrackerError> {
        let deadline = Instant::now() + self.inner().index_lag_allowance;
        let mut pause = Duration::from_millis(250);
        loop {
            match self.lookup_once(project, key).await {
                Ok(Some(found)) => return Ok(Some(found)),
                Ok(None) => {}
                Err(e) => {
                    return Err(TrackerError::Transient {
                        what: format!("looking for an issue whose create was lost, in {project}"),
                        message: e.to_string(),
                        outcome_unknown: true,
                    });
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    async fn lookup_once(
        &self,
        project: &str,
        key: &IdempotencyKey,
    ) -> Result<Option<IssueRef>, TrackerError> {
        let jql = format!(
            "project = \"{}\" AND creator = currentUser() AND created >= -15m ORDER BY created DESC",
            project.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let fields = vec!["created".to_owned()];
        let mut token: Option<String> = None;
        for _ in 0..MAX_LOOKUP_PAGES {
            let page = self
                .search_raw(
                    &jql,
                    &fields,
                    &[IDEMPOTENCY_PROPERTY],
                    token.as_deref(),
                    100,
                )
                .await?;
            for issue in page.issues {
                let value = match issue.properties.get(IDEMPOTENCY_PROPERTY) {
                    Some(v) => Some(v.clone()),
                    // A Jira that does not return properties with search: read it.
                    None if issue.properties.is_empty() => {
                        self.issue_property_impl(&issue.key, IDEMPOTENCY_PROPERTY)
                            .await?
                    }
                    None => None,
                };
                if value
                    .as_ref()
                    .and_then(|v| v.get("key"))
                    .and_then(Value::as_str)
                    == Some(key.as_str())
                {
                    return Ok(Some(IssueRef {
                        id: issue.id,
                        key: issue.key,
                    }));
                }
            }
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(None)
    }
}
