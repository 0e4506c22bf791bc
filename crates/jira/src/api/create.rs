//! Creating an issue at most once.
//!
//! The idempotency key goes into the create request itself, as an entity property, so the
//! issue and its key are committed together. When the answer to a create is lost, the
//! issue may or may not exist: the client then lists the account's own recent issues in
//! the project (`creator = currentUser() AND created >= -15m`), reads the property of each
//! (returned with the search, so one request per page) and returns the match. Search lags
//! behind writes, so it keeps looking for the configured index-lag allowance; finding
//! nothing then is no proof either (search may lag longer), so the call ends as
//! outcome-unknown instead of creating again, and the retried job looks again, with growing
//! pauses, until the unknown-outcome limit after the first attempt has passed; only then is
//! the issue created anew. Two issues carrying one idempotency key, should they still
//! happen, are found whenever a lookup sees both — and an issue created anew is looked
//! for again afterwards for that purpose —, logged and counted
//! (`postroom_jira_duplicate_issues_total`). This needs no JQL on entity properties, which
//! real Jira indexes only for properties an installed app declares.

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

/// Pages of recent issues read per lookup (100 each).
const MAX_LOOKUP_PAGES: u32 = 20;

/// How far back a lookup sees (`created >= -15m`), less a minute of clock skew.
const LOOKUP_WINDOW: Duration = Duration::from_secs(14 * 60);

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
        let earlier = Earlier {
            may_exist: new.may_exist,
            since_ms: new.unknown_since_ms,
        };
        let anew = match self
            .recover(earlier, &new.project, &new.idempotency_key)
            .await?
        {
            Recovery::Found(found) => return Ok(found),
            Recovery::Create { anew } => anew,
        };
        let body = self.create_body(new);
        let call = Call::new(Method::POST, self.api("/issue"), "the issue")
            .json(body)
            .idempotent(false);
        match self.send(&call).await {
            Ok(reply) => {
                let created: CreatedBody = reply.json("created issue")?;
                if anew {
                    self.watch_for_duplicate(&new.project, &new.idempotency_key);
                }
                Ok(Created {
                    issue: IssueRef {
                        id: created.id,
                        key: created.key,
                    },
                    recovered: false,
                })
            }
            Err(TrackerError::Transient {
                outcome_unknown: true,
                what,
                message,
            }) => {
                tracing::info!(call = %what, error = %message, "create outcome unknown; looking for the issue");
                match self
                    .find_created(&new.project, &new.idempotency_key)
                    .await?
                {
                    Some(issue) => Ok(Created {
                        issue,
                        recovered: true,
                    }),
                    None => Err(not_known_yet(
                        &new.project,
                        0,
                        self.unknown_outcome_max_ms(),
                    )),
                }
            }
            Err(e) => Err(e),
        }
    }

    fn unknown_outcome_max_ms(&self) -> i64 {
        i64::try_from(self.inner().unknown_outcome_max.as_millis()).unwrap_or(i64::MAX)
    }

    /// The issue an earlier attempt created with `key`, looked for only when one may
    /// exist. [`Recovery::Create`] means "create it": nothing was found, and the earlier
    /// attempt began longer ago than the unknown-outcome limit (or its time is not known).
    pub(crate) async fn recover(
        &self,
        earlier: Earlier,
        project: &str,
        key: &IdempotencyKey,
    ) -> Result<Recovery, TrackerError> {
        if !earlier.may_exist {
            return Ok(Recovery::Create { anew: false });
        }
        if let Some(issue) = self.find_created(project, key).await? {
            return Ok(Recovery::Found(Created {
                issue,
                recovered: true,
            }));
        }
        if let Some(since) = earlier.since_ms {
            let waited = now_ms().saturating_sub(since);
            let limit = self.unknown_outcome_max_ms();
            if waited < limit {
                return Err(not_known_yet(project, waited, limit));
            }
            tracing::warn!(
                tenant = %self.inner().tenant,
                waited_secs = waited / 1000,
                "an earlier create's issue was not found within the unknown-outcome limit; creating it again"
            );
            metrics::counter!("postroom_jira_recreated_after_unknown_total", "tenant" => self.inner().tenant.clone())
                .increment(1);
        }
        Ok(Recovery::Create { anew: true })
    }

    /// After an issue was created anew because an earlier create's issue could not be
    /// found, looks again in the background, with growing pauses, while the account's
    /// recent issues are still within the lookup's 15 minutes: if search was only slow,
    /// the lookup then sees both issues and reports the duplicate (the counter, the
    /// warning). Nobody else would look, since the mail is done. A restart ends the
    /// watch; the duplicate is then found only by a later lookup that sees both.
    pub(crate) fn watch_for_duplicate(&self, project: &str, key: &IdempotencyKey) {
        let client = self.clone();
        let project = project.to_owned();
        let key = key.clone();
        let until = Instant::now() + LOOKUP_WINDOW;
        let mut pause = self.inner().index_lag_allowance.max(Duration::from_secs(1));
        tokio::spawn(async move {
            while Instant::now() + pause < until {
                tokio::time::sleep(pause).await;
                if let Ok(found) = client.lookup_all(&project, &key).await
                    && found.len() > 1
                {
                    return;
                }
                pause = pause.saturating_mul(2);
            }
        });
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

    /// The oldest issue carrying `key` among the account's recent issues.
    async fn lookup_once(
        &self,
        project: &str,
        key: &IdempotencyKey,
    ) -> Result<Option<IssueRef>, TrackerError> {
        Ok(self.lookup_all(project, key).await?.pop())
    }

    /// Every issue carrying `key` on the first page that has one, newest first; more than
    /// one is a duplicate, logged and counted here.
    async fn lookup_all(
        &self,
        project: &str,
        key: &IdempotencyKey,
    ) -> Result<Vec<IssueRef>, TrackerError> {
        let jql = format!(
            "project = \"{}\" AND creator = currentUser() AND created >= -15m ORDER BY created DESC",
            project.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let fields = vec!["created".to_owned()];
        let mut token: Option<String> = None;
        let mut found: Vec<IssueRef> = Vec::new();
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
                    found.push(IssueRef {
                        id: issue.id,
                        key: issue.key,
                    });
                }
            }
            // The rest of the page is read for a second issue with the key (a duplicate);
            // no further page is fetched for it.
            if !found.is_empty() {
                break;
            }
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        if found.len() > 1 {
            let keys: Vec<&str> = found.iter().map(|i| i.key.as_str()).collect();
            tracing::warn!(
                tenant = %self.inner().tenant,
                issues = ?keys,
                "one mail made several issues (they carry the same idempotency key); the oldest is kept as the mail's"
            );
            metrics::counter!("postroom_jira_duplicate_issues_total", "tenant" => self.inner().tenant.clone())
                .increment(1);
            self.inner()
                .duplicates
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        // Newest first: the oldest is the one the mail's first create made.
        Ok(found)
    }
}

/// What [`JiraClient::recover`] found.
pub(crate) enum Recovery {
    /// The earlier attempt's issue.
    Found(Created),
    /// Nothing to recover: create the issue; `anew` when an earlier attempt may have made
    /// it and the unknown-outcome limit has passed.
    Create { anew: bool },
}

/// How [`JiraClient::recover`] looks for an earlier attempt's issue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Earlier {
    /// An earlier attempt may have created it.
    pub may_exist: bool,
    /// When that attempt began (ms since the epoch), if known.
    pub since_ms: Option<i64>,
}

/// The create's outcome is still unknown: search shows no issue yet, and the earlier
/// attempt began `waited_ms` ago, less than the unknown-outcome limit.
fn not_known_yet(project: &str, waited_ms: i64, limit_ms: i64) -> TrackerError {
    TrackerError::Transient {
        what: format!("creating an issue in {project}"),
        message: format!(
            "the outcome of an earlier create is not known yet: search shows no issue after \
             {} s; it is looked for again, and created anew only after {} s",
            waited_ms / 1000,
            limit_ms / 1000
        ),
        outcome_unknown: true,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
