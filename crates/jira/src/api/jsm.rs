//! Jira Service Management: customers and request participants.

use postroom_core::ports::tracker::{TrackerError, User};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

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

    /// Every request participant, page by page (Jira pages them 50 at a time).
    pub(crate) async fn request_participants_impl(
        &self,
        key: &str,
    ) -> Result<Vec<User>, TrackerError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default)]
            values: Vec<UserBody>,
            #[serde(default = "last")]
            is_last_page: bool,
        }
        fn last() -> bool {
            true
        }
        let mut out = Vec::new();
        loop {
            let call = Call::new(
                Method::GET,
                format!("/rest/servicedeskapi/request/{}/participant", seg(key)),
                format!("participants of {key}"),
            )
            .query("start", out.len().to_string());
            let page: Page = self.send(&call).await?.json("request participants")?;
            let empty = page.values.is_empty();
            out.extend(page.values.into_iter().map(UserBody::into_user));
            if page.is_last_page || empty {
                return Ok(out);
            }
        }
    }
}
