//! Golden test of a typical canned response, end to end through core: the issue as the
//! Tracker returns it → render context → rendered Markdown → ADF (Jira Cloud) and wiki
//! markup (Data Center). Files in `tests/template_golden/`; the benchmark renders the same.
//!
//! After a deliberate change, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p postroom-core --test template_golden` and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use postroom_core::adf::validate as validate_adf;
use postroom_core::markup;
use postroom_core::ports::tracker::{Field, Issue, User};
use postroom_core::template::{
    CalendarDate, Compiled, Format, IssueContext, Rendered, issue_schema, limits, validate,
};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template_golden")
}

fn check(name: &str, actual: &str) {
    let path = dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(actual, expected, "{name} differs");
}

fn fields() -> Vec<Field> {
    vec![Field {
        id: "customfield_10050".to_owned(),
        name: "Customer Tier".to_owned(),
        custom: true,
    }]
}

fn agent() -> User {
    User {
        account_id: "u-9".to_owned(),
        display_name: "Alan Turing".to_owned(),
        email: None,
        active: true,
    }
}

fn typical_issue() -> Issue {
    serde_json::from_str(&std::fs::read_to_string(dir().join("typical.issue.json")).unwrap())
        .unwrap()
}

/// The typical template rendered for `issue` by agent Alan Turing on 2026-11-23.
fn render_typical(issue: &Issue) -> Rendered {
    let source = std::fs::read_to_string(dir().join("typical.md.j2")).unwrap();
    let (fields, agent) = (fields(), agent());
    let context = IssueContext {
        issue,
        fields: &fields,
        agent: &agent,
        today: CalendarDate::new(2026, 11, 23).unwrap(),
        site_url: "https://example.atlassian.net",
    }
    .build();
    Compiled::new(&source, Format::Markup)
        .unwrap()
        .render(&context)
        .unwrap()
}

#[test]
fn typical_canned_response_renders_to_adf_and_wiki() {
    let source = std::fs::read_to_string(dir().join("typical.md.j2")).unwrap();
    validate(&source, &issue_schema(&fields())).unwrap();

    let rendered = render_typical(&typical_issue());
    assert!(rendered.missing.is_empty(), "{:?}", rendered.missing);
    assert!(
        rendered.fuel_used > 0 && rendered.fuel_used < limits::FUEL / 20,
        "a typical response should use a small part of the budget, used {}",
        rendered.fuel_used
    );

    let doc = markup::to_adf(&rendered.text);
    validate_adf(&doc).unwrap();
    check("typical.rendered.md", &rendered.text);
    check(
        "typical.adf.json",
        &(serde_json::to_string_pretty(&doc).unwrap() + "\n"),
    );
    check("typical.wiki", &(markup::to_wiki(&rendered.text) + "\n"));
}

#[test]
fn unassigned_issue_takes_the_other_branch_and_reports_it() {
    let mut issue = typical_issue();
    issue
        .fields
        .insert("assignee".to_owned(), serde_json::Value::Null);
    issue.fields.remove("duedate");
    let rendered = render_typical(&issue);
    assert!(
        rendered
            .text
            .contains("Our support team will pick it up shortly.")
    );
    assert!(rendered.text.contains("by\nthe end of the week."));
    assert_eq!(
        rendered.missing,
        ["assignee.display_name", "issue.due_date"]
    );
}
