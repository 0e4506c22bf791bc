//! The records a Jira site is made of, as the sandbox stores (and persists) them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of account this is; Jira exposes it as `accountType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// A licensed Atlassian account (admin, agent).
    Atlassian,
    /// A Jira Service Management customer (portal-only).
    Customer,
    /// The bot account of an installed app (Connect, OAuth).
    App,
}

/// A user account of the site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Opaque Atlassian account id.
    pub account_id: String,
    /// E-mail address (shown only when e-mail visibility is on).
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Account type.
    pub account_type: AccountType,
    /// API token for Basic auth, if the account may use the REST API.
    pub api_token: Option<String>,
    /// Personal access token (Bearer, Data Center dialect).
    pub pat: Option<String>,
    /// Site administrators may use `/_sandbox` admin endpoints.
    pub site_admin: bool,
    /// Deactivated accounts cannot authenticate.
    pub active: bool,
}

/// A workflow status.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Status {
    /// Numeric id as a string, as Jira returns it.
    pub id: String,
    /// Name, e.g. "Waiting for customer".
    pub name: String,
    /// Category key: `new`, `indeterminate` or `done`.
    pub category: String,
}

/// A workflow transition: from one of `from` (any status if empty) to `to`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transition {
    /// Transition id.
    pub id: String,
    /// Transition name.
    pub name: String,
    /// Source status ids; empty means "from any other status".
    pub from: Vec<String>,
    /// Target status id.
    pub to: String,
}

/// An issue type of a project.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueType {
    /// Numeric id as a string.
    pub id: String,
    /// Name, e.g. "Service Request".
    pub name: String,
}

/// A project with its issue types and workflow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Project {
    /// Numeric id as a string.
    pub id: String,
    /// Project key, e.g. `SUP`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Lead account id.
    pub lead: String,
    /// Issue types available in the project.
    pub issue_types: Vec<IssueType>,
    /// The permission scheme deciding who may browse the project (see
    /// [`PermissionScheme`]); older saved states have none and get the default.
    #[serde(default)]
    pub permission_scheme: PermissionScheme,
}

/// The two permission schemes the sandbox knows, as far as *Browse projects* goes. Jira
/// grants it through a scheme assigned to each project; these are the two shapes sites
/// use most.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PermissionScheme {
    /// Jira's default scheme: every licensed account may browse.
    #[default]
    Default,
    /// A private project: only the lead, site administrators and members of the
    /// project's roles may browse.
    Private,
}

impl PermissionScheme {
    /// Every scheme, for `GET /permissionscheme`.
    pub const ALL: [Self; 2] = [Self::Default, Self::Private];

    /// The scheme's id, as Jira numbers schemes.
    pub fn id(self) -> u64 {
        match self {
            Self::Default => 0,
            Self::Private => 10_001,
        }
    }

    /// The scheme's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "Default Permission Scheme",
            Self::Private => "Private project scheme",
        }
    }

    /// The scheme with this id.
    pub fn by_id(id: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// Rich text as it was written: ADF through v3, wiki markup through v2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", content = "value", rename_all = "lowercase")]
pub enum RichText {
    /// An Atlassian Document Format document.
    Adf(Value),
    /// Wiki markup.
    Wiki(String),
}

/// Who may read a restricted comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    /// `role` or `group`.
    pub kind: String,
    /// Role or group name.
    pub value: String,
}

/// A comment on an issue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comment {
    /// Numeric id.
    pub id: u64,
    /// Author account id.
    pub author: String,
    /// Account id of the last editor.
    pub update_author: String,
    /// Body.
    pub body: RichText,
    /// Creation time, epoch ms.
    pub created: i64,
    /// Last update, epoch ms.
    pub updated: i64,
    /// Optional role/group restriction.
    pub visibility: Option<Visibility>,
    /// Comment entity properties (`sd.public.comment` decides `jsdPublic`).
    pub properties: BTreeMap<String, Value>,
}

