//! The whole site's state: one serialisable value, so a demo can persist and reload it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{
    AccountType, Attachment, ForgeGrant, ForgeInstallation, ForgeState, Group, Issue, IssueLink,
    LinkType, OAuthState, PermissionScheme, Project, Role, Status, Transition, User, Webhook,
};

/// A custom field definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomField {
    /// Field id, e.g. `customfield_10050`.
    pub id: String,
    /// Display name, e.g. "E-mail participants"; JQL may name the field by it.
    pub name: String,
}

/// A priority.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Priority {
    /// Numeric id as a string.
    pub id: String,
    /// Name.
    pub name: String,
    /// Colour Jira shows.
    pub color: String,
}

/// Everything the site holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Site {
    /// Accounts.
    pub users: Vec<User>,
    /// Projects.
    pub projects: Vec<Project>,
    /// Workflow statuses.
    pub statuses: Vec<Status>,
    /// Workflow transitions (one workflow for all projects).
    pub transitions: Vec<Transition>,
    /// Priorities; the first is not the default, `default_priority` is.
    pub priorities: Vec<Priority>,
    /// Priority id used when a create names none.
    pub default_priority: String,
    /// Custom fields.
    pub custom_fields: Vec<CustomField>,
    /// Issues by id.
    pub issues: BTreeMap<u64, Issue>,
    /// Attachments by id.
    pub attachments: BTreeMap<u64, Attachment>,
    /// Issue links.
    pub links: Vec<IssueLink>,
    /// Link types.
    pub link_types: Vec<LinkType>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Project roles (of project SUP).
    pub roles: Vec<Role>,
    /// Registered webhooks.
    pub webhooks: Vec<Webhook>,
    /// Forge app installations and the tokens handed to them.
    #[serde(default)]
    pub forge: ForgeState,
    /// OAuth clients and tokens.
    pub oauth: OAuthState,
    /// Entity property keys declared indexed (searchable with `issue.property[key]`).
    pub indexed_properties: Vec<String>,
    /// Next id per kind; ids are never reused.
    pub next_ids: NextIds,
}

/// Id counters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NextIds {
    /// Next issue id.
    pub issue: u64,
    /// Next comment id.
    pub comment: u64,
    /// Next attachment id.
    pub attachment: u64,
    /// Next link id.
    pub link: u64,
    /// Next webhook id.
    pub webhook: u64,
    /// Next issue number per project key.
    pub issue_number: BTreeMap<String, u64>,
    /// Next changelog id.
    pub changelog: u64,
}

