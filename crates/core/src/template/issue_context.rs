//! The render context of a Jira issue: the variables of canned responses and of issue
//! notifications, built from what the [`crate::ports::tracker`] port returns.
//!
//! The variable names are listed in the [`super`] module documentation; they are a
//! contract with template authors, and [`issue_schema`] lists the same names for
//! validation at save time.

use serde_json::{Map, Value, json};

use super::{CalendarDate, RenderContext, Schema};
use crate::adf::{Doc, to_text};
use crate::ports::tracker::{Field, Issue, User};

/// What a template about one issue can see: the issue as the tracker returned it, the site's
/// field list (to name custom fields), the agent who renders it and the reader's today.
#[derive(Debug, Clone, Copy)]
pub struct IssueContext<'a> {
    /// The issue, with the fields to show (ask the tracker for `*all` or the fields used).
    pub issue: &'a Issue,
    /// The site's fields, so that `issue.fields` also answers to field names.
    pub fields: &'a [Field],
    /// The agent applying a canned response, or the sender of a notification.
    pub agent: &'a User,
    /// Today's date in the reader's time zone (core reads no clock).
    pub today: CalendarDate,
    /// The site's base URL, e.g. `https://example.atlassian.net`, for `issue.link`.
    pub site_url: &'a str,
}

/// The person variables: `reporter`, `assignee` and `agent` each have these.
const PERSON_KEYS: [&str; 4] = ["display_name", "first_name", "email", "account_id"];

/// The fixed `issue.*` variables besides `issue.fields`.
const ISSUE_KEYS: [&str; 16] = [
    "key",
    "id",
    "summary",
    "status",
    "priority",
    "type",
    "resolution",
    "project.key",
    "project.name",
    "due_date",
    "created",
    "updated",
    "labels",
    "components",
    "description",
    "link",
];

impl IssueContext<'_> {
    /// Builds the variables. Fields that are empty in Jira are left out, so that rendering
    /// reports them as having no value.
    pub fn build(&self) -> RenderContext {
        let fields = &self.issue.fields;
        let mut issue = Map::new();
        issue.insert("key".to_owned(), json!(self.issue.key));
        issue.insert("id".to_owned(), json!(self.issue.id));
        let simple = [
            ("summary", "summary"),
            ("status", "status"),
            ("priority", "priority"),
            ("type", "issuetype"),
            ("resolution", "resolution"),
            ("due_date", "duedate"),
            ("created", "created"),
            ("updated", "updated"),
            ("labels", "labels"),
            ("components", "components"),
            ("description", "description"),
        ];
        for (name, id) in simple {
            if let Some(value) = fields.get(id).and_then(display_value) {
                issue.insert(name.to_owned(), value);
            }
        }
        if let Some(Value::Object(project)) = fields.get("project") {
            let mut out = Map::new();
            for key in ["key", "name"] {
                if let Some(value) = project.get(key).filter(|v| v.is_string()) {
                    out.insert(key.to_owned(), value.clone());
                }
            }
            issue.insert("project".to_owned(), Value::Object(out));
        }
        let base = self.site_url.trim_end_matches('/');
        issue.insert(
            "link".to_owned(),
            json!(format!("{base}/browse/{}", self.issue.key)),
        );
        issue.insert("fields".to_owned(), Value::Object(self.field_values()));

        let mut context = RenderContext::new();
        context.insert("issue", Value::Object(issue));
        context.insert("reporter", person_from_json(fields.get("reporter")));
        context.insert("assignee", person_from_json(fields.get("assignee")));
        context.insert("agent", person(Some(self.agent)));
        context.insert("today", json!(self.today.to_string()));
        context
    }

    /// Every non-empty field by id, and also by name where the name is unambiguous (no
    /// other field has it as name or id).
    fn field_values(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for (id, raw) in &self.issue.fields {
            if let Some(value) = display_value(raw) {
                out.insert(id.clone(), value);
            }
        }
        for field in named_fields(self.fields) {
            if let Some(value) = out.get(&field.id).cloned() {
                out.insert(field.name.clone(), value);
            }
        }
        out
    }
}

