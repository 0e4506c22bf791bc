//! What a profile names in Jira: project keys and fields. An import checks each against the
//! tenant's site before storing anything, because a rule that names a project Jira does not
//! know would otherwise fail only when the first mail reaches it.

use super::{Profile, Then};

/// What kind of Jira thing a profile names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JiraKind {
    /// A project key, e.g. `SUP`.
    Project,
    /// A field, by id (`customfield_10050`) or name (`Customer`).
    Field,
}

/// One name the profile expects Jira to know, with the JSON path where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JiraReference {
    /// e.g. `rules[2].then.project`.
    pub path: String,
    /// Project or field.
    pub kind: JiraKind,
    /// The key, id or name as written.
    pub name: String,
}

impl Profile {
    /// Every project key and field the profile names, in document order.
    pub fn jira_references(&self) -> Vec<JiraReference> {
        let mut out = Vec::new();
        let mut add = |path: String, kind, name: &str| {
            out.push(JiraReference {
                path,
                kind,
                name: name.to_owned(),
            });
        };
        let mut then = |path: &str, then: &Then| {
            if let Some(project) = &then.project {
                add(format!("{path}.project"), JiraKind::Project, project);
            }
            for name in then.fields.iter().flat_map(|f| f.keys()) {
                add(format!("{path}.fields.{name}"), JiraKind::Field, name);
            }
        };
        for (i, rule) in self.rules.iter().enumerate() {
            then(&format!("rules[{i}].then"), &rule.then);
        }
        then("default", &self.default);
        for (i, key) in self.threading.project_keys.iter().enumerate() {
            add(
                format!("threading.project_keys[{i}]"),
                JiraKind::Project,
                key,
            );
        }
        for (i, name) in self.directives.custom_fields.iter().enumerate() {
            add(
                format!("directives.custom_fields[{i}]"),
                JiraKind::Field,
                name,
            );
        }
        if let Some(field) = &self.people.email_field {
            add("people.email_field".to_owned(), JiraKind::Field, field);
        }
        for (i, rule) in self.notifications.rules.iter().enumerate() {
            for (j, key) in rule.projects.iter().enumerate() {
                let path = format!("notifications.rules[{i}].projects[{j}]");
                add(path, JiraKind::Project, key);
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn projects_and_fields_are_listed_with_their_paths() {
        let profile = Profile::from_json(
            r#"{"rules": [{"then": {"project": "OPS", "fields": {"Customer": "ACME"}}}],
                "default": {"project": "SUP"},
                "threading": {"project_keys": ["SUP"]},
                "directives": {"custom_fields": ["Customer"]},
                "people": {"email_field": "E-mail participants"},
                "notifications": {"rules": [{"projects": ["SUP"], "events": ["issue_created"],
                                             "to": ["reporter"]}]}}"#,
        )
        .unwrap();
        let found: Vec<(String, JiraKind, String)> = profile
            .jira_references()
            .into_iter()
            .map(|r| (r.path, r.kind, r.name))
            .collect();
        let expected = [
            ("rules[0].then.project", JiraKind::Project, "OPS"),
            ("rules[0].then.fields.Customer", JiraKind::Field, "Customer"),
            ("default.project", JiraKind::Project, "SUP"),
            ("threading.project_keys[0]", JiraKind::Project, "SUP"),
            ("directives.custom_fields[0]", JiraKind::Field, "Customer"),
            ("people.email_field", JiraKind::Field, "E-mail participants"),
            (
                "notifications.rules[0].projects[0]",
                JiraKind::Project,
                "SUP",
            ),
        ];
        let expected: Vec<(String, JiraKind, String)> = expected
            .iter()
            .map(|(p, k, n)| ((*p).to_owned(), *k, (*n).to_owned()))
            .collect();
        assert_eq!(found, expected);
    }
}
