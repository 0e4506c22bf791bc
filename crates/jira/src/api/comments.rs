//! Comments: public or internal (Service Management), restricted by group or role.

use postroom_core::ports::tracker::{Comment, NewComment, TrackerError, Visibility};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::{JiraClient, seg};
use crate::transport::Call;

/// The comment property Service Management reads to tell internal notes from replies.
const SD_PUBLIC_COMMENT: &str = "sd.public.comment";

#[derive(Deserialize)]
struct CommentBody {
    id: String,
    author: Option<Value>,
    #[serde(default)]
    body: Value,
}

impl JiraClient {
    pub(crate) async fn add_comment_impl(
        &self,
        key: &str,
        comment: &NewComment,
    ) -> Result<Comment, TrackerError> {
        let mut body = json!({ "body": self.rich_text(&comment.body) });
        if let Some(v) = &comment.visibility {
            let (kind, value) = match v {
                Visibility::Group(g) => ("group", g),
                Visibility::Role(r) => ("role", r),
            };
            body["visibility"] = json!({ "type": kind, "value": value });
        }
        let mut properties: Vec<Value> = comment
            .properties
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect();
        if let Some(public) = comment.public {
            properties.push(json!({ "key": SD_PUBLIC_COMMENT, "value": { "internal": !public } }));
        }
        if !properties.is_empty() {
            body["properties"] = Value::Array(properties);
        }
        let call = Call::new(
            Method::POST,
            self.api(&format!("/issue/{}/comment", seg(key))),
            format!("the comment on {key}"),
        )
        .json(body);
        let created: CommentBody = self.send(&call).await?.json("comment")?;
        Ok(Self::comment_from_wire(created))
    }

    pub(crate) async fn recent_comments_impl(
        &self,
        key: &str,
        max: u32,
    ) -> Result<Vec<Comment>, TrackerError> {
        let call = Call::new(
            Method::GET,
            self.api(&format!(
                "/issue/{}/comment?orderBy=-created&maxResults={max}",
                seg(key)
            )),
            format!("the comments of {key}"),
        );
        let page: CommentPage = self.send(&call).await?.json("comments")?;
        Ok(page
            .comments
            .into_iter()
            .map(Self::comment_from_wire)
            .collect())
    }

    fn comment_from_wire(wire: CommentBody) -> Comment {
        let author = wire
            .author
            .as_ref()
            .and_then(|a| a.get("accountId").or_else(|| a.get("name")))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Comment {
            id: wire.id,
            author,
            body: Self::doc_from_wire(&wire.body),
        }
    }
}

#[derive(Deserialize)]
struct CommentPage {
    #[serde(default)]
    comments: Vec<CommentBody>,
}
