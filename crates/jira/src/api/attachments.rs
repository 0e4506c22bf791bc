//! Attachments: upload (multipart) and download.

use postroom_core::ports::tracker::{Attachment, TrackerError};
use reqwest::Method;
use serde::Deserialize;

use crate::client::{JiraClient, seg};
use crate::transport::{Call, CallBody};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttachmentBody {
    id: serde_json::Value,
    filename: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    mime_type: String,
    #[serde(default)]
    content: Option<String>,
}

impl JiraClient {
    /// Uploads are not idempotent: a lost answer is reported as outcome-unknown.
    pub(crate) async fn upload_attachment_impl(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Attachment, TrackerError> {
        let mut call = Call::new(
            Method::POST,
            self.api(&format!("/issue/{}/attachments", seg(key))),
            format!("the attachment on {key}"),
        );
        call.body = CallBody::File {
            name: file_name.to_owned(),
            content_type: content_type.to_owned(),
            bytes,
        };
        let list: Vec<AttachmentBody> = self.send(&call).await?.json("attachment")?;
        let first = list
            .into_iter()
            .next()
            .ok_or_else(|| TrackerError::Permanent {
                what: format!("uploading an attachment to {key}"),
                status: 200,
                message: "Jira answered with no attachment".into(),
            })?;
        Ok(Attachment {
            id: first
                .id
                .as_str()
                .map_or_else(|| first.id.to_string(), str::to_owned),
            file_name: first.filename,
            size: first.size,
            mime_type: first.mime_type,
            content_url: first.content,
        })
    }

    /// Follows Jira's redirect to the media store (reqwest drops the credentials when the
    /// redirect leaves the site, which is what the media store expects).
    pub(crate) async fn download_attachment_impl(&self, id: &str) -> Result<Vec<u8>, TrackerError> {
        let call = Call::new(
            Method::GET,
            self.api(&format!("/attachment/content/{}", seg(id))),
            format!("attachment {id}"),
        );
        Ok(self.send(&call).await?.body)
    }
}
