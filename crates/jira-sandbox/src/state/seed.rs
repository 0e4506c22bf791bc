//! The seeded site every sandbox starts from: project SUP, its workflow, and its people.

use std::collections::BTreeMap;

use super::model::{
    AccountType, ForgeState, Group, IssueType, LinkType, OAuthState, PermissionScheme, Project,
    Role, Status, Transition, User,
};
use super::site::{CustomField, NextIds, Priority, Site};

/// API token of every seeded licensed account (Basic auth `email:sandbox`).
pub const API_TOKEN: &str = "sandbox";
/// E-mail of the seeded site administrator.
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// E-mail of the seeded agent.
pub const AGENT_EMAIL: &str = "agent@example.com";
/// E-mail of the seeded developer: a licensed account in no project role, who may browse
/// a project only under the default permission scheme.
pub const DEVELOPER_EMAIL: &str = "dev@example.com";
/// Account id of the seeded administrator.
pub const ADMIN_ACCOUNT_ID: &str = "557058:0b5e0000-0000-4000-8000-000000000001";
/// Account id of the seeded agent.
pub const AGENT_ACCOUNT_ID: &str = "557058:0b5e0000-0000-4000-8000-000000000002";
/// Account id of the seeded developer.
pub const DEVELOPER_ACCOUNT_ID: &str = "557058:0b5e0000-0000-4000-8000-000000000003";
/// Personal access token of the administrator (Bearer).
pub const ADMIN_PAT: &str = "sandbox-pat-admin";
/// Personal access token of the agent (Bearer).
pub const AGENT_PAT: &str = "sandbox-pat-agent";
/// Seeded OAuth 2.0 client id.
pub const OAUTH_CLIENT_ID: &str = "sandbox-client";
/// Seeded OAuth 2.0 client secret.
pub const OAUTH_CLIENT_SECRET: &str = "sandbox-secret";
/// The sandbox site's cloud id, as `accessible-resources` lists it.
pub const SANDBOX_CLOUD_ID: &str = "0b5e0000-c10d-4000-8000-000000000001";
/// An Atlassian account that may sign in through the sandbox's OAuth consent page but
/// belongs to another site: its `accessible-resources` name only [`OTHER_SITE_URL`].
pub const OUTSIDER_ACCOUNT_ID: &str = "557058:0b5e0000-0000-4000-8000-000000000099";
pub const OUTSIDER_EMAIL: &str = "outsider@elsewhere.example";
/// The site the outsider can reach.
pub const OTHER_SITE_URL: &str = "https://elsewhere.atlassian.net";
/// Its cloud id.
pub const OTHER_CLOUD_ID: &str = "0b5e0000-c10d-4000-8000-000000000099";
/// Id of the "E-mail participants" text custom field.
pub const EMAIL_PARTICIPANTS_FIELD: &str = "customfield_10050";
/// Name of the project role whose members are agents.
pub const AGENT_ROLE: &str = "Service Desk Team";

fn user(id: &str, email: &str, name: &str, kind: AccountType, pat: Option<&str>) -> User {
    let licensed = kind == AccountType::Atlassian;
    User {
        account_id: id.to_owned(),
        email: email.to_owned(),
        display_name: name.to_owned(),
        account_type: kind,
        api_token: licensed.then(|| API_TOKEN.to_owned()),
        pat: pat.map(str::to_owned),
        site_admin: email == ADMIN_EMAIL,
        active: true,
    }
}

fn status(id: &str, name: &str, category: &str) -> Status {
    Status {
        id: id.to_owned(),
        name: name.to_owned(),
        category: category.to_owned(),
    }
}

