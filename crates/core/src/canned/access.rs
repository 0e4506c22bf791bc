//! Who may see, use and change a template: the scope table of the canned-responses issue as
//! one pure function of the template's scope and the caller's facts.
//!
//! | scope | who can view and use | who can administer |
//! | --- | --- | --- |
//! | personal | its owner | its owner; Jira admins may only delete it, unseen |
//! | projects | users of those projects (any project role) | those projects' admins and leads, Jira admins |
//! | groups | members of those groups | Jira admins and the template's owner |
//! | global | everyone | Jira admins |
//!
//! Personal templates are private: a Jira admin who is not the owner never sees one (not in
//! lists, searches, statistics or exports) but may delete it by id, e.g. when its owner has
//! left. "Users of issues in a project" is read as holding any role in the project (directly
//! or through a group), which is how Jira grants Browse Projects on a default scheme.

use std::collections::{BTreeMap, BTreeSet};

use super::model::Scope;

/// What the engine learned about the caller from Jira (cached briefly).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerFacts {
    /// The caller's Jira account id.
    pub account_id: String,
    /// Holds Administer Jira (member of an administrators group).
    pub jira_admin: bool,
    /// Names of the caller's groups.
    pub groups: BTreeSet<String>,
    /// Per project key, the caller's standing in it; a project not listed is one the caller
    /// has no role in.
    pub projects: BTreeMap<String, ProjectFacts>,
}

/// The caller's standing in one project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectFacts {
    /// Holds any project role.
    pub member: bool,
    /// Holds the Administrators role.
    pub admin: bool,
    /// Is the project lead.
    pub lead: bool,
}

/// What the caller may do with a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Not even its existence is shown (404).
    Invisible,
    /// A Jira admin and another agent's personal template: delete only, never shown.
    DeleteUnseen,
    /// View and use; changes answer 403.
    Use,
    /// View, use, edit and delete.
    Administer,
}

/// Something a caller wants to do with a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read it (list, show, search, export).
    View,
    /// Render and apply it.
    Use,
    /// Change it.
    Edit,
    /// Delete it.
    Delete,
}

impl Access {
    /// True when this access allows `action`.
    pub fn allows(self, action: Action) -> bool {
        matches!(
            (self, action),
            (Access::Administer, _)
                | (Access::Use, Action::View | Action::Use)
                | (Access::DeleteUnseen, Action::Delete)
        )
    }

    /// True when the template may be shown to the caller at all.
    pub fn visible(self) -> bool {
        self >= Access::Use
    }
}

/// The caller's access to a template with `scope` owned by `owner`.
pub fn access(scope: &Scope, owner: &str, facts: &CallerFacts) -> Access {
    let is_owner = !owner.is_empty() && owner == facts.account_id;
    match scope {
        Scope::Personal if is_owner => Access::Administer,
        Scope::Personal if facts.jira_admin => Access::DeleteUnseen,
        Scope::Personal => Access::Invisible,
        Scope::Global if facts.jira_admin => Access::Administer,
        Scope::Global => Access::Use,
        Scope::Groups(_) if facts.jira_admin || is_owner => Access::Administer,
        Scope::Groups(groups) if groups.iter().any(|g| facts.groups.contains(g)) => Access::Use,
        Scope::Groups(_) => Access::Invisible,
        Scope::Projects(_) if facts.jira_admin => Access::Administer,
        Scope::Projects(keys) => {
            let standing = keys.iter().filter_map(|k| facts.projects.get(k));
            let mut best = Access::Invisible;
            for p in standing {
                if p.admin || p.lead {
                    return Access::Administer;
                }
                if p.member {
                    best = Access::Use;
                }
            }
            best
        }
    }
}

/// Whether the caller may create (or change a template to) `scope`: they must be able to
/// administer the result, and may not address people they have no standing with. Personal
/// is open to all; global needs a Jira admin; projects need admin or lead of every listed
/// project; groups need membership of every listed group. `Err` says why not.
pub fn may_create(scope: &Scope, facts: &CallerFacts) -> Result<(), String> {
    if facts.jira_admin {
        return Ok(());
    }
    match scope {
        Scope::Personal => Ok(()),
        Scope::Global => Err("only Jira administrators may create global templates".to_owned()),
        Scope::Projects(keys) => match keys.iter().find(|k| {
            facts
                .projects
                .get(k.as_str())
                .is_none_or(|p| !(p.admin || p.lead))
        }) {
            Some(key) => Err(format!(
                "only administrators and the lead of project {key} may scope templates to it"
            )),
            None => Ok(()),
        },
        Scope::Groups(groups) => match groups.iter().find(|g| !facts.groups.contains(g.as_str())) {
            Some(group) => Err(format!(
                "only members of group {group} may scope templates to it"
            )),
            None => Ok(()),
        },
    }
}
