//! Entity properties on issues and comments.

use postroom_core::ports::tracker::TrackerError;
use reqwest::Method;
use serde_json::Value;

use crate::client::{JiraClient, seg};
use crate::transport::Call;

impl JiraClient {
    async fn get_property(
        &self,
        path: String,
        subject: String,
    ) -> Result<Option<Value>, TrackerError> {
        let call = Call::new(Method::GET, path, subject);
        match self.send(&call).await {
            Ok(reply) => Ok(reply
                .json::<Value>("an entity property")?
                .get("value")
                .cloned()),
            Err(TrackerError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn put_property(
        &self,
        path: String,
        subject: String,
        value: &Value,
    ) -> Result<(), TrackerError> {
        let call = Call::new(Method::PUT, path, subject).json(value.clone());
        self.send(&call).await.map(drop)
    }

    pub(crate) async fn issue_property_impl(
        &self,
        key: &str,
        prop: &str,
    ) -> Result<Option<Value>, TrackerError> {
        let path = self.api(&format!("/issue/{}/properties/{}", seg(key), seg(prop)));
        self.get_property(path, format!("property {prop} of {key}"))
            .await
    }

    pub(crate) async fn set_issue_property_impl(
        &self,
        key: &str,
        prop: &str,
        value: &Value,
    ) -> Result<(), TrackerError> {
        let path = self.api(&format!("/issue/{}/properties/{}", seg(key), seg(prop)));
        self.put_property(path, format!("property {prop} of {key}"), value)
            .await
    }

    pub(crate) async fn comment_property_impl(
        &self,
        id: &str,
        prop: &str,
    ) -> Result<Option<Value>, TrackerError> {
        let path = self.api(&format!("/comment/{}/properties/{}", seg(id), seg(prop)));
        self.get_property(path, format!("property {prop} of comment {id}"))
            .await
    }

    pub(crate) async fn set_comment_property_impl(
        &self,
        id: &str,
        prop: &str,
        value: &Value,
    ) -> Result<(), TrackerError> {
        let path = self.api(&format!("/comment/{}/properties/{}", seg(id), seg(prop)));
        self.put_property(path, format!("property {prop} of comment {id}"), value)
            .await
    }
}
