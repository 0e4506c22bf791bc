//! Users, watchers, groups and project roles.

use postroom_core::ports::tracker::{ProjectRole, TrackerError, User};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::client::{JiraClient, seg};
use crate::transport::Call;

/// A user body from either dialect (Cloud: `accountId`; Data Center: `name`/`key`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserBody {
    account_id: Option<String>,
    name: Option<String>,
    key: Option<String>,
    #[serde(default)]
    display_name: String,
    email_address: Option<String>,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

impl UserBody {
    pub(crate) fn into_user(self) -> User {
        User {
            account_id: self
                .account_id
                .or(self.name)
                .or(self.key)
                .unwrap_or_default(),
            display_name: self.display_name,
            email: self.email_address.filter(|e| !e.is_empty()),
            active: self.active,
        }
    }
}

impl JiraClient {
    pub(crate) async fn myself_impl(&self) -> Result<User, TrackerError> {
        let call = Call::new(
            Method::GET,
            self.api("/myself"),
            "the authenticated account",
        );
        Ok(self
            .send(&call)
            .await?
            .json::<UserBody>("myself")?
            .into_user())
    }

    pub(crate) async fn get_user_impl(&self, id: &str) -> Result<User, TrackerError> {
        let call = Call::new(Method::GET, self.api("/user"), format!("user {id}"))
            .query(self.user_param(), id);
        Ok(self
            .send(&call)
            .await?
            .json::<UserBody>("user")?
            .into_user())
    }