impl Comment {
    /// JSM's rule: a comment is public unless `sd.public.comment` says `internal: true`.
    pub fn jsd_public(&self) -> bool {
        !self
            .properties
            .get("sd.public.comment")
            .and_then(|v| v.get("internal"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// An issue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Issue {
    /// Numeric id.
    pub id: u64,
    /// Key, e.g. `SUP-1`.
    pub key: String,
    /// Project key.
    pub project: String,
    /// Issue type id.
    pub issue_type: String,
    /// Summary.
    pub summary: String,
    /// Description, if any.
    pub description: Option<RichText>,
    /// Status id.
    pub status: String,
    /// Priority id.
    pub priority: String,
    /// Labels.
    pub labels: Vec<String>,
    /// Creator account id.
    pub creator: String,
    /// Reporter account id.
    pub reporter: String,
    /// Assignee account id.
    pub assignee: Option<String>,
    /// Creation time, epoch ms.
    pub created: i64,
    /// Last update, epoch ms.
    pub updated: i64,
    /// Resolution time, epoch ms, when resolved.
    pub resolved: Option<i64>,
    /// Custom field id → value.
    pub custom: BTreeMap<String, Value>,
    /// Issue entity properties.
    pub properties: BTreeMap<String, Value>,
    /// Comments in creation order.
    pub comments: Vec<Comment>,
    /// Watcher account ids.
    pub watchers: Vec<String>,
    /// JSM request participants (account ids).
    pub participants: Vec<String>,
}

/// An attachment's metadata and content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    /// Numeric REST id.
    pub id: u64,
    /// Media Services file id (a UUID), used by ADF `media` nodes.
    pub media_id: String,
    /// Issue id.
    pub issue_id: u64,
    /// File name.
    pub filename: String,
    /// MIME type.
    pub mime_type: String,
    /// Uploader account id.
    pub author: String,
    /// Upload time, epoch ms.
    pub created: i64,
    /// Content, base64 in the state file.
    pub content_base64: String,
    /// Size in bytes.
    pub size: u64,
}

/// A link between two issues.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueLink {
    /// Numeric id.
    pub id: u64,
    /// Link type id.
    pub type_id: String,
    /// Inward issue id.
    pub inward: u64,
    /// Outward issue id.
    pub outward: u64,
}

/// A link type (e.g. "Relates").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkType {
    /// Numeric id as a string.
    pub id: String,
    /// Name.
    pub name: String,
    /// Inward description, e.g. "is blocked by".
    pub inward: String,
    /// Outward description, e.g. "blocks".
    pub outward: String,
}

/// A group of users.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    /// Group id (UUID).
    pub id: String,
    /// Name.
    pub name: String,
    /// Member account ids.
    pub members: Vec<String>,
}

/// A project role and its actors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    /// Numeric id.
    pub id: u64,
    /// Name, e.g. "Service Desk Team".
    pub name: String,
    /// Member account ids (in project SUP).
    pub members: Vec<String>,
}

/// A registered webhook (admin-registered or dynamic via the REST API).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Webhook {
    /// Numeric id.
    pub id: u64,
    /// Name (admin webhooks).
    pub name: String,
    /// Receiver URL; loopback only.
    pub url: String,
    /// Event names, e.g. `jira:issue_created`.
    pub events: Vec<String>,
    /// Optional JQL filter, e.g. `project = SUP`.
    pub jql: Option<String>,
    /// HMAC secret; deliveries are signed when set.
    pub secret: Option<String>,
    /// Registered through `/rest/api/3/webhook` (dynamic) rather than the admin API.
    pub dynamic: bool,
}

/// A Forge app installed on this site, and the app account its system tokens act as.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForgeInstallation {
    /// `ari:cloud:ecosystem::installation/UUID`.
    pub installation_id: String,
    /// `ari:cloud:ecosystem::app/UUID`.
    pub app_id: String,
    /// The app's account on this site (system tokens act as it).
    pub account_id: String,
}

/// A token the Forge platform handed an installation, accepted on the site's routes as
/// Atlassian's API gateway accepts it: `Authorization: Bearer`, until it expires or the app
/// is uninstalled.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForgeGrant {
    pub installation_id: String,
    /// The app's account for a system token, the user's for a user token.
    pub account_id: String,
    /// A system token (the app acting as itself) rather than a user token.
    pub system: bool,
    /// Expiry, epoch ms.
    pub expires_ms: i64,
}

/// Forge installations and their tokens.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ForgeState {
    pub installations: Vec<ForgeInstallation>,
    /// token → grant.
    pub tokens: BTreeMap<String, ForgeGrant>,
}

/// An OAuth 2.0 client and the tokens issued to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OAuthState {
    /// client_id → client_secret.
    pub clients: BTreeMap<String, String>,
    /// authorization code → account id.
    pub codes: BTreeMap<String, String>,
    /// access token → (account id, expiry epoch ms).
    pub access_tokens: BTreeMap<String, (String, i64)>,
    /// refresh token → account id.
    pub refresh_tokens: BTreeMap<String, String>,
    /// What the browser's authorization step bound a code to (codes made by
    /// `POST /_sandbox/oauth/codes` have none): the token request must repeat them.
    #[serde(default)]
    pub grants: BTreeMap<String, CodeGrant>,
}

/// The `redirect_uri` and PKCE challenge an authorization code was issued for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub redirect_uri: String,
    /// `code_challenge` (S256), when the client sent one.
    pub code_challenge: Option<String>,
}
