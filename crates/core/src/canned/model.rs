//! What a canned response is: its text, where it is filed, who it is for, and how much it
//! is used.

use serde::{Deserialize, Serialize};

use crate::template::{Compiled, Format, Schema};

/// Longest name, in characters: names are picked from lists, so they stay short.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1_000;
/// Most tags on one template, and the longest tag in characters.
pub const MAX_TAGS: usize = 20;
/// Longest tag or folder, in characters.
pub const MAX_TAG_CHARS: usize = 60;
/// Most projects or groups a scope may list.
pub const MAX_SCOPE_ENTRIES: usize = 100;

/// Who a template is for (the issue's scope table).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "values", rename_all = "snake_case")]
pub enum Scope {
    /// Only its owner.
    Personal,
    /// Users of issues in these projects (project keys).
    Projects(Vec<String>),
    /// Members of these groups (group names).
    Groups(Vec<String>),
    /// Everyone on the site.
    Global,
}

impl Scope {
    /// The scope's kind as stored: `personal`, `projects`, `groups`, `global`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Personal => "personal",
            Scope::Projects(_) => "projects",
            Scope::Groups(_) => "groups",
            Scope::Global => "global",
        }
    }

    /// The projects or groups listed (empty for personal and global).
    pub fn values(&self) -> &[String] {
        match self {
            Scope::Projects(v) | Scope::Groups(v) => v,
            Scope::Personal | Scope::Global => &[],
        }
    }

    /// Rebuilds a scope from its stored kind and values; `None` for an unknown kind.
    pub fn from_parts(kind: &str, values: Vec<String>) -> Option<Self> {
        Some(match kind {
            "personal" => Scope::Personal,
            "projects" => Scope::Projects(values),
            "groups" => Scope::Groups(values),
            "global" => Scope::Global,
            _ => return None,
        })
    }
}

/// The part of a template its author writes: what is checked on save and what an export
/// carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Short name shown in pickers.
    pub name: String,
    /// Body: Markdown subset with template variables.
    pub body: String,
    /// What the template is for, for other agents.
    #[serde(default)]
    pub description: String,
    /// Folder it is filed in, e.g. `Billing/Refunds`.
    #[serde(default)]
    pub folder: Option<String>,
    /// Tags for search.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who it is for.
    pub scope: Scope,
}

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Stable id.
    pub id: String,
    /// The author-written part.
    #[serde(flatten)]
    pub draft: Draft,
    /// Jira account id of its creator.
    pub owner: String,
    /// Creation time, Unix ms.
    pub created_ms: i64,
    /// Last change, Unix ms.
    pub updated_ms: i64,
    /// How often it was applied (a count, no content).
    pub usage_count: i64,
    /// When it was last applied, Unix ms.
    pub last_used_ms: Option<i64>,
}

