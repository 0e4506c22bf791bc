//! The `Tracker` port: everything postroom asks of Jira.
//!
//! The engine talks to Jira only through this trait, so the same flows run against Jira
//! Cloud, Jira Data Center, the sandbox or a test double. Rich text crosses the port as ADF
//! ([`crate::adf::Doc`]) in both directions; an adapter for a wiki-markup dialect converts.
//!
//! Methods are declared as `fn ... -> impl Future + Send` (an implementation writes them as
//! plain `async fn`): the `Send` bound lets the engine drive tracker calls from spawned
//! tasks on a multi-threaded runtime, which a bare `async fn` in a public trait cannot promise.

mod error;
mod priority;
mod types;

use std::future::Future;

use serde_json::Value;

pub use error::{FieldError, TrackerError};
pub use priority::Priority;
pub use types::{
    Attachment, Comment, Created, Dialect, Field, IDEMPOTENCY_PROPERTY, IdempotencyKey,
    IdempotencyKeyError, Issue, IssueRef, IssueType, IssueTypeRef, IssueUpdate, NewComment,
    NewIssue, NewLink, NewRequest, Project, ProjectRole, SearchPage, SearchRequest, ServerInfo,
    ServiceDesk, Transition, User, Visibility,
};

/// Shorthand for the result of every tracker call.
pub type TrackerResult<T> = Result<T, TrackerError>;

/// Jira, as postroom uses it.
pub trait Tracker: Send + Sync {
    /// The dialect in use (configured or detected).
    fn dialect(&self) -> Dialect;

    /// `serverInfo`: deployment type and version.
    fn server_info(&self) -> impl Future<Output = TrackerResult<ServerInfo>> + Send;

    /// The account postroom is authenticated as.
    fn myself(&self) -> impl Future<Output = TrackerResult<User>> + Send;

    /// Projects visible to postroom; with `creatable_only`, those it may create issues in.
    fn projects(
        &self,
        creatable_only: bool,
    ) -> impl Future<Output = TrackerResult<Vec<Project>>> + Send;

    /// Issue types usable in a project.
    fn issue_types(
        &self,
        project_key: &str,
    ) -> impl Future<Output = TrackerResult<Vec<IssueType>>> + Send;

    /// All fields, to find a custom field's id by its name.
    fn fields(&self) -> impl Future<Output = TrackerResult<Vec<Field>>> + Send;

    /// Which of `permissions` (e.g. `CREATE_ISSUES`, `MODIFY_REPORTER`) postroom holds,
    /// in a project or globally.
    fn my_permissions(
        &self,
        project_key: Option<&str>,
        permissions: &[&str],
    ) -> impl Future<Output = TrackerResult<Vec<String>>> + Send;

    /// An issue with the chosen fields (all navigable fields when `fields` is empty).
    fn get_issue(
        &self,
        key: &str,
        fields: &[&str],
    ) -> impl Future<Output = TrackerResult<Issue>> + Send;

    /// Creates an issue at most once per idempotency key (see [`NewIssue`]): when an
    /// earlier attempt's outcome was lost, the issue it made is found and returned.
    fn create_issue(&self, issue: &NewIssue)
    -> impl Future<Output = TrackerResult<Created>> + Send;

    /// Edits fields.
    fn edit_issue(
        &self,
        key: &str,
        update: &IssueUpdate,
    ) -> impl Future<Output = TrackerResult<()>> + Send;

    /// Adds a comment; returns it as stored.
    fn add_comment(
        &self,
        key: &str,
        comment: &NewComment,
    ) -> impl Future<Output = TrackerResult<Comment>> + Send;

    /// The newest `max` comments of an issue that postroom may see, newest first: where a
    /// retried job looks for the comment an earlier attempt may have posted.
    fn recent_comments(
        &self,
        key: &str,
        max: u32,
    ) -> impl Future<Output = TrackerResult<Vec<Comment>>> + Send;

