#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The scope × role matrix through the service, with the caller's standing read from the
//! sandbox: the seeded admin (site-admins, project Administrators, lead of SUP) and agent
//! (jira-servicemanagement-users, Service Desk Team of SUP), then the agent given more
//! standing through Jira's own REST API.

mod responses_support;

use postroom_core::canned::Scope;
use postroom_core::ports::tracker::Dialect;
use postroom_engine::responses::ResponsesError;
use reqwest::Method;
use responses_support::{ADMIN, AGENT, World, draft, world};
use serde_json::json;

const NAMES: [&str; 7] = [
    "personal of admin",
    "personal of agent",
    "global",
    "project SUP",
    "project OPS",
    "group jira-servicemanagement-users",
    "group tier-2",
];

/// Stores one template of each kind directly (bypassing creation checks); returns ids in
/// the order of [`NAMES`].
async fn seed(w: &World) -> Vec<String> {
    let scopes = [
        (Scope::Personal, ADMIN),
        (Scope::Personal, AGENT),
        (Scope::Global, ADMIN),
        (Scope::Projects(vec!["SUP".into()]), ADMIN),
        (Scope::Projects(vec!["OPS".into()]), ADMIN),
        (
            Scope::Groups(vec!["jira-servicemanagement-users".into()]),
            ADMIN,
        ),
        (Scope::Groups(vec!["tier-2".into()]), ADMIN),
    ];
    let mut ids = Vec::new();
    for ((scope, owner), name) in scopes.into_iter().zip(NAMES) {
        let t = w
            .templates
            .create(&draft(name, "Hi", scope), owner, 1)
            .await
            .unwrap();
        ids.push(t.id);
    }
    ids
}

/// `V`iew `U`se `E`dit `D`elete for `who` on each seeded template; delete is tried last,
/// so the store is reseeded by the caller between callers.
async fn rights(w: &World, who: &str, ids: &[String]) -> Vec<String> {
    let service = w.as_(who);
    let listed: Vec<String> = service
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.template.id)
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let view = service.get(id).await.is_ok();
        assert_eq!(view, listed.contains(id), "list and get agree on {id}");
        let current = w.templates.get(id).await.unwrap().unwrap().draft;
        let edit = match service.update(id, current, 2).await {
            Ok(_) => true,
            Err(ResponsesError::Forbidden(_)) => {
                assert!(view, "403 only for a template the caller sees");
                false
            }
            Err(ResponsesError::NotFound(_)) => false,
            Err(e) => panic!("{e}"),
        };
        let delete = service.delete(id).await.is_ok();
        let flag = |on, c| if on { c } else { '-' };
        out.push(
            [
                flag(view, 'V'),
                flag(view, 'U'),
                flag(edit, 'E'),
                flag(delete, 'D'),
            ]
            .iter()
            .collect(),
        );
    }
    out
}

async fn fresh_rights(w: &World, who: &str) -> Vec<String> {
    for t in w.templates.list().await.unwrap() {
        w.templates.delete(&t.id).await.unwrap();
    }
    let ids = seed(w).await;
    rights(w, who, &ids).await
}

#[tokio::test]
async fn matrix_for_the_seeded_admin_and_agent() {
    let w = world(Dialect::CloudV3).await;
    let admin = fresh_rights(&w, ADMIN).await;
    assert_eq!(
        admin,
        ["VUED", "---D", "VUED", "VUED", "VUED", "VUED", "VUED"],
        "{NAMES:?}"
    );
    let agent = fresh_rights(&w, AGENT).await;
    assert_eq!(
        agent,
        ["----", "VUED", "VU--", "VU--", "----", "VU--", "----"],
        "{NAMES:?}"
    );
}

#[tokio::test]
async fn standing_granted_in_jira_changes_the_matrix() {
    let w = world(Dialect::CloudV3).await;
    w.call(Method::POST, "3/group", Some(json!({"name": "tier-2"})))
        .await;
    w.call(
        Method::POST,
        "3/group/user?groupname=tier-2",
        Some(json!({"accountId": AGENT})),
    )
    .await;
    w.call(
        Method::POST,
        "3/project/SUP/role/10002",
        Some(json!({"user": [AGENT]})),
    )
    .await;
    let agent = fresh_rights(&w, AGENT).await;
    assert_eq!(
        agent,
        ["----", "VUED", "VU--", "VUED", "----", "VU--", "VU--"],
        "{NAMES:?}"
    );
}

#[tokio::test]
async fn creating_needs_standing_for_the_scope() {
    let w = world(Dialect::CloudV3).await;
    let agent = w.as_(AGENT);
    let denied = [
        Scope::Global,
        Scope::Projects(vec!["SUP".into()]),
        Scope::Groups(vec!["site-admins".into()]),
    ];
    for scope in denied {
        let err = agent
            .create(draft("x", "Hi", scope.clone()), 1)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ResponsesError::Forbidden(_)),
            "{scope:?}: {err}"
        );
    }
    let allowed = [
        Scope::Personal,
        Scope::Groups(vec!["jira-servicemanagement-users".into()]),
    ];
    for scope in allowed {
        let made = agent.create(draft("x", "Hi", scope), 1).await.unwrap();
        assert_eq!(made.owner, AGENT);
    }
    let made = w
        .as_(ADMIN)
        .create(draft("g", "Hi", Scope::Global), 1)
        .await
        .unwrap();
    let err = agent
        .update(&made.id, draft("g", "Hi", Scope::Personal), 2)
        .await
        .unwrap_err();
    assert!(matches!(err, ResponsesError::Forbidden(_)), "{err}");
}

#[tokio::test]
async fn invalid_drafts_name_every_problem() {
    let w = world(Dialect::CloudV3).await;
    let mut bad = draft(" ", "Hello {{ reporter.frist_name }}", Scope::Personal);
    bad.tags = vec![String::new()];
    match w.as_(AGENT).create(bad, 1).await.unwrap_err() {
        ResponsesError::Invalid(problems) => {
            let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
            assert_eq!(fields, ["name", "body"], "{problems:?}");
            assert!(problems[1].message.contains("reporter.frist_name"));
        }
        e => panic!("{e}"),
    }
    let custom = draft(
        "c",
        "{{ issue.fields['E-mail participants'] }} {{ issue.fields.customfield_10050 }}",
        Scope::Personal,
    );
    assert!(w.as_(AGENT).create(custom, 1).await.is_ok());
    let unknown = draft("c", "{{ issue.fields.customfield_99999 }}", Scope::Personal);
    assert!(matches!(
        w.as_(AGENT).create(unknown, 1).await,
        Err(ResponsesError::Invalid(_))
    ));
}
