//! How `testcase run` and `testcase show` print a case: one line per changed field with the
//! expected and the actual value, so a reviewer sees exactly what a profile change moves.

use std::fmt::Write as _;

use postroom_core::testcase::Change;
use postroom_engine::testcases::TestCase;
use serde_json::{Value, json};

/// The text block of one replayed case.
pub fn text(case: &TestCase, changes: &[Change]) -> String {
    let mut out = String::new();
    let verdict = if changes.is_empty() {
        "unchanged".to_owned()
    } else {
        format!("{} changed", plural(changes.len(), "field"))
    };
    let _ = writeln!(out, "== {} ({}): {verdict}", case.name, case.id);
    for change in changes {
        let _ = writeln!(
            out,
            "   {}: {} -> {}",
            change.field,
            value(&change.expected),
            value(&change.actual)
        );
    }
    out
}

/// The last line of a text run.
pub fn summary(cases: usize, changed: usize) -> String {
    format!("{}, {changed} changed", plural(cases, "test case"))
}

/// The JSON line of one replayed case.
pub fn json(case: &TestCase, changes: &[Change]) -> Value {
    json!({
        "id": case.id,
        "name": case.name,
        "changed": !changes.is_empty(),
        "changes": changes,
    })
}

/// One case with every field of its expected plan.
pub fn show(case: &TestCase) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "id:       {}", case.id);
    let _ = writeln!(out, "name:     {}", case.name);
    let _ = writeln!(
        out,
        "added:    {}",
        crate::app::format_ms(case.created_at_ms)
    );
    let _ = writeln!(
        out,
        "accepted: {}",
        crate::app::format_ms(case.updated_at_ms)
    );
    let _ = writeln!(out, "expected plan:");
    for (field, v) in case.expected.fields() {
        let _ = writeln!(out, "   {field}: {}", value(v));
    }
    out
}

/// A value as compact JSON; `(none)` for a field that is absent.
fn value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".to_owned(),
        other => other.to_string(),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
