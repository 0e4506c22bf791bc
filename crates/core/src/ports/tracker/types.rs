//! The domain types the [`super::Tracker`] port speaks: postroom's view of Jira, the same
//! for Cloud (v3) and Data Center (v2).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::adf::Doc;

/// Which REST dialect a Jira site speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// Jira Cloud: REST API v3, rich text as ADF, users by account id.
    CloudV3,
    /// Jira Data Center / Server: REST API v2, rich text as wiki markup, users by name.
    DataCenterV2,
}

impl Dialect {
    /// The dialect a `serverInfo.deploymentType` announces (`Cloud`, `Server`, `DataCenter`).
    pub fn from_deployment_type(deployment_type: &str) -> Self {
        if deployment_type.eq_ignore_ascii_case("cloud") {
            Self::CloudV3
        } else {
            Self::DataCenterV2
        }
    }
}

/// What `serverInfo` says about the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The site's own idea of its base URL.
    pub base_url: String,
    /// Version string, e.g. `1001.0.0-SNAPSHOT` or `9.12.4`.
    pub version: String,
    /// `Cloud`, `Server` or `DataCenter`.
    pub deployment_type: String,
    /// Site title.
    pub server_title: String,
}

/// A Jira user as postroom needs it. The e-mail address is often hidden (Cloud privacy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Account id (Cloud) or user name (Data Center): the id the other calls take.
    pub account_id: String,
    /// Display name.
    pub display_name: String,
    /// E-mail address, when Jira shows it.
    pub email: Option<String>,
    /// False for deactivated users.
    pub active: bool,
}

/// A project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Numeric id as a string.
    pub id: String,
    /// Key, e.g. `SUP`.
    pub key: String,
    /// Name.
    pub name: String,
    /// The project lead's account id (Cloud) or user name (Data Center), when Jira says:
    /// leads administer the project's canned responses.
    #[serde(default)]
    pub lead: Option<String>,
}

/// An issue type available in a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueType {
    /// Id.
    pub id: String,
    /// Name, e.g. `Task`.
    pub name: String,
    /// True for sub-task types.
    pub subtask: bool,
}

/// A field (system or custom); custom fields are found by name and addressed by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Id, e.g. `summary` or `customfield_10010`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// True for custom fields.
    pub custom: bool,
}

/// The id and key of an issue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IssueRef {
    /// Numeric id as a string.
    pub id: String,
    /// Key, e.g. `SUP-12`.
    pub key: String,
}

/// An issue with the fields asked for. Rich-text fields (`description`, `environment`)
/// are always ADF JSON, whatever the dialect: the client converts wiki markup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// Numeric id as a string.
    pub id: String,
    /// Key.
    pub key: String,
    /// Field id → value, as Jira returned them (rich text normalized to ADF).
    pub fields: Map<String, Value>,
}

/// Issue type by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueTypeRef {
    /// By id.
    Id(String),
    /// By name (as shown in the project).
    Name(String),
}

/// The key under which postroom stores the idempotency key of an issue it created.
pub const IDEMPOTENCY_PROPERTY: &str = "postroom.idempotency";

/// The key that makes a create idempotent, usually derived from the source Message-ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a string is not an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an idempotency key is 1 to {max} visible ASCII characters, got {got_len} characters")]
pub struct IdempotencyKeyError {
    max: usize,
    got_len: usize,
}

impl IdempotencyKey {
    /// Longest key; Jira property values may be large, but a short key keeps lookups cheap.
    pub const MAX_LEN: usize = 255;