/// One thing wrong with a draft: the field (a JSON path) and what to change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    /// JSON path, e.g. `body` or `templates[3].body`.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Problem {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The same problem under `prefix` (`templates[3]` + `body` → `templates[3].body`).
    pub fn under(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

impl Draft {
    /// Every problem of the draft, empty when it may be saved: limits on the short fields,
    /// and a body that compiles and uses only variables `schema` knows. Leading and
    /// trailing blanks of the short fields are dropped first (see [`Draft::normalize`]).
    pub fn problems(&self, schema: &Schema) -> Vec<Problem> {
        let mut out = Vec::new();
        let name_len = self.name.trim().chars().count();
        if name_len == 0 {
            out.push(Problem::new("name", "must not be empty"));
        } else if name_len > MAX_NAME_CHARS {
            out.push(Problem::new(
                "name",
                format!("is longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            out.push(Problem::new(
                "description",
                format!("is longer than {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        if let Some(folder) = &self.folder {
            short_text(&mut out, "folder", folder);
        }
        if self.tags.len() > MAX_TAGS {
            out.push(Problem::new(
                "tags",
                format!("has more than {MAX_TAGS} tags"),
            ));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            short_text(&mut out, &format!("tags[{i}]"), tag);
        }
        self.scope_problems(&mut out);
        out.extend(body_problems(&self.body, schema));
        out
    }

    fn scope_problems(&self, out: &mut Vec<Problem>) {
        let (what, values) = match &self.scope {
            Scope::Projects(v) => ("project", v),
            Scope::Groups(v) => ("group", v),
            Scope::Personal | Scope::Global => return,
        };
        if values.is_empty() {
            out.push(Problem::new(
                "scope.values",
                format!("must name at least one {what}"),
            ));
        }
        if values.len() > MAX_SCOPE_ENTRIES {
            out.push(Problem::new(
                "scope.values",
                format!("names more than {MAX_SCOPE_ENTRIES} entries"),
            ));
        }
        for (i, value) in values.iter().enumerate() {
            if value.trim().is_empty() {
                out.push(Problem::new(
                    &format!("scope.values[{i}]"),
                    format!("{what} is empty"),
                ));
            }
        }
    }

    /// Trims the short fields, drops empty tags and duplicate tags and scope entries, and
    /// upper-cases project keys (Jira's keys are upper case), so equal drafts compare equal.
    pub fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().to_owned();
        self.folder = self
            .folder
            .take()
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty());
        let mut tags: Vec<String> = Vec::new();
        for tag in self.tags.drain(..).map(|t| t.trim().to_owned()) {
            if !tag.is_empty() && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        self.tags = tags;
        match &mut self.scope {
            Scope::Projects(keys) => dedupe(keys, |k| k.trim().to_uppercase()),
            Scope::Groups(groups) => dedupe(groups, |g| g.trim().to_owned()),
            Scope::Personal | Scope::Global => {}
        }
    }
}

/// The problems of a body alone (field `body`), as a save would find them: empty, not
/// compiling (with the line and the reason), or naming variables `schema` does not know.
/// The editor's live preview checks an unsaved body with this before rendering it.
pub fn body_problems(body: &str, schema: &Schema) -> Vec<Problem> {
    if body.trim().is_empty() {
        return vec![Problem::new("body", "must not be empty")];
    }
    match Compiled::new(body, Format::Markup) {
        Ok(compiled) => compiled
            .unknown_variables(schema)
            .into_iter()
            .map(|u| {
                let at = u.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                Problem::new("body", format!("unknown variable {}{at}", u.name))
            })
            .collect(),
        Err(e) => vec![Problem::new("body", e.to_string())],
    }
}

fn dedupe(values: &mut Vec<String>, clean: impl Fn(&str) -> String) {
    let mut out: Vec<String> = Vec::new();
    for value in values.iter().map(|v| clean(v)) {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    *values = out;
}

fn short_text(out: &mut Vec<Problem>, field: &str, value: &str) {
    let len = value.trim().chars().count();
    if len == 0 {
        out.push(Problem::new(field, "must not be empty"));
    } else if len > MAX_TAG_CHARS {
        out.push(Problem::new(
            field,
            format!("is longer than {MAX_TAG_CHARS} characters"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::issue_schema;

    fn draft(body: &str) -> Draft {
        Draft {
            name: "Ack".into(),
            body: body.into(),
            description: String::new(),
            folder: None,
            tags: vec![],
            scope: Scope::Global,
        }
    }

    #[test]
    fn a_good_draft_has_no_problems() {
        let d = draft("Hello {{ reporter.first_name | default(\"there\") }}, see {{ issue.link }}");
        assert_eq!(d.problems(&issue_schema(&[])), vec![]);
    }

    #[test]
    fn unknown_variables_are_named_with_their_line() {
        let d = draft("Hi\n{{ reporter.frist_name }}");
        assert_eq!(
            d.problems(&issue_schema(&[])),
            vec![Problem::new(
                "body",
                "unknown variable reporter.frist_name (line 2)"
            )]
        );
    }

    #[test]
    fn every_field_problem_is_reported_at_once() {
        let mut d = draft("{% if %}");
        d.name = " ".into();
        d.tags = vec!["ok".into(), String::new(), "x".repeat(61)];
        d.scope = Scope::Projects(vec![]);
        let fields: Vec<String> = d
            .problems(&issue_schema(&[]))
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            ["name", "tags[1]", "tags[2]", "scope.values", "body"]
        );
    }

    #[test]
    fn including_another_template_is_refused_at_save() {
        let problems = draft("{% include \"/etc/passwd\" %}").problems(&issue_schema(&[]));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("not allowed"), "{problems:?}");
    }

    #[test]
    fn normalize_trims_and_dedupes() {
        let mut d = draft("x");
        d.name = "  Ack ".into();
        d.folder = Some("  ".into());
        d.tags = vec![" a".into(), "a".into(), "".into(), "b".into()];
        d.scope = Scope::Projects(vec!["sup".into(), "SUP ".into(), "ops".into()]);
        d.normalize();
        assert_eq!(d.name, "Ack");
        assert_eq!(d.folder, None);
        assert_eq!(d.tags, ["a", "b"]);
        assert_eq!(d.scope, Scope::Projects(vec!["SUP".into(), "OPS".into()]));
    }

    #[test]
    fn scope_round_trips_through_its_parts() {
        for scope in [
            Scope::Personal,
            Scope::Global,
            Scope::Projects(vec!["SUP".into()]),
            Scope::Groups(vec!["tier-2".into()]),
        ] {
            let back = Scope::from_parts(scope.kind(), scope.values().to_vec());
            assert_eq!(back, Some(scope));
        }
        assert_eq!(Scope::from_parts("team", vec![]), None);
    }
}