impl Site {
    /// The account with this id.
    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.account_id == account_id)
    }

    /// The account with this e-mail address (case-insensitive).
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// A project by key or numeric id.
    pub fn project(&self, key_or_id: &str) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.key.eq_ignore_ascii_case(key_or_id) || p.id == key_or_id)
    }

    /// A project by key or numeric id, to change it.
    pub fn project_mut(&mut self, key_or_id: &str) -> Option<&mut Project> {
        self.projects
            .iter_mut()
            .find(|p| p.key.eq_ignore_ascii_case(key_or_id) || p.id == key_or_id)
    }

    /// Resolves an issue id or key (keys case-insensitive, as Jira does) to its id.
    pub fn issue_id(&self, id_or_key: &str) -> Option<u64> {
        if let Ok(id) = id_or_key.parse::<u64>() {
            return self.issues.contains_key(&id).then_some(id);
        }
        self.issues
            .values()
            .find(|i| i.key.eq_ignore_ascii_case(id_or_key))
            .map(|i| i.id)
    }

    /// A status by id.
    pub fn status(&self, id: &str) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id == id)
    }

    /// A priority by id or name.
    pub fn priority(&self, id_or_name: &str) -> Option<&Priority> {
        self.priorities
            .iter()
            .find(|p| p.id == id_or_name || p.name.eq_ignore_ascii_case(id_or_name))
    }

    /// Transitions available from a status.
    pub fn transitions_from(&self, status: &str) -> Vec<&Transition> {
        self.transitions
            .iter()
            .filter(|t| t.to != status && (t.from.is_empty() || t.from.iter().any(|f| f == status)))
            .collect()
    }

    /// Whether an account belongs to a group (by name) or a project role (by name).
    pub fn is_member(&self, account_id: &str, kind: &str, name: &str) -> bool {
        let account = account_id.to_owned();
        match kind {
            "group" => self
                .groups
                .iter()
                .any(|g| g.name == name && g.members.contains(&account)),
            _ => self
                .roles
                .iter()
                .any(|r| r.name == name && r.members.contains(&account)),
        }
    }

    /// Whether `account_id` may browse `issue`, as Jira decides it: an active account;
    /// a portal customer only on requests they reported or take part in; an app's bot
    /// everywhere; a licensed account as the project's permission scheme says (site
    /// administrators and the project lead always).
    pub fn may_browse(&self, account_id: &str, issue: &Issue) -> bool {
        let Some(user) = self.user(account_id).filter(|u| u.active) else {
            return false;
        };
        match user.account_type {
            AccountType::App => true,
            AccountType::Customer => {
                issue.reporter == account_id || issue.participants.iter().any(|p| p == account_id)
            }
            AccountType::Atlassian => {
                let Some(project) = self.project(&issue.project) else {
                    return false;
                };
                user.site_admin
                    || project.lead == account_id
                    || match project.permission_scheme {
                        PermissionScheme::Default => true,
                        PermissionScheme::Private => self
                            .roles
                            .iter()
                            .any(|r| r.members.iter().any(|m| m == account_id)),
                    }
            }
        }
    }

    /// Installs the Forge app `app_id` as `installation_id`, with an app account of its own
    /// (as Jira makes one for every app); returns that account's id.
    pub fn install_forge_app(&mut self, app_id: &str, installation_id: &str) -> String {
        let app_uuid = app_id.rsplit('/').next().unwrap_or(app_id);
        let account_id = format!("712020:app-{app_uuid}");
        self.forge
            .installations
            .retain(|i| i.installation_id != installation_id);
        self.forge.installations.push(ForgeInstallation {
            installation_id: installation_id.to_owned(),
            app_id: app_id.to_owned(),
            account_id: account_id.clone(),
        });
        if self.user(&account_id).is_none() {
            self.users.push(User {
                account_id: account_id.clone(),
                email: format!("{app_uuid}@forge.atlassian.invalid"),
                display_name: "postroom (Forge app)".to_owned(),
                account_type: AccountType::App,
                api_token: None,
                pat: None,
                site_admin: false,
                active: true,
            });
        }
        account_id
    }

    /// Uninstalls `installation_id`: its tokens stop working at once.
    pub fn uninstall_forge_app(&mut self, installation_id: &str) {
        self.forge
            .installations
            .retain(|i| i.installation_id != installation_id);
        self.forge
            .tokens
            .retain(|_, g| g.installation_id != installation_id);
    }

    /// Records `token` for `installation_id`: a system token when `user` is `None`, else a
    /// token acting as `user`. `None` when the app is not installed here.
    pub fn grant_forge_token(
        &mut self,
        installation_id: &str,
        user: Option<&str>,
        token: String,
        expires_ms: i64,
    ) -> Option<()> {
        let install = self
            .forge
            .installations
            .iter()
            .find(|i| i.installation_id == installation_id)?;
        let grant = ForgeGrant {
            installation_id: installation_id.to_owned(),
            account_id: user.map_or_else(|| install.account_id.clone(), str::to_owned),
            system: user.is_none(),
            expires_ms,
        };
        // Expired grants go, so that a long demo does not pile them up.
        let now = crate::time::now_ms();
        self.forge.tokens.retain(|_, g| g.expires_ms > now);
        self.forge.tokens.insert(token, grant);
        Some(())
    }

    /// Allocates the next id of a counter.
    pub fn take_id(counter: &mut u64) -> u64 {
        let id = *counter;
        *counter += 1;
        id
    }
}