    /// Checks that `key` is 1..=255 visible ASCII characters.
    pub fn parse(key: &str) -> Result<Self, IdempotencyKeyError> {
        if key.is_empty() || key.len() > Self::MAX_LEN || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(IdempotencyKeyError {
                max: Self::MAX_LEN,
                got_len: key.chars().count(),
            });
        }
        Ok(Self(key.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything needed to create an issue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIssue {
    /// Project key.
    pub project: String,
    /// Issue type.
    pub issue_type: IssueTypeRef,
    /// Summary (one line).
    pub summary: String,
    /// Description.
    pub description: Option<Doc>,
    /// Reporter's account id, when postroom may set it.
    pub reporter: Option<String>,
    /// Further fields by id, in Jira's JSON shape.
    pub fields: Map<String, Value>,
    /// Entity properties to set at creation (besides the idempotency key).
    pub properties: Vec<(String, Value)>,
    /// Makes the create idempotent: stored as the [`IDEMPOTENCY_PROPERTY`] property.
    pub idempotency_key: IdempotencyKey,
    /// Set when an earlier attempt with this key may have created the issue (a retried
    /// job after a crash or a lost answer): the tracker then looks for it before creating.
    pub may_exist: bool,
    /// When that earlier attempt began (ms since the epoch), if known. Search lags behind
    /// writes, so until the tracker's unknown-outcome limit after it, finding nothing means
    /// "not known yet" (a transient error, looked at again later), not "create again".
    pub unknown_since_ms: Option<i64>,
}

/// Jira Service Management: a service desk, the JSM side of one service project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDesk {
    /// The service desk's id (not the project's), which requests are raised in.
    pub id: String,
    /// The project's key.
    pub project_key: String,
}

/// Jira Service Management: a customer request to raise, usually on behalf of a customer
/// (who then is its reporter and sees it in the portal).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    /// The service desk.
    pub service_desk_id: String,
    /// The project's key (where an earlier attempt's issue is looked for).
    pub project: String,
    /// The request type.
    pub request_type_id: String,
    /// Summary (one line).
    pub summary: String,
    /// Further request field values by field id, in Jira's JSON shape.
    pub fields: Map<String, Value>,
    /// The customer's account id; `None` raises it as postroom's account.
    pub on_behalf_of: Option<String>,
    /// Customers' account ids to add as request participants.
    pub participants: Vec<String>,
    /// Makes the create idempotent, as for [`NewIssue::idempotency_key`].
    pub idempotency_key: IdempotencyKey,
    /// As for [`NewIssue::may_exist`].
    pub may_exist: bool,
    /// As for [`NewIssue::unknown_since_ms`].
    pub unknown_since_ms: Option<i64>,
}

/// The result of a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The issue.
    pub issue: IssueRef,
    /// True when the issue already existed (an earlier attempt whose answer was lost).
    pub recovered: bool,
}

/// A change to an issue's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueUpdate {
    /// Plain fields by id, in Jira's JSON shape.
    pub fields: Map<String, Value>,
    /// Rich-text fields by id (`description`, a text custom field), converted per dialect.
    pub rich_text: Vec<(String, Doc)>,
}

/// Who may see a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Members of a group.
    Group(String),
    /// Members of a project role.
    Role(String),
}

/// A comment to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComment {
    /// Body.
    pub body: Doc,
    /// Restriction, if any.
    pub visibility: Option<Visibility>,
    /// Jira Service Management: `Some(false)` makes an internal note, `Some(true)` a reply
    /// the customer sees; `None` leaves Jira's default.
    pub public: Option<bool>,
    /// Comment properties to set.
    pub properties: Vec<(String, Value)>,
}

/// A comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// Id.
    pub id: String,
    /// Author's account id, when shown.
    pub author: Option<String>,
    /// Body (ADF, converted from wiki markup on Data Center).
    pub body: Doc,
}

/// An attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Id.
    pub id: String,
    /// File name.
    pub file_name: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type as Jira recorded it.
    pub mime_type: String,
    /// The content URL Jira gives (`content`), where a body's image points; `None` when
    /// Jira gave none.
    #[serde(default)]
    pub content_url: Option<String>,
}

/// A workflow transition available from the issue's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Id to pass back when transitioning.
    pub id: String,
    /// Name, e.g. `Resolve`.
    pub name: String,
    /// Name of the target status.
    pub to_status: String,
}

/// A link between two issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    /// Link type name, e.g. `Relates`.
    pub link_type: String,
    /// Key of the inward issue.
    pub inward: String,
    /// Key of the outward issue.
    pub outward: String,
}

/// One page of a JQL search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// The JQL.
    pub jql: String,
    /// Field ids to return.
    pub fields: Vec<String>,
    /// Token from the previous page; `None` for the first.
    pub page_token: Option<String>,
    /// Page size.
    pub max_results: u32,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// Issues on this page.
    pub issues: Vec<Issue>,
    /// Token for the next page, `None` on the last.
    pub next_page_token: Option<String>,
}

/// A project role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRole {
    /// Id.
    pub id: String,
    /// Name, e.g. `Service Desk Team`.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_visible_ascii_and_bounded() {
        assert!(IdempotencyKey::parse("<abc@mail.test>").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("a b").is_err());
        assert!(IdempotencyKey::parse("é").is_err());
        assert!(IdempotencyKey::parse(&"x".repeat(255)).is_ok());
        assert!(IdempotencyKey::parse(&"x".repeat(256)).is_err());
    }

    #[test]
    fn dialect_follows_deployment_type() {
        assert_eq!(Dialect::from_deployment_type("Cloud"), Dialect::CloudV3);
        assert_eq!(
            Dialect::from_deployment_type("DataCenter"),
            Dialect::DataCenterV2
        );
        assert_eq!(
            Dialect::from_deployment_type("Server"),
            Dialect::DataCenterV2
        );
    }
}
