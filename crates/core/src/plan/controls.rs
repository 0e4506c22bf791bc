//! Text Jira may refuse never reaches it: NUL and the other C0 control characters that a
//! mail can carry (a raw NUL in a body, an escape sequence in a subject) make Jira answer
//! 400 or store a document it cannot show. They are taken out of every text the action
//! sends, and the report says how many and where. Tab, line feed and carriage return stay
//! where a text may have lines (bodies, field values); one-line texts (summaries) get a
//! space in their place.

use std::collections::BTreeMap;

use serde_json::Value;

use super::action::{Action, OnClosed};

/// Removes control characters from the texts of `action`; a line in `report` names the
/// texts that had any.
pub(super) fn strip(mut action: Action, report: &mut Vec<String>) -> Action {
    let mut found = Found::default();
    match &mut action {
        Action::CreateIssue {
            summary,
            body,
            fields,
            ..
        } => {
            found.count("summary", one_line(summary));
            found.count("description", lines(body));
            found.count("field values", in_fields(fields));
        }
        Action::AddComment {
            body,
            fields,
            on_closed,
            ..
        } => {
            found.count("comment", lines(body));
            found.count("field values", in_fields(fields));
            if let OnClosed::NewIssue { summary, .. } = on_closed {
                found.count("summary", one_line(summary));
            }
        }
        Action::Ignore { .. } | Action::Hold { .. } | Action::Reject { .. } => {}
    }
    if found.total > 0 {
        report.push(format!(
            "text: {} control character(s) removed from the {} (Jira refuses them)",
            found.total,
            found.places.join(", ")
        ));
    }
    action
}

#[derive(Default)]
struct Found {
    total: usize,
    places: Vec<&'static str>,
}

impl Found {
    fn count(&mut self, place: &'static str, removed: usize) {
        if removed > 0 {
            self.total += removed;
            self.places.push(place);
        }
    }
}

/// A C0 control character other than tab, line feed and carriage return.
fn is_refused(c: char) -> bool {
    c.is_ascii_control() && c != '\x7f' && !matches!(c, '\t' | '\n' | '\r')
}

/// Drops refused characters from a text with lines; how many went.
fn lines(text: &mut String) -> usize {
    let before = text.chars().count();
    text.retain(|c| !is_refused(c));
    before - text.chars().count()
}

/// Drops refused characters from a one-line text and turns tabs and line breaks into
/// spaces; how many characters were changed.
fn one_line(text: &mut String) -> usize {
    let changed = text
        .chars()
        .filter(|c| is_refused(*c) || matches!(c, '\t' | '\n' | '\r'))
        .count();
    if changed > 0 {
        *text = text
            .chars()
            .filter(|c| !is_refused(*c))
            .map(|c| if c.is_ascii_control() { ' ' } else { c })
            .collect();
    }
    changed
}

fn in_fields(fields: &mut BTreeMap<String, Value>) -> usize {
    fields.values_mut().map(in_value).sum()
}

fn in_value(value: &mut Value) -> usize {
    match value {
        Value::String(text) => lines(text),
        Value::Array(items) => items.iter_mut().map(in_value).sum(),
        Value::Object(map) => map.values_mut().map(in_value).sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn create(summary: &str, body: &str, fields: Value) -> Action {
        let Value::Object(fields) = fields else {
            unreachable!("fields are an object")
        };
        Action::CreateIssue {
            reason: String::new(),
            project: "SUP".to_owned(),
            issue_type: "Task".to_owned(),
            request_type: None,
            summary: summary.to_owned(),
            body: body.to_owned(),
            fields: fields.into_iter().collect(),
            attachments: Vec::new(),
            participants: Vec::new(),
            reporter: None,
            reporter_policy: None,
            attach_original: false,
            acknowledge: false,
        }
    }

    #[test]
    fn nul_and_escapes_go_while_lines_and_tabs_stay_in_bodies_and_fields() {
        let mut report = Vec::new();
        let action = strip(
            create(
                "printer\u{0}\u{1b}[31m on\tfire",
                "line one\u{0}\r\n\tindented\u{7}\n",
                json!({"labels": ["a\u{8}b"], "Notes": {"value": "x\ny\u{1f}"}, "n": 3}),
            ),
            &mut report,
        );
        let Action::CreateIssue {
            summary,
            body,
            fields,
            ..
        } = action
        else {
            unreachable!("still a create")
        };
        assert_eq!(summary, "printer[31m on fire");
        assert_eq!(body, "line one\r\n\tindented\n");
        assert_eq!(fields["labels"], json!(["ab"]));
        assert_eq!(fields["Notes"], json!({"value": "x\ny"}));
        assert_eq!(
            report,
            [
                "text: 7 control character(s) removed from the summary, description, field values \
              (Jira refuses them)"
            ]
        );
    }

    #[test]
    fn clean_text_is_left_alone_and_not_reported() {
        let mut report = Vec::new();
        let clean = create("Printer on fire", "Hello\r\n\tthere", json!({"x": "é ✓"}));
        assert_eq!(strip(clean.clone(), &mut report), clean);
        assert!(report.is_empty());
    }
}