    /// Uploads one file to an issue.
    fn upload_attachment(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = TrackerResult<Attachment>> + Send;

    /// Downloads an attachment's content.
    fn download_attachment(&self, id: &str) -> impl Future<Output = TrackerResult<Vec<u8>>> + Send;

    /// Users whose e-mail address is `email` (Jira matches exactly where it may show it).
    fn find_users_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = TrackerResult<Vec<User>>> + Send;

    /// A user by account id (Cloud) or user name (Data Center).
    fn get_user(&self, account_id: &str) -> impl Future<Output = TrackerResult<User>> + Send;

    /// Adds a watcher.
    fn add_watcher(
        &self,
        key: &str,
        account_id: &str,
    ) -> impl Future<Output = TrackerResult<()>> + Send;

    /// The watchers of an issue.
    fn watchers(&self, key: &str) -> impl Future<Output = TrackerResult<Vec<User>>> + Send;

    /// Transitions available now.
    fn transitions(&self, key: &str)
    -> impl Future<Output = TrackerResult<Vec<Transition>>> + Send;

    /// Performs a transition, optionally setting fields on the way.
    fn transition(
        &self,
        key: &str,
        transition_id: &str,
        update: &IssueUpdate,
    ) -> impl Future<Output = TrackerResult<()>> + Send;

    /// Links two issues.
    fn link_issues(&self, link: &NewLink) -> impl Future<Output = TrackerResult<()>> + Send;

    /// One page of a JQL search (v3 `search/jql` with page tokens, v2 `search` with offsets;
    /// the token hides which).
    fn search(
        &self,
        request: &SearchRequest,
    ) -> impl Future<Output = TrackerResult<SearchPage>> + Send;

    /// An issue entity property, `None` when not set.
    fn issue_property(
        &self,
        key: &str,
        property: &str,
    ) -> impl Future<Output = TrackerResult<Option<Value>>> + Send;

    /// Sets an issue entity property.
    fn set_issue_property(
        &self,
        key: &str,
        property: &str,
        value: &Value,
    ) -> impl Future<Output = TrackerResult<()>> + Send;

    /// A comment property, `None` when not set.
    fn comment_property(
        &self,
        comment_id: &str,
        property: &str,
    ) -> impl Future<Output = TrackerResult<Option<Value>>> + Send;

    /// Sets a comment property.
    fn set_comment_property(
        &self,
        comment_id: &str,
        property: &str,
        value: &Value,
    ) -> impl Future<Output = TrackerResult<()>> + Send;

    /// Names of the groups a user belongs to.
    fn user_groups(
        &self,
        account_id: &str,
    ) -> impl Future<Output = TrackerResult<Vec<String>>> + Send;

    /// The active members of a group (for notifications to `group:NAME`).
    fn group_members(&self, group: &str) -> impl Future<Output = TrackerResult<Vec<User>>> + Send;

    /// The roles a user holds in a project (directly or through a group).
    fn project_roles_of(
        &self,
        project_key: &str,
        account_id: &str,
    ) -> impl Future<Output = TrackerResult<Vec<ProjectRole>>> + Send;

    /// Whether an account may browse an issue (Jira's *Browse projects* permission, issue
    /// security and, for a service desk customer, being on the request). A reply from a
    /// Jira user who is not on the issue is trusted only when this holds.
    fn may_browse(
        &self,
        issue_key: &str,
        account_id: &str,
    ) -> impl Future<Output = TrackerResult<bool>> + Send;

    /// Jira Service Management: creates a customer account; returns it.
    fn create_customer(
        &self,
        email: &str,
        display_name: &str,
    ) -> impl Future<Output = TrackerResult<User>> + Send;

    /// Jira Service Management: the request participants of an issue (`NotFound` when the
    /// issue is not a service request).
    fn request_participants(
        &self,
        key: &str,
    ) -> impl Future<Output = TrackerResult<Vec<User>>> + Send;

    /// Jira Service Management: every service desk of the site.
    fn service_desks(&self) -> impl Future<Output = TrackerResult<Vec<ServiceDesk>>> + Send;

    /// Jira Service Management: raises a customer request, at most once per idempotency
    /// key like [`Tracker::create_issue`] (the key is set as the issue's property right
    /// after the request exists, since a request cannot carry properties).
    fn create_request(
        &self,
        request: &NewRequest,
    ) -> impl Future<Output = TrackerResult<Created>> + Send;

    /// Jira Service Management: adds request participants.
    fn add_request_participants(
        &self,
        key: &str,
        account_ids: &[String],
    ) -> impl Future<Output = TrackerResult<()>> + Send;
}