/// The names a template about an issue may use: the fixed variables, and `issue.fields.X`
/// for each field's id and name. Without a field list (the site's fields unknown), any
/// `issue.fields.X` is accepted.
pub fn issue_schema(fields: &[Field]) -> Schema {
    let mut paths: Vec<String> = ISSUE_KEYS.iter().map(|k| format!("issue.{k}")).collect();
    for person in ["reporter", "assignee", "agent"] {
        paths.extend(PERSON_KEYS.iter().map(|k| format!("{person}.{k}")));
    }
    paths.push("today".to_owned());
    if fields.is_empty() {
        paths.push("issue.fields".to_owned());
    }
    paths.extend(fields.iter().map(|f| format!("issue.fields.{}", f.id)));
    paths.extend(named_fields(fields).map(|f| format!("issue.fields.{}", f.name)));
    Schema::new(paths)
}

/// The fields that can be named: no other field has the same name, or that name as id.
fn named_fields(fields: &[Field]) -> impl Iterator<Item = &Field> {
    fields.iter().filter(|field| {
        fields
            .iter()
            .filter(|f| f.name == field.name || f.id == field.name)
            .count()
            == 1
    })
}

/// A field value as a template shows it: rich text as plain text, a user as their display
/// name, an option as its value, a named object (status, priority, version) as its name,
/// a list item by item. `None` for empty values and shapes with nothing to show.
fn display_value(raw: &Value) -> Option<Value> {
    match raw {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(raw.clone()),
        Value::Array(items) => {
            let shown: Vec<Value> = items.iter().filter_map(display_value).collect();
            (!shown.is_empty()).then_some(Value::Array(shown))
        }
        Value::Object(object) => {
            if object.get("type").and_then(Value::as_str) == Some("doc") {
                let doc: Doc = serde_json::from_value(raw.clone()).ok()?;
                let text = to_text(&doc);
                return (!text.is_empty()).then_some(Value::String(text));
            }
            if let Some(value) = object.get("value").and_then(Value::as_str) {
                let child = object
                    .get("child")
                    .and_then(|c| c.get("value"))
                    .and_then(Value::as_str);
                return Some(Value::String(match child {
                    Some(child) => format!("{value} - {child}"),
                    None => value.to_owned(),
                }));
            }
            ["displayName", "name", "key"]
                .iter()
                .find_map(|k| object.get(*k).filter(|v| v.is_string()).cloned())
        }
    }
}

fn person_from_json(raw: Option<&Value>) -> Value {
    let user = raw.and_then(|v| {
        let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(User {
            account_id: text("accountId").or_else(|| text("name"))?,
            display_name: text("displayName").unwrap_or_default(),
            email: text("emailAddress"),
            active: v.get("active").and_then(Value::as_bool).unwrap_or(true),
        })
    });
    person(user.as_ref())
}

/// A person's variables; an absent person (unassigned) is an empty object, so that every
/// use of `assignee.display_name` is reported as having no value.
fn person(user: Option<&User>) -> Value {
    let mut out = Map::new();
    if let Some(user) = user {
        out.insert("account_id".to_owned(), json!(user.account_id));
        let name = user.display_name.trim();
        if !name.is_empty() {
            out.insert("display_name".to_owned(), json!(name));
        }
        if let Some(first) = first_name(name) {
            out.insert("first_name".to_owned(), json!(first));
        }
        if let Some(email) = user.email.as_deref().filter(|e| !e.trim().is_empty()) {
            out.insert("email".to_owned(), json!(email));
        }
    }
    Value::Object(out)
}

/// The first name in a display name: the first word of `Ada Lovelace`, the word after the
/// comma of `Lovelace, Ada` (a common directory form). None when the display name is an
/// e-mail address (an e-mail-only customer) or empty.
fn first_name(display_name: &str) -> Option<&str> {
    if display_name.contains('@') {
        return None;
    }
    let given = match display_name.split_once(',') {
        Some((_, given)) if !given.trim().is_empty() => given,
        _ => display_name,
    };
    given.split_whitespace().next()
}

#[cfg(test)]
#[path = "issue_context_tests.rs"]
mod tests;
