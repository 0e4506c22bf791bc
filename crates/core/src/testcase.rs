//! Test cases: a real mail with the plan it produced when it was recorded, so that a profile
//! change can be checked against the mail the site actually receives before it is imported.
//!
//! A [`Snapshot`] is the part of a dry-run [`Outcome`] a decision consists of (action with
//! project, fields and the rest of its keys, thread, classification, directives), flattened
//! to dotted paths so that a difference names exactly the field that changed. The message
//! itself (body, attachments) and the report's wording are left out: they do not depend on
//! the profile, and the report's prose would turn every rewording into a failed case.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::message::{Message, ParseError, ParseLimits};
use crate::outcome::{Outcome, Source};
use crate::plan;
use crate::profile::CheckedProfile;

/// The decision for one mail, as `path → value` (`action.project`, `classification.kind`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Snapshot(BTreeMap<String, Value>);

/// One field whose value differs; `null` stands for a field one side does not have.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub field: String,
    pub expected: Value,
    pub actual: Value,
}

impl Snapshot {
    /// The decision recorded in a dry-run outcome.
    pub fn of(outcome: &Outcome) -> Self {
        let mut fields = BTreeMap::new();
        let parts = [
            ("action", serde_json::to_value(&outcome.action)),
            ("thread", serde_json::to_value(&outcome.thread)),
            (
                "classification",
                serde_json::to_value(&outcome.classification),
            ),
            ("directives", serde_json::to_value(&outcome.directives)),
        ];
        for (name, value) in parts {
            // These types serialize to JSON by construction; a failure would be a bug in
            // their Serialize impls, and it shows up as a null field rather than a panic.
            flatten(name, value.unwrap_or(Value::Null), &mut fields);
        }
        Self(fields)
    }

    /// The decision `profile` makes for the mail `raw` now: exactly the dry-run path of
    /// `postroom process --dry-run` (lookups unanswered), so a test case and a dry run of
    /// the same file can never disagree.
    pub fn replay(
        raw: &[u8],
        limits: &ParseLimits,
        profile: &CheckedProfile,
    ) -> Result<Self, ParseError> {
        let parsed = Message::parse(raw, limits)?;
        let source = Source {
            path: "testcase".to_owned(),
            index: 0,
        };
        Ok(Self::of(&plan::outcome(source, &parsed, profile)))
    }

    /// Every field that differs between `self` (expected) and `actual`, by path.
    pub fn diff(&self, actual: &Snapshot) -> Vec<Change> {
        let paths: std::collections::BTreeSet<&String> =
            self.0.keys().chain(actual.0.keys()).collect();
        paths
            .into_iter()
            .filter_map(|path| {
                let expected = self.0.get(path).unwrap_or(&Value::Null);
                let now = actual.0.get(path).unwrap_or(&Value::Null);
                (expected != now).then(|| Change {
                    field: path.clone(),
                    expected: expected.clone(),
                    actual: now.clone(),
                })
            })
            .collect()
    }

    /// The fields in path order, for display.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Objects become one entry per key (`a.b`); everything else, arrays included, one value.
/// An empty object is kept as itself so that "no directives" is still a field.
fn flatten(path: &str, value: Value, into: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                flatten(&format!("{path}.{key}"), inner, into);
            }
        }
        other => {
            into.insert(path.to_owned(), other);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn snapshot(value: Value) -> Snapshot {
        let mut fields = BTreeMap::new();
        if let Value::Object(map) = value {
            for (k, v) in map {
                flatten(&k, v, &mut fields);
            }
        }
        Snapshot(fields)
    }

    #[test]
    fn a_changed_nested_field_is_named_by_its_path() {
        let before = snapshot(json!({"action": {"kind": "create_issue", "project": "BIL"}}));
        let after = snapshot(json!({"action": {"kind": "create_issue", "project": "FIN"}}));
        assert_eq!(
            before.diff(&after),
            vec![Change {
                field: "action.project".into(),
                expected: json!("BIL"),
                actual: json!("FIN"),
            }]
        );
    }

    #[test]
    fn a_field_present_on_one_side_only_differs_from_null() {
        let before = snapshot(json!({"action": {"kind": "ignore"}}));
        let after = snapshot(json!({"action": {"kind": "ignore", "fields": {"Partner": "ACME"}}}));
        let changes = before.diff(&after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "action.fields.Partner");
        assert_eq!(changes[0].expected, Value::Null);
    }

    #[test]
    fn equal_snapshots_have_no_changes_and_survive_a_json_round_trip() {
        let s = snapshot(json!({"action": {"labels": ["a", "b"]}, "directives": {}}));
        let back: Snapshot = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(s.diff(&back), vec![]);
        assert!(s.fields().any(|(k, _)| k == "directives"));
    }
}