fn transition(id: &str, name: &str, from: &[&str], to: &str) -> Transition {
    Transition {
        id: id.to_owned(),
        name: name.to_owned(),
        from: from.iter().map(|s| (*s).to_owned()).collect(),
        to: to.to_owned(),
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// Builds the seeded site.
pub fn seed() -> Site {
    let customers = [
        (
            "qm:0b5e0000-0000-4000-8000-000000000101",
            "alice@customer.example",
            "Alice Customer",
        ),
        (
            "qm:0b5e0000-0000-4000-8000-000000000102",
            "bob@customer.example",
            "Bob Customer",
        ),
        (
            "qm:0b5e0000-0000-4000-8000-000000000103",
            "carol@customer.example",
            "Carol Customer",
        ),
    ];
    let mut users = vec![
        user(
            ADMIN_ACCOUNT_ID,
            ADMIN_EMAIL,
            "Sandbox Admin",
            AccountType::Atlassian,
            Some(ADMIN_PAT),
        ),
        user(
            AGENT_ACCOUNT_ID,
            AGENT_EMAIL,
            "Sandbox Agent",
            AccountType::Atlassian,
            Some(AGENT_PAT),
        ),
        user(
            DEVELOPER_ACCOUNT_ID,
            DEVELOPER_EMAIL,
            "Sandbox Developer",
            AccountType::Atlassian,
            None,
        ),
    ];
    users.extend(
        customers
            .iter()
            .map(|(id, e, n)| user(id, e, n, AccountType::Customer, None)),
    );
    let customer_ids: Vec<String> = customers
        .iter()
        .map(|(id, _, _)| (*id).to_owned())
        .collect();
    let staff = ids(&[ADMIN_ACCOUNT_ID, AGENT_ACCOUNT_ID]);
    let mut oauth = OAuthState::default();
    oauth
        .clients
        .insert(OAUTH_CLIENT_ID.to_owned(), OAUTH_CLIENT_SECRET.to_owned());
    Site {
        users,
        projects: vec![Project {
            id: "10000".into(),
            key: "SUP".into(),
            name: "Support".into(),
            lead: ADMIN_ACCOUNT_ID.into(),
            issue_types: vec![
                IssueType {
                    id: "10001".into(),
                    name: "Task".into(),
                },
                IssueType {
                    id: "10002".into(),
                    name: "Bug".into(),
                },
                IssueType {
                    id: "10003".into(),
                    name: "Service Request".into(),
                },
            ],
            permission_scheme: PermissionScheme::Default,
        }],
        statuses: vec![
            status("1", "Open", "new"),
            status("3", "In Progress", "indeterminate"),
            status("10001", "Waiting for customer", "indeterminate"),
            status("5", "Resolved", "done"),
            status("6", "Closed", "done"),
        ],
        transitions: vec![
            transition("11", "Start progress", &["1"], "3"),
            transition("21", "Wait for customer", &["1", "3"], "10001"),
            transition("31", "Respond to customer", &["10001"], "3"),
            transition("41", "Resolve", &["1", "3", "10001"], "5"),
            transition("51", "Close", &["1", "3", "10001", "5"], "6"),
            transition("61", "Reopen", &["5", "6"], "1"),
        ],
        priorities: vec![
            Priority {
                id: "1".into(),
                name: "Highest".into(),
                color: "#d04437".into(),
            },
            Priority {
                id: "2".into(),
                name: "High".into(),
                color: "#f15C75".into(),
            },
            Priority {
                id: "3".into(),
                name: "Medium".into(),
                color: "#f79232".into(),
            },
            Priority {
                id: "4".into(),
                name: "Low".into(),
                color: "#707070".into(),
            },
            Priority {
                id: "5".into(),
                name: "Lowest".into(),
                color: "#999999".into(),
            },
        ],
        default_priority: "3".into(),
        custom_fields: vec![CustomField {
            id: EMAIL_PARTICIPANTS_FIELD.into(),
            name: "E-mail participants".into(),
        }],
        issues: BTreeMap::new(),
        attachments: BTreeMap::new(),
        links: Vec::new(),
        link_types: vec![
            LinkType {
                id: "10000".into(),
                name: "Blocks".into(),
                inward: "is blocked by".into(),
                outward: "blocks".into(),
            },
            LinkType {
                id: "10001".into(),
                name: "Relates".into(),
                inward: "relates to".into(),
                outward: "relates to".into(),
            },
            LinkType {
                id: "10002".into(),
                name: "Duplicate".into(),
                inward: "is duplicated by".into(),
                outward: "duplicates".into(),
            },
        ],
        groups: vec![
            Group {
                id: "0b5e0000-0000-4000-9000-000000000001".into(),
                name: "site-admins".into(),
                members: ids(&[ADMIN_ACCOUNT_ID]),
            },
            Group {
                id: "0b5e0000-0000-4000-9000-000000000002".into(),
                name: "jira-servicemanagement-users".into(),
                members: staff.clone(),
            },
        ],
        roles: vec![
            Role {
                id: 10002,
                name: "Administrators".into(),
                members: ids(&[ADMIN_ACCOUNT_ID]),
            },
            Role {
                id: 10101,
                name: AGENT_ROLE.into(),
                members: staff,
            },
            Role {
                id: 10100,
                name: "Service Desk Customers".into(),
                members: customer_ids,
            },
        ],
        webhooks: Vec::new(),
        forge: ForgeState::default(),
        oauth,
        indexed_properties: Vec::new(),
        next_ids: NextIds {
            issue: 10000,
            comment: 10000,
            attachment: 10000,
            link: 10000,
            webhook: 1,
            issue_number: BTreeMap::new(),
            changelog: 10000,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_workflow_reaches_every_status_and_reopens() {
        let site = seed();
        for status in &site.statuses {
            let reachable = site.transitions.iter().any(|t| t.to == status.id);
            assert!(reachable, "status {} unreachable", status.name);
        }
        let from_closed: Vec<_> = site
            .transitions_from("6")
            .iter()
            .map(|t| t.name.clone())
            .collect();
        assert_eq!(from_closed, vec!["Reopen".to_owned()]);
    }

    #[test]
    fn customers_have_no_api_token_and_staff_do() {
        let site = seed();
        assert_eq!(
            site.users.iter().filter(|u| u.api_token.is_some()).count(),
            3,
            "the administrator, the agent and the developer"
        );
        assert!(
            site.user_by_email("ADMIN@example.com")
                .is_some_and(|u| u.site_admin)
        );
    }
}