    pub(crate) async fn find_users_by_email_impl(
        &self,
        email: &str,
    ) -> Result<Vec<User>, TrackerError> {
        let param = if self.is_cloud() { "query" } else { "username" };
        let call = Call::new(Method::GET, self.api("/user/search"), "a user by e-mail")
            .query(param, email);
        let users: Vec<UserBody> = self.send(&call).await?.json("user search")?;
        // Jira matches the query as a prefix of names too: keep exact address matches, or
        // all when Jira hides addresses (then the caller cannot tell more than Jira did).
        let users: Vec<User> = users.into_iter().map(UserBody::into_user).collect();
        let exact: Vec<User> = users
            .iter()
            .filter(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .cloned()
            .collect();
        Ok(if exact.is_empty() {
            users.into_iter().filter(|u| u.email.is_none()).collect()
        } else {
            exact
        })
    }

    pub(crate) async fn add_watcher_impl(
        &self,
        key: &str,
        account_id: &str,
    ) -> Result<(), TrackerError> {
        let call = Call::new(
            Method::POST,
            self.api(&format!("/issue/{}/watchers", seg(key))),
            format!("watchers of {key}"),
        )
        .json(Value::String(account_id.to_owned()))
        .idempotent(true);
        self.send(&call).await.map(drop)
    }

    pub(crate) async fn watchers_impl(&self, key: &str) -> Result<Vec<User>, TrackerError> {
        #[derive(Deserialize)]
        struct Watchers {
            #[serde(default)]
            watchers: Vec<UserBody>,
        }
        let call = Call::new(
            Method::GET,
            self.api(&format!("/issue/{}/watchers", seg(key))),
            format!("watchers of {key}"),
        );
        let w: Watchers = self.send(&call).await?.json("watchers")?;
        Ok(w.watchers.into_iter().map(UserBody::into_user).collect())
    }

    pub(crate) async fn user_groups_impl(
        &self,
        account_id: &str,
    ) -> Result<Vec<String>, TrackerError> {
        #[derive(Deserialize)]
        struct Group {
            name: String,
        }
        let call = Call::new(
            Method::GET,
            self.api("/user/groups"),
            format!("groups of user {account_id}"),
        )
        .query(self.user_param(), account_id);
        let groups: Vec<Group> = self.send(&call).await?.json("user groups")?;
        Ok(groups.into_iter().map(|g| g.name).collect())
    }

    /// Every active member of `group`, page by page (Jira answers 50 at a time).
    pub(crate) async fn group_members_impl(&self, group: &str) -> Result<Vec<User>, TrackerError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default)]
            values: Vec<UserBody>,
            #[serde(default = "yes")]
            is_last: bool,
        }
        let mut members = Vec::new();
        loop {
            let call = Call::new(
                Method::GET,
                self.api("/group/member"),
                format!("members of group {group}"),
            )
            .query("groupname", group)
            .query("startAt", members.len().to_string())
            .query("maxResults", "50");
            let page: Page = self.send(&call).await?.json("group members")?;
            let empty = page.values.is_empty();
            members.extend(page.values.into_iter().map(UserBody::into_user));
            if page.is_last || empty || members.len() >= 10_000 {
                break;
            }
        }
        Ok(members.into_iter().filter(|u| u.active).collect())
    }

    /// Asks Jira whether the account may browse the issue: `user/viewissue/search`
    /// narrowed to that one account answers it or nobody.
    pub(crate) async fn may_browse_impl(
        &self,
        key: &str,
        account_id: &str,
    ) -> Result<bool, TrackerError> {
        let call = Call::new(
            Method::GET,
            self.api("/user/viewissue/search"),
            format!("who may browse {key}"),
        )
        .query("issueKey", key)
        .query(self.user_param(), account_id);
        let users: Vec<UserBody> = self.send(&call).await?.json("users who may browse")?;
        Ok(users
            .into_iter()
            .map(UserBody::into_user)
            .any(|u| u.account_id == account_id))
    }

    pub(crate) async fn project_roles_of_impl(
        &self,
        project: &str,
        account_id: &str,
    ) -> Result<Vec<ProjectRole>, TrackerError> {
        let subject = format!("roles of project {project}");
        let call = Call::new(
            Method::GET,
            self.api(&format!("/project/{}/role", seg(project))),
            subject.clone(),
        );
        let roles: serde_json::Map<String, Value> =
            self.send(&call).await?.json("project roles")?;
        let groups = self.user_groups_impl(account_id).await?;
        let mut held = Vec::new();
        for url in roles.values().filter_map(Value::as_str) {
            let Some(id) = url.rsplit('/').next().filter(|id| !id.is_empty()) else {
                continue;
            };
            let call = Call::new(
                Method::GET,
                self.api(&format!("/project/{}/role/{}", seg(project), seg(id))),
                subject.clone(),
            );
            let role: Value = self.send(&call).await?.json("project role")?;
            let actors = role
                .get("actors")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let member = actors.iter().any(|a| actor_is(a, account_id, &groups));
            if member {
                held.push(ProjectRole {
                    id: role
                        .get("id")
                        .map(|v| v.to_string().trim_matches('"').to_owned())
                        .unwrap_or_else(|| id.to_owned()),
                    name: role
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
        }
        Ok(held)
    }
}

/// True when a role actor is the user, or a group the user is in.
fn actor_is(actor: &Value, account_id: &str, groups: &[String]) -> bool {
    let user = actor
        .pointer("/actorUser/accountId")
        .and_then(Value::as_str);
    let kind = actor
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = actor.get("name").and_then(Value::as_str);
    let group = actor.pointer("/actorGroup/name").and_then(Value::as_str);
    match kind {
        "atlassian-user-role-actor" => user == Some(account_id) || name == Some(account_id),
        "atlassian-group-role-actor" => group
            .or(name)
            .is_some_and(|g| groups.iter().any(|x| x == g)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_from_both_dialects() {
        let cloud: UserBody =
            serde_json::from_value(json!({"accountId":"a1","displayName":"Ada","active":true}))
                .unwrap();
        assert_eq!(cloud.into_user().account_id, "a1");
        let dc: UserBody = serde_json::from_value(
            json!({"name":"ada","key":"JIRAUSER1","displayName":"Ada","emailAddress":"ada@x.test"}),
        )
        .unwrap();
        let dc = dc.into_user();
        assert_eq!(
            (dc.account_id.as_str(), dc.email.as_deref(), dc.active),
            ("ada", Some("ada@x.test"), true)
        );
    }

    #[test]
    fn role_actors_match_users_and_groups() {
        let groups = vec!["agents".to_owned()];
        assert!(actor_is(
            &json!({"type":"atlassian-user-role-actor","actorUser":{"accountId":"a1"}}),
            "a1",
            &groups
        ));
        assert!(actor_is(
            &json!({"type":"atlassian-group-role-actor","actorGroup":{"name":"agents"}}),
            "x",
            &groups
        ));
        assert!(!actor_is(
            &json!({"type":"atlassian-group-role-actor","actorGroup":{"name":"admins"}}),
            "x",
            &groups
        ));
        assert!(!actor_is(&json!({"type":"weird"}), "a1", &groups));
    }
}
