//! The versioned JSON format that moves templates between sites.
//!
//! ```json
//! {"format": "postroom.templates", "version": 1,
//!  "templates": [{"name": "…", "body": "…", "description": "…", "folder": null,
//!                 "tags": ["…"], "scope": {"kind": "projects", "values": ["SUP"]}}]}
//! ```
//!
//! Only what an author writes travels: no ids, owners, times or usage (account ids and
//! counts mean nothing on another site). An import is checked as a whole before anything
//! is saved, and every problem is reported with its position
//! (`templates[3].body: unknown variable reporter.frist_name (line 2)`), so a team fixes
//! the file once instead of once per error.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{Draft, Problem};
use crate::template::Schema;

/// The `format` marker of an export.
pub const EXPORT_FORMAT: &str = "postroom.templates";
/// The version this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;
/// Most templates one import may carry.
pub const MAX_IMPORT_TEMPLATES: usize = 5_000;

/// An export file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// Always [`EXPORT_VERSION`] when written by this build.
    pub version: u32,
    /// The templates.
    pub templates: Vec<Draft>,
}

impl Export {
    /// An export of `templates` in the current version.
    pub fn new(templates: Vec<Draft>) -> Self {
        Self {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            templates,
        }
    }
}

/// Why an import was refused; nothing of it is saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is not JSON.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser found.
        message: String,
    },
    /// The file is JSON but some templates (or the envelope) are wrong.
    #[error("{} problem(s), first: {}", .0.len(), first(.0))]
    Problems(Vec<Problem>),
}

fn first(problems: &[Problem]) -> String {
    problems
        .first()
        .map(|p| format!("{}: {}", p.field, p.message))
        .unwrap_or_default()
}

/// Reads an export file: checks the envelope, then every template (shape, limits, body
/// syntax and variables against `schema`, names unique within the file). Returns the
/// normalized drafts, or every problem found.
pub fn parse_import(bytes: &[u8], schema: &Schema) -> Result<Vec<Draft>, ImportError> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut problems = Vec::new();
    let problem = |field: &str, message: String| Problem {
        field: field.to_owned(),
        message,
    };
    match root.get("format").and_then(Value::as_str) {
        Some(EXPORT_FORMAT) => {}
        _ => problems.push(problem("format", format!("must be \"{EXPORT_FORMAT}\""))),
    }
    match root.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(EXPORT_VERSION) => {}
        Some(v) => problems.push(problem(
            "version",
            format!("version {v} is not supported; this postroom reads version {EXPORT_VERSION}"),
        )),
        None => problems.push(problem("version", "must be a number".to_owned())),
    }
    let Some(items) = root.get("templates").and_then(Value::as_array) else {
        problems.push(problem("templates", "must be a list".to_owned()));
        return Err(ImportError::Problems(problems));
    };
    if items.len() > MAX_IMPORT_TEMPLATES {
        problems.push(problem(
            "templates",
            format!(
                "has {} templates; at most {MAX_IMPORT_TEMPLATES} per import",
                items.len()
            ),
        ));
        return Err(ImportError::Problems(problems));
    }
    let mut drafts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("templates[{i}]");
        match serde_path_to_error::deserialize::<_, Draft>(item) {
            Ok(mut draft) => {
                draft.normalize();
                problems.extend(draft.problems(schema).into_iter().map(|p| p.under(&at)));
                if let Some(j) = drafts.iter().position(|d: &Draft| {
                    d.name == draft.name && d.scope == draft.scope && !draft.name.is_empty()
                }) {
                    problems.push(problem(
                        &format!("{at}.name"),
                        format!("same name and scope as templates[{j}]"),
                    ));
                }
                drafts.push(draft);
            }
            Err(e) => {
                let path = e.path().to_string();
                let field = if path == "." {
                    at
                } else {
                    format!("{at}.{path}")
                };
                problems.push(problem(&field, e.into_inner().to_string()));
                drafts.push(placeholder());
            }
        }
    }
    if problems.is_empty() {
        Ok(drafts)
    } else {
        Err(ImportError::Problems(problems))
    }
}

/// Keeps positions aligned after a template that could not be read.
fn placeholder() -> Draft {
    Draft {
        name: String::new(),
        body: String::new(),
        description: String::new(),
        folder: None,
        tags: Vec::new(),
        scope: super::Scope::Personal,
    }
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;
