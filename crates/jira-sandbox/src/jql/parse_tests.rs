//! Parser tests: accepted shapes and refusals with Jira's message style.

use super::*;

fn clause(q: &Query) -> &Clause {
    match &q.expr {
        Some(Expr::Clause(c)) => c,
        other => panic!("not a single clause: {other:?}"),
    }
}

#[test]
fn parses_postroom_recovery_query() {
    let q = parse(
        "project = SUP AND creator = currentUser() AND created >= -15m ORDER BY created DESC",
    )
    .unwrap();
    assert!(matches!(q.expr, Some(Expr::And(_, _))));
    assert_eq!(
        q.order,
        vec![OrderBy {
            field: "created".into(),
            descending: true
        }]
    );
}

#[test]
fn parses_properties_lists_and_quoted_fields() {
    let q = parse("issue.property[postroom.idem].key = \"<a@b>\"").unwrap();
    assert_eq!(
        clause(&q).field,
        Field::Property {
            key: "postroom.idem".into(),
            path: "key".into()
        }
    );
    let q = parse("key in (SUP-1, 'SUP-2')").unwrap();
    assert_eq!(
        clause(&q).operand,
        Operand::List(vec!["SUP-1".into(), "SUP-2".into()])
    );
    let q = parse("\"summary\" ~ \"printer on fire\"").unwrap();
    assert_eq!(clause(&q).field, Field::Named("summary".into()));
    assert_eq!(
        parse("").unwrap(),
        Query {
            expr: None,
            order: vec![]
        }
    );
    assert!(parse("ORDER BY key").unwrap().expr.is_none());
}

#[test]
fn refuses_what_it_does_not_understand() {
    for bad in [
        "project SUP",
        "project =",
        "project = SUP AND",
        "(project = SUP",
        "project = SUP ORDER created",
        "NOT project = SUP",
        "assignee IS EMPTY",
        "key NOT IN (SUP-1)",
        "project = SUP project = SUP",
        "key in SUP-1",
    ] {
        assert!(parse(bad).is_err(), "accepted {bad}");
    }
    let Err(JqlError::Syntax(msg)) = parse("project SUP") else {
        panic!()
    };
    assert!(
        msg.starts_with("Error in the JQL Query: Expecting operator"),
        "{msg}"
    );
    assert!(msg.ends_with("(line 1, character 9)"), "{msg}");
}
