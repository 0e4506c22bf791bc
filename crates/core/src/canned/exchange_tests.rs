use serde_json::json;

use super::*;
use crate::canned::model::Scope;
use crate::template::issue_schema;

fn file(templates: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"format": EXPORT_FORMAT, "version": 1, "templates": templates}))
        .unwrap()
}

fn good(name: &str) -> Value {
    json!({"name": name, "body": "Hi {{ reporter.first_name }}", "scope": {"kind": "global"}})
}

fn problems(bytes: &[u8]) -> Vec<String> {
    match parse_import(bytes, &issue_schema(&[])) {
        Err(ImportError::Problems(p)) => p
            .into_iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn an_export_reads_back_as_the_same_drafts() {
    let drafts = parse_import(&file(json!([good("A"), good("B")])), &issue_schema(&[])).unwrap();
    let again = serde_json::to_vec(&Export::new(drafts.clone())).unwrap();
    assert_eq!(parse_import(&again, &issue_schema(&[])).unwrap(), drafts);
    assert_eq!(drafts[1].name, "B");
    assert_eq!(drafts[0].scope, Scope::Global);
}

#[test]
fn every_problem_is_reported_with_its_position() {
    let bytes = file(json!([
        good("A"),
        good("B"),
        {"name": "C", "body": "x", "scope": {"kind": "team"}},
        {"name": "D", "body": "Hi\n{{ reporter.frist_name }}", "scope": {"kind": "global"}},
        {"name": "", "body": "{% for %}", "scope": {"kind": "projects", "values": []}},
        good("A"),
        {"name": "E", "body": "x", "scope": {"kind": "global"}, "tags": "not-a-list"},
    ]));
    let got = problems(&bytes);
    assert_eq!(got.len(), 7, "{got:#?}");
    assert!(got[0].starts_with("templates[2].scope"), "{got:#?}");
    assert_eq!(
        got[1],
        "templates[3].body: unknown variable reporter.frist_name (line 2)"
    );
    assert_eq!(got[2], "templates[4].name: must not be empty");
    assert_eq!(
        got[3],
        "templates[4].scope.values: must name at least one project"
    );
    assert!(
        got[4].starts_with("templates[4].body: syntax error"),
        "{got:#?}"
    );
    assert_eq!(
        got[5],
        "templates[5].name: same name and scope as templates[0]"
    );
    assert!(got[6].starts_with("templates[6].tags"), "{got:#?}");
}

#[test]
fn the_envelope_is_checked() {
    let bad =
        serde_json::to_vec(&json!({"format": "other", "version": 2, "templates": {}})).unwrap();
    let got = problems(&bad);
    assert_eq!(got[0], "format: must be \"postroom.templates\"");
    assert!(
        got[1].starts_with("version: version 2 is not supported"),
        "{got:?}"
    );
    assert_eq!(got[2], "templates: must be a list");
}

#[test]
fn broken_json_says_where() {
    match parse_import(b"{\"format\":\n  oops}", &issue_schema(&[])) {
        Err(ImportError::Json { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_import(b"", &issue_schema(&[])),
        Err(ImportError::Json { .. })
    ));
}

#[test]
fn an_empty_list_imports_nothing() {
    assert_eq!(
        parse_import(&file(json!([])), &issue_schema(&[])).unwrap(),
        vec![]
    );
}
