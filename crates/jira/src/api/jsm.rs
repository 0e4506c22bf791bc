//! Jira Service Management: customers, service desks, requests and request participants.

use postroom_core::ports::tracker::{
    Created, IDEMPOTENCY_PROPERTY, IssueRef, NewRequest, ServiceDesk, TrackerError, User,
};
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::create::Recovery;
use super::users::UserBody;
use crate::client::{JiraClient, seg};
use crate::transport::Call;

impl JiraClient {
    /// Creating a customer is not idempotent, but a repeat fails with "exists" rather than
    /// making a second account, so a lost answer is safe to retry by the caller.
    pub(crate) async fn create_customer_impl(
        &self,
        email: &str,
        display_name: &str,
    ) -> Result<User, TrackerError> {
        let call = Call::new(
            Method::POST,
            "/rest/servicedeskapi/customer".to_owned(),
            "the customer",
        )
        .json(json!({ "email": email, "displayName": display_name }));
        Ok(self
            .send(&call)
            .await?
            .json::<UserBody>("customer")?
            .into_user())
    }

    /// Adding participants twice leaves the same participants: idempotent.
    pub(crate) async fn add_request_participants_impl(
        &self,
        key: &str,
        ids: &[String],
    ) -> Result<(), TrackerError> {
        let body = if self.is_cloud() {
            json!({ "accountIds": ids })
        } else {
            json!({ "usernames": ids })
        };
        let call = Call::new(
            Method::POST,
            format!("/rest/servicedeskapi/request/{}/participant", seg(key)),
            format!("participants of {key}"),
        )
        .json(body)
        .idempotent(true);
        self.send(&call).await.map(drop)
    }

    /// Every request participant, page by page.
    pub(crate) async fn request_participants_impl(
        &self,
        key: &str,
    ) -> Result<Vec<User>, TrackerError> {
        let path = format!("/rest/servicedeskapi/request/{}/participant", seg(key));
        let users: Vec<UserBody> = self
            .all_pages(
                &path,
                &format!("participants of {key}"),
                "request participants",
            )
            .await?;
        Ok(users.into_iter().map(UserBody::into_user).collect())
    }

    /// Every service desk, page by page.
    pub(crate) async fn service_desks_impl(&self) -> Result<Vec<ServiceDesk>, TrackerError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Desk {
            id: String,
            project_key: String,
        }
        let desks: Vec<Desk> = self
            .all_pages(
                "/rest/servicedeskapi/servicedesk",
                "service desks",
                "service desks",
            )
            .await?;
        Ok(desks
            .into_iter()
            .map(|d| ServiceDesk {
                id: d.id,
                project_key: d.project_key,
            })
            .collect())
    }

    /// Raises a request. It cannot carry the idempotency property, so the property is set
    /// right after; an answer lost in between leaves a request that a retry does not find
    /// (the one case in which a retry may raise a second request).
    pub(crate) async fn create_request_impl(
        &self,
        new: &NewRequest,
    ) -> Result<Created, TrackerError> {
        let anew = match self
            .recover(
                super::create::Earlier {
                    may_exist: new.may_exist,
                    since_ms: new.unknown_since_ms,
                },
                &new.project,
                &new.idempotency_key,
            )
            .await?
        {
            Recovery::Found(found) => return Ok(found),
            Recovery::Create { anew } => anew,
        };
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raised {
            issue_id: String,
            issue_key: String,
        }
        let mut values = new.fields.clone();
        values.insert("summary".to_owned(), json!(new.summary));
        let mut body = json!({
            "serviceDeskId": new.service_desk_id,
            "requestTypeId": new.request_type_id,
            "requestFieldValues": values,
        });
        if let Some(customer) = &new.on_behalf_of {
            body["raiseOnBehalfOf"] = json!(customer);
        }
        if !new.participants.is_empty() {
            body["requestParticipants"] = json!(new.participants);
        }
        let call = Call::new(
            Method::POST,
            "/rest/servicedeskapi/request".to_owned(),
            format!("a request in {}", new.project),
        )
        .json(body)
        .idempotent(false);
        let raised: Raised = self.send(&call).await?.json("created request")?;
        self.set_issue_property_impl(
            &raised.issue_key,
            IDEMPOTENCY_PROPERTY,
            &json!({ "key": new.idempotency_key.as_str() }),
        )
        .await?;
        if anew {
            self.watch_for_duplicate(&new.project, &new.idempotency_key);
        }
        Ok(Created {
            issue: IssueRef {
                id: raised.issue_id,
                key: raised.issue_key,
            },
            recovered: false,
        })
    }

    /// Every value of a paged servicedeskapi list (Jira pages them 50 at a time).
    async fn all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        subject: &str,
        what: &str,
    ) -> Result<Vec<T>, TrackerError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page<T> {
            #[serde(default = "Vec::new")]
            values: Vec<T>,
            #[serde(default = "last")]
            is_last_page: bool,
        }
        fn last() -> bool {
            true
        }
        let mut out = Vec::new();
        loop {
            let call = Call::new(Method::GET, path.to_owned(), subject.to_owned())
                .query("start", out.len().to_string());
            let page: Page<T> = self.send(&call).await?.json(what)?;
            let empty = page.values.is_empty();
            out.extend(page.values);
            if page.is_last_page || empty {
                return Ok(out);
            }
        }
    }
}
