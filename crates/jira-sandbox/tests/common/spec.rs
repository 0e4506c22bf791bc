//! Checks bodies against Atlassian's OpenAPI description of REST v3.
//!
//! OpenAPI 3.0 schemas are close to JSON Schema draft 4; two adaptations make them
//! checkable: `nullable: true` becomes a `null` alternative, and `format` is not asserted
//! (Jira's own timestamps, `2026-01-01T00:00:00.000+0000`, are not RFC 3339).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};

/// `../shared` per the project's rule: POSTROOM_SHARED_DIR, else beside the repository.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("POSTROOM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

/// Loads the spec; `None` (test skipped) only outside CI.
pub fn load() -> Option<Spec> {
    let path = shared_dir().join("specs/jira-cloud-platform.openapi.json");
    match std::fs::read(&path) {
        Ok(bytes) => Some(Spec::new(
            serde_json::from_slice(&bytes).expect("spec is JSON"),
        )),
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!(
                "skipping: {} unreadable ({e}); set POSTROOM_SHARED_DIR",
                path.display()
            );
            None
        }
        Err(e) => panic!(
            "CI=true and the OpenAPI spec {} is missing: {e}",
            path.display()
        ),
    }
}

fn nullable_to_null(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                nullable_to_null(child);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get("type").cloned() {
                    Some(Value::String(t)) => {
                        map.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(e)) = map.get_mut("enum") {
                            e.push(Value::Null);
                        }
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(map));
                        map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_null),
        _ => {}
    }
}

/// The spec, a validator cache, and what was checked.
pub struct Spec {
    doc: Value,
    components: Value,
    validators: BTreeMap<String, Validator>,
    /// `METHOD /rest/api/3/...` templates exercised.
    pub covered: BTreeSet<String>,
    /// Every violation found, with where it was found.
    pub violations: Vec<String>,
}

impl Spec {
    fn new(mut doc: Value) -> Self {
        nullable_to_null(&mut doc);
        let components = json!({"schemas": doc["components"]["schemas"].clone()});
        Spec {
            doc,
            components,
            validators: BTreeMap::new(),
            covered: BTreeSet::new(),
            violations: Vec::new(),
        }
    }

    /// The spec's path template matching a concrete v3 path (most literal segments wins).
    pub fn template(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, String)> = None;
        for template in self.doc["paths"].as_object()?.keys() {
            let t: Vec<&str> = template.split('/').collect();
            if t.len() != segments.len() {
                continue;
            }
            let fits = t
                .iter()
                .zip(&segments)
                .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')));
            if fits {
                let literal = t.iter().filter(|s| !s.starts_with('{')).count();
                if best.as_ref().is_none_or(|(n, _)| literal > *n) {
                    best = Some((literal, template.clone()));
                }
            }
        }
        best.map(|(_, t)| t)
    }

    fn validator(&mut self, key: &str, schema: &Value) -> &Validator {
        if !self.validators.contains_key(key) {
            let root = json!({"components": self.components, "allOf": [schema]});
            let v = jsonschema::options()
                .with_draft(Draft::Draft4)
                .should_validate_formats(false)
                .build(&root)
                .unwrap_or_else(|e| panic!("schema {key} does not compile: {e}"));
            self.validators.insert(key.to_owned(), v);
        }
        &self.validators[key]
    }

    /// Validates `instance` against a named component schema.
    pub fn check_component(&mut self, name: &str, instance: &Value, context: &str) {
        let schema = json!({"$ref": format!("#/components/schemas/{name}")});
        self.check(&format!("#{name}"), &schema, instance, context);
    }

    fn check(&mut self, key: &str, schema: &Value, instance: &Value, context: &str) {
        let errors: Vec<String> = self
            .validator(key, schema)
            .iter_errors(instance)
            .map(|e| format!("{context}: {} at {}", e, e.instance_path()))
            .collect();
        self.violations.extend(errors);
    }

    fn operation(&self, method: &str, template: &str) -> Option<Map<String, Value>> {
        self.doc["paths"][template][method.to_ascii_lowercase()]
            .as_object()
            .cloned()
    }

    /// Checks one exchange: request body (if JSON) and response body for its status.
    pub fn exchange(
        &mut self,
        method: &str,
        path: &str,
        request: Option<&Value>,
        status: u16,
        response: &Value,
    ) {
        let bare =
            path.split('?')
                .next()
                .unwrap_or(path)
                .replacen("/rest/api/2/", "/rest/api/3/", 1);
        let Some(template) = self.template(&bare) else {
            self.violations
                .push(format!("{method} {path}: no such path in the spec"));
            return;
        };
        let Some(op) = self.operation(method, &template) else {
            self.violations.push(format!(
                "{method} {template}: no such operation in the spec"
            ));
            return;
        };
        let context = format!("{method} {path} -> {status}");
        self.covered.insert(format!("{method} {template}"));
        if let Some(body) = request
            && let Some(schema) = op
                .get("requestBody")
                .and_then(|b| b["content"]["application/json"].get("schema"))
        {
            let key = format!("req {method} {template}");
            self.check(
                &key,
                &schema.clone(),
                body,
                &format!("request of {context}"),
            );
        }
        let declared = op.get("responses").and_then(|r| r.get(status.to_string()));
        match declared {
            None => self.violations.push(format!(
                "{context}: status {status} not declared by the spec"
            )),
            Some(r) => {
                let schema = r
                    .get("content")
                    .and_then(|c| c.as_object())
                    .and_then(|c| c.values().next())
                    .and_then(|m| m.get("schema"));
                if let Some(schema) = schema
                    && !response.is_null()
                {
                    let key = format!("resp {method} {template} {status}");
                    self.check(
                        &key,
                        &schema.clone(),
                        response,
                        &format!("response of {context}"),
                    );
                }
            }
        }
    }
}
