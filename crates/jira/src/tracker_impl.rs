//! [`Tracker`] for [`JiraClient`]: each method delegates to the module of its resource.

use postroom_core::ports::tracker::{
    Attachment, Comment, Created, Dialect, Field, Issue, IssueType, IssueUpdate, NewComment,
    NewIssue, NewLink, NewRequest, Project, ProjectRole, SearchPage, SearchRequest, ServerInfo,
    ServiceDesk, Tracker, TrackerResult, Transition, User,
};
use serde_json::Value;

use crate::client::JiraClient;

impl Tracker for JiraClient {
    fn dialect(&self) -> Dialect {
        JiraClient::dialect(self)
    }

    async fn server_info(&self) -> TrackerResult<ServerInfo> {
        self.fetch_server_info().await
    }

    async fn myself(&self) -> TrackerResult<User> {
        self.myself_impl().await
    }

    async fn projects(&self, creatable_only: bool) -> TrackerResult<Vec<Project>> {
        self.projects_impl(creatable_only).await
    }

    async fn issue_types(&self, project_key: &str) -> TrackerResult<Vec<IssueType>> {
        self.issue_types_impl(project_key).await
    }

    async fn fields(&self) -> TrackerResult<Vec<Field>> {
        self.fields_impl().await
    }

    async fn my_permissions(
        &self,
        project_key: Option<&str>,
        permissions: &[&str],
    ) -> TrackerResult<Vec<String>> {
        self.my_permissions_impl(project_key, permissions).await
    }

    async fn get_issue(&self, key: &str, fields: &[&str]) -> TrackerResult<Issue> {
        self.get_issue_impl(key, fields).await
    }

    async fn create_issue(&self, issue: &NewIssue) -> TrackerResult<Created> {
        self.create_issue_impl(issue).await
    }

    async fn edit_issue(&self, key: &str, update: &IssueUpdate) -> TrackerResult<()> {
        self.edit_issue_impl(key, update).await
    }

    async fn add_comment(&self, key: &str, comment: &NewComment) -> TrackerResult<Comment> {
        self.add_comment_impl(key, comment).await
    }

    async fn recent_comments(&self, key: &str, max: u32) -> TrackerResult<Vec<Comment>> {
        self.recent_comments_impl(key, max).await
    }

    async fn upload_attachment(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> TrackerResult<Attachment> {
        self.upload_attachment_impl(key, file_name, content_type, bytes)
            .await
    }

    async fn download_attachment(&self, id: &str) -> TrackerResult<Vec<u8>> {
        self.download_attachment_impl(id).await
    }

    async fn find_users_by_email(&self, email: &str) -> TrackerResult<Vec<User>> {
        self.find_users_by_email_impl(email).await
    }

    async fn get_user(&self, account_id: &str) -> TrackerResult<User> {
        self.get_user_impl(account_id).await
    }

    async fn add_watcher(&self, key: &str, account_id: &str) -> TrackerResult<()> {
        self.add_watcher_impl(key, account_id).await
    }

    async fn watchers(&self, key: &str) -> TrackerResult<Vec<User>> {
        self.watchers_impl(key).await
    }

    async fn transitions(&self, key: &str) -> TrackerResult<Vec<Transition>> {
        self.transitions_impl(key).await
    }

    async fn transition(
        &self,
        key: &str,
        transition_id: &str,
        update: &IssueUpdate,
    ) -> TrackerResult<()> {
        self.transition_impl(key, transition_id, update).await
    }

    async fn link_issues(&self, link: &NewLink) -> TrackerResult<()> {
        self.link_issues_impl(link).await
    }

    async fn search(&self, request: &SearchRequest) -> TrackerResult<SearchPage> {
        self.search_impl(request).await
    }

    async fn issue_property(&self, key: &str, property: &str) -> TrackerResult<Option<Value>> {
        self.issue_property_impl(key, property).await
    }

    async fn set_issue_property(
        &self,
        key: &str,
        property: &str,
        value: &Value,
    ) -> TrackerResult<()> {
        self.set_issue_property_impl(key, property, value).await
    }

    async fn comment_property(
        &self,
        comment_id: &str,
        property: &str,
    ) -> TrackerResult<Option<Value>> {
        self.comment_property_impl(comment_id, property).await
    }

    async fn set_comment_property(
        &self,
        comment_id: &str,
        property: &str,
        value: &Value,
    ) -> TrackerResult<()> {
        self.set_comment_property_impl(comment_id, property, value)
            .await
    }

    async fn user_groups(&self, account_id: &str) -> TrackerResult<Vec<String>> {
        self.user_groups_impl(account_id).await
    }

    async fn group_members(&self, group: &str) -> TrackerResult<Vec<User>> {
        self.group_members_impl(group).await
    }

    async fn project_roles_of(
        &self,
        project_key: &str,
        account_id: &str,
    ) -> TrackerResult<Vec<ProjectRole>> {
        self.project_roles_of_impl(project_key, account_id).await
    }

    async fn may_browse(&self, issue_key: &str, account_id: &str) -> TrackerResult<bool> {
        self.may_browse_impl(issue_key, account_id).await
    }

    async fn create_customer(&self, email: &str, display_name: &str) -> TrackerResult<User> {
        self.create_customer_impl(email, display_name).await
    }

    async fn service_desks(&self) -> TrackerResult<Vec<ServiceDesk>> {
        self.service_desks_impl().await
    }

    async fn create_request(&self, request: &NewRequest) -> TrackerResult<Created> {
        self.create_request_impl(request).await
    }

    async fn add_request_participants(
        &self,
        key: &str,
        account_ids: &[String],
    ) -> TrackerResult<()> {
        self.add_request_participants_impl(key, account_ids).await
    }

    async fn request_participants(&self, key: &str) -> TrackerResult<Vec<User>> {
        self.request_participants_impl(key).await
    }
}
