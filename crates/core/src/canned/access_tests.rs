//! The scope × role table: for each scope and kind of caller, which of view, use, edit and
//! delete are allowed.

use super::access::{Access, Action, CallerFacts, ProjectFacts, access, may_create};
use super::model::Scope;

const OWNER: &str = "acc-owner";

fn caller(name: &str) -> CallerFacts {
    let mut facts = CallerFacts {
        account_id: format!("acc-{name}"),
        ..CallerFacts::default()
    };
    let standing = |member, admin, lead| ProjectFacts {
        member,
        admin,
        lead,
    };
    match name {
        "jira-admin" => facts.jira_admin = true,
        "group-member" => {
            facts.groups.insert("tier-2".into());
        }
        "project-member" => {
            facts
                .projects
                .insert("SUP".into(), standing(true, false, false));
        }
        "project-admin" => {
            facts
                .projects
                .insert("SUP".into(), standing(true, true, false));
        }
        "project-lead" => {
            facts
                .projects
                .insert("SUP".into(), standing(false, false, true));
        }
        "other-project-admin" => {
            facts
                .projects
                .insert("OPS".into(), standing(true, true, false));
        }
        _ => {}
    }
    facts
}

/// `V`iew, `U`se, `E`dit, `D`elete, `-` for refused.
fn rights(scope: &Scope, who: &str) -> String {
    let a = access(scope, OWNER, &caller(who));
    [
        (Action::View, 'V'),
        (Action::Use, 'U'),
        (Action::Edit, 'E'),
        (Action::Delete, 'D'),
    ]
    .iter()
    .map(|&(action, c)| if a.allows(action) { c } else { '-' })
    .collect()
}

#[test]
fn scope_by_role_matrix() {
    let personal = Scope::Personal;
    let projects = Scope::Projects(vec!["SUP".into(), "HR".into()]);
    let groups = Scope::Groups(vec!["tier-2".into(), "billing".into()]);
    let global = Scope::Global;
    #[rustfmt::skip]
    let table: [(&str, [&str; 4]); 8] = [
        //                      personal  projects  groups  global
        ("owner",               ["VUED", "----", "VUED", "VU--"]),
        ("stranger",            ["----", "----", "----", "VU--"]),
        ("jira-admin",          ["---D", "VUED", "VUED", "VUED"]),
        ("group-member",        ["----", "----", "VU--", "VU--"]),
        ("project-member",      ["----", "VU--", "----", "VU--"]),
        ("project-admin",       ["----", "VUED", "----", "VU--"]),
        ("project-lead",        ["----", "VUED", "----", "VU--"]),
        ("other-project-admin", ["----", "----", "----", "VU--"]),
    ];
    for (who, expected) in table {
        for (scope, want) in [&personal, &projects, &groups, &global]
            .iter()
            .zip(expected)
        {
            assert_eq!(rights(scope, who), want, "{who} on {}", scope.kind());
        }
    }
}

#[test]
fn owner_match_needs_a_real_account() {
    let anonymous = CallerFacts::default();
    assert_eq!(access(&Scope::Personal, "", &anonymous), Access::Invisible);
}

#[test]
fn personal_templates_of_others_are_never_visible() {
    for who in ["jira-admin", "stranger", "project-admin", "group-member"] {
        assert!(
            !access(&Scope::Personal, OWNER, &caller(who)).visible(),
            "{who}"
        );
    }
}

#[test]
fn who_may_create_which_scope() {
    let projects = Scope::Projects(vec!["SUP".into()]);
    let two_projects = Scope::Projects(vec!["SUP".into(), "OPS".into()]);
    let groups = Scope::Groups(vec!["tier-2".into()]);
    #[rustfmt::skip]
    let table: [(&str, [bool; 5]); 5] = [
        //                 personal global projects two_projects groups
        ("stranger",       [true,    false, false,   false,       false]),
        ("jira-admin",     [true,    true,  true,    true,        true]),
        ("project-admin",  [true,    false, true,    false,       false]),
        ("project-member", [true,    false, false,   false,       false]),
        ("group-member",   [true,    false, false,   false,       true]),
    ];
    for (who, expected) in table {
        let facts = caller(who);
        for (scope, want) in [
            &Scope::Personal,
            &Scope::Global,
            &projects,
            &two_projects,
            &groups,
        ]
        .iter()
        .zip(expected)
        {
            assert_eq!(
                may_create(scope, &facts).is_ok(),
                want,
                "{who} creating {scope:?}"
            );
        }
    }
    let why = may_create(&two_projects, &caller("project-admin")).unwrap_err();
    assert!(why.contains("OPS"), "{why}");
}
