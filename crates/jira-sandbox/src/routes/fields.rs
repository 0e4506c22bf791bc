//! Reading the `fields` object of issue create/edit, with Jira's per-field errors.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::adf;
use crate::error::ApiError;
use crate::richtext::ApiVersion;
use crate::state::Site;
use crate::state::model::{Issue, RichText};
use crate::webhooks::{ChangeItem, change};

/// Collects field errors so one answer names every bad field, as Jira does.
#[derive(Debug, Default)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// `Err` with all collected errors, if any.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(ApiError {
            status: axum::http::StatusCode::BAD_REQUEST,
            messages: Vec::new(),
            fields: self.0,
        })
    }
}

fn id_or_name<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str))
}

fn user_field(site: &Site, v: &Value) -> Result<Option<String>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let key =
        id_or_name(v, &["accountId", "id", "name"]).ok_or("Specify a valid value for the user")?;
    site.user(key)
        .or_else(|| site.user_by_email(key))
        .map(|u| Some(u.account_id.clone()))
        .ok_or_else(|| format!("Specify a valid value for the user: '{key}' does not exist"))
}

/// Folds Jira's `update` operations into `fields`: `set` for any field, `add`/`remove` for
/// `labels` (applied to `labels`, the issue's current labels). Other verbs are refused.
pub fn merge_update(body: &Value, labels: &[String]) -> Result<Map<String, Value>, ApiError> {
    let mut fields = body
        .get("fields")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(update) = body.get("update").and_then(Value::as_object) else {
        return Ok(fields);
    };
    let mut errors = FieldErrors::default();
    let mut current: Vec<String> = labels.to_vec();
    for (field, ops) in update {
        for op in ops.as_array().into_iter().flatten() {
            let Some((verb, value)) = op.as_object().and_then(|o| o.iter().next()) else {
                continue;
            };
            match (verb.as_str(), field.as_str(), value.as_str()) {
                ("set", "labels", _) => {
                    current = value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
                }
                ("add", "labels", Some(l)) if !current.iter().any(|c| c == l) => current.push(l.to_owned()),
                ("add", "labels", Some(_)) => {}
                ("remove", "labels", Some(l)) => current.retain(|c| c != l),
                ("set", _, _) => {
                    fields.insert(field.clone(), value.clone());
                }
                _ => errors.add(field, format!("The sandbox does not support the operation '{verb}' on field '{field}'; use 'set' or 'fields'.")),
            }
        }
        if field == "labels" {
            fields.insert("labels".into(), Value::from(current.clone()));
        }
    }
    errors.into_result()?;
    Ok(fields)
}

/// Applies `fields` to `issue`, returning the changelog; errors are collected in `errors`.
pub fn apply(
    site: &Site,
    version: ApiVersion,
    fields: &Map<String, Value>,
    issue: &mut Issue,
    creating: bool,
    errors: &mut FieldErrors,
) -> Vec<ChangeItem> {
    let mut changes = Vec::new();
    for (name, value) in fields {
        match name.as_str() {
            "project" if creating => {}
            "summary" => match value.as_str() {
                Some(s) if s.trim().is_empty() => errors.add(name, "You must specify a summary of the issue."),
                Some(s) if s.contains(['\n', '\r']) => errors.add(name, "The summary is invalid because it contains newline characters."),
                Some(s) if s.chars().count() > 255 => errors.add(name, "Summary must be less than 255 characters."),
                Some(s) => {
                    if issue.summary != s {
                        changes.push(change("summary", Some(issue.summary.clone()), Some(s.to_owned())));
                    }
                    issue.summary = s.to_owned();
                }
                None => errors.add(name, "Operation value must be a string"),
            },
            "description" => match (version, value) {
                (_, Value::Null) => issue.description = None,
                (ApiVersion::V3, doc) if adf::validate(doc).is_ok() => issue.description = Some(RichText::Adf(doc.clone())),
                (ApiVersion::V3, _) => errors.add(name, adf::NOT_ADF),
                (ApiVersion::V2, Value::String(s)) => issue.description = Some(RichText::Wiki(s.clone())),
                (ApiVersion::V2, _) => errors.add(name, "Operation value must be a string"),
            },
            "issuetype" => {
                let wanted = id_or_name(value, &["id", "name"]);
                let found = site.project(&issue.project).and_then(|p| {
                    p.issue_types.iter().find(|t| wanted.is_some_and(|w| t.id == w || t.name.eq_ignore_ascii_case(w)))
                });
                match found {
                    Some(t) => issue.issue_type = t.id.clone(),
                    None => errors.add(name, "Specify a valid issue type"),
                }
            }
            "priority" => match id_or_name(value, &["id", "name"]).and_then(|p| site.priority(p)) {
                Some(p) => {
                    if issue.priority != p.id {
                        changes.push(change("priority", Some(issue.priority.clone()), Some(p.id.clone())));
                    }
                    issue.priority = p.id.clone();
                }
                None => errors.add(name, "Specify a valid priority"),
            },
            "labels" => match value.as_array().map(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>()) {
                Some(Some(labels)) => match labels.iter().find(|l| l.contains(' ') || l.is_empty()) {
                    Some(bad) => errors.add(name, format!("The label '{bad}' contains spaces which is invalid.")),
                    None => issue.labels = labels.iter().map(|l| (*l).to_owned()).collect(),
                },
                _ => errors.add(name, "Operation value must be an array of strings"),
            },
            "reporter" => match user_field(site, value) {
                Ok(Some(id)) => issue.reporter = id,
                Ok(None) => errors.add(name, "Reporter is required."),
                Err(e) => errors.add(name, e),
            },
            "assignee" => match user_field(site, value) {
                Ok(a) => {
                    if issue.assignee != a {
                        changes.push(change("assignee", issue.assignee.clone(), a.clone()));
                    }
                    issue.assignee = a;
                }
                Err(e) => errors.add(name, e),
            },
            custom if site.custom_fields.iter().any(|f| f.id == custom) => match value {
                Value::String(_) | Value::Null => {
                    let old = issue.custom.get(custom).and_then(Value::as_str).map(str::to_owned);
                    let new = value.as_str().map(str::to_owned);
                    if old != new {
                        changes.push(change(custom, old, new));
                    }
                    if value.is_null() {
                        issue.custom.remove(custom);
                    } else {
                        issue.custom.insert(custom.to_owned(), value.clone());
                    }
                }
                _ => errors.add(name, "Operation value must be a string"),
            },
            other => errors.add(other, format!("Field '{other}' cannot be set. It is not on the appropriate screen, or unknown.")),
        }
    }
    changes
}
