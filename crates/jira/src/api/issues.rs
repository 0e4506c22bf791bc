//! Reading and changing issues: get, edit, transitions, links.

use postroom_core::ports::tracker::{Issue, IssueUpdate, NewLink, TrackerError, Transition};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::client::{JiraClient, seg};
use crate::transport::Call;

/// Fields that hold rich text in a standard Jira; their values are normalized to ADF.
const RICH_TEXT_FIELDS: &[&str] = &["description", "environment"];

#[derive(Deserialize)]
pub(crate) struct IssueBody {
    pub id: String,
    pub key: String,
    #[serde(default)]
    fields: Map<String, Value>,
    #[serde(default)]
    pub properties: Map<String, Value>,
}

impl JiraClient {
    /// An issue body in the port's shape: rich-text fields as ADF whatever the dialect.
    pub(crate) fn issue_from(&self, body: IssueBody) -> Issue {
        let mut fields = body.fields;
        if !self.is_cloud() {
            for name in RICH_TEXT_FIELDS {
                if let Some(v) = fields.get_mut(*name).filter(|v| v.is_string()) {
                    *v = serde_json::to_value(Self::doc_from_wire(v)).unwrap_or(Value::Null);
                }
            }
        }
        Issue {
            id: body.id,
            key: body.key,
            fields,
        }
    }

    pub(crate) async fn get_issue_impl(
        &self,
        key: &str,
        fields: &[&str],
    ) -> Result<Issue, TrackerError> {
        let mut call = Call::new(
            Method::GET,
            self.api(&format!("/issue/{}", seg(key))),
            format!("issue {key}"),
        );
        if !fields.is_empty() {
            call = call.query("fields", fields.join(","));
        }
        let body: IssueBody = self.send(&call).await?.json("issue")?;
        Ok(self.issue_from(body))
    }

    /// The `fields` object of an edit or transition, rich text in the dialect's form.
    pub(crate) fn update_fields(&self, update: &IssueUpdate) -> Map<String, Value> {
        let mut fields = update.fields.clone();
        for (id, doc) in &update.rich_text {
            fields.insert(id.clone(), self.rich_text(doc));
        }
        fields
    }

    pub(crate) async fn edit_issue_impl(
        &self,
        key: &str,
        update: &IssueUpdate,
    ) -> Result<(), TrackerError> {
        let call = Call::new(
            Method::PUT,
            self.api(&format!("/issue/{}", seg(key))),
            format!("issue {key}"),
        )
        .json(json!({ "fields": self.update_fields(update) }));
        self.send(&call).await.map(drop)
    }

    pub(crate) async fn transitions_impl(
        &self,
        key: &str,
    ) -> Result<Vec<Transition>, TrackerError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            transitions: Vec<Value>,
        }
        let call = Call::new(
            Method::GET,
            self.api(&format!("/issue/{}/transitions", seg(key))),
            format!("transitions of {key}"),
        );
        let page: Page = self.send(&call).await?.json("transitions")?;
        Ok(page
            .transitions
            .iter()
            .map(|t| Transition {
                id: t
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                name: t
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                to_status: t
                    .pointer("/to/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            })
            .collect())
    }

    /// Transitions are not idempotent (a second one may move the issue on or fail), so a
    /// lost answer is reported, not retried.
    pub(crate) async fn transition_impl(
        &self,
        key: &str,
        id: &str,
        update: &IssueUpdate,
    ) -> Result<(), TrackerError> {
        let mut body = json!({ "transition": { "id": id } });
        let fields = self.update_fields(update);
        if !fields.is_empty() {
            body["fields"] = Value::Object(fields);
        }
        let call = Call::new(
            Method::POST,
            self.api(&format!("/issue/{}/transitions", seg(key))),
            format!("transition of {key}"),
        )
        .json(body);
        self.send(&call).await.map(drop)
    }

    pub(crate) async fn link_issues_impl(&self, link: &NewLink) -> Result<(), TrackerError> {
        let call = Call::new(
            Method::POST,
            self.api("/issueLink"),
            format!("the link {} → {}", link.inward, link.outward),
        )
        .json(json!({
            "type": { "name": link.link_type },
            "inwardIssue": { "key": link.inward },
            "outwardIssue": { "key": link.outward },
        }));
        self.send(&call).await.map(drop)
    }
}
