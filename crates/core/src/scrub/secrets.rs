//! Secret-like values out of a document that leaves the installation, and the references
//! that stand in for them.
//!
//! Any string under a key that names a secret (`password`, `client_secret`, `api_token`, …)
//! is a secret value; a document that leaves the installation (a support bundle, a profile
//! export) carries `{"secret_ref": NAME}` in its place, and the site that reads it back
//! looks `NAME` up in its own secrets. One detector serves the bundle, the export and the
//! import's refusal of literal secrets, so they cannot disagree about what a secret is.

use serde_json::{Value, json};

/// Parts of a key name that mark its value as a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "credential",
];

/// The key of a reference object, `{"secret_ref": NAME}`.
const SECRET_REF: &str = "secret_ref";

/// Whether a value under `key` is a secret. `…_url` keys are addresses, not secrets
/// (`token_url` of an OAuth mailbox says where tokens come from).
fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    !lower.ends_with("_url") && SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// The name of `value` when it is a reference, `{"secret_ref": NAME}`.
fn secret_ref_name(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get(SECRET_REF)?.as_str(),
        _ => None,
    }
}

/// Replaces every non-empty string under a secret-like key by a reference to where it
/// was (its JSON path); returns how many.
pub fn replace_secrets(value: &mut Value) -> usize {
    replace_secrets_with(value, &mut str::to_owned)
}

/// Replaces every non-empty string under a secret-like key by `{"secret_ref": name(path)}`;
/// returns how many. References already in place are left as they are.
pub fn replace_secrets_with(value: &mut Value, name: &mut impl FnMut(&str) -> String) -> usize {
    walk(value, "", name)
}

/// The JSON paths of the secret values in `value`: what a document that must hold only
/// references may not contain.
pub fn secret_values(value: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    replace_secrets_with(&mut value.clone(), &mut |path: &str| {
        paths.push(path.to_owned());
        String::new()
    });
    paths
}

/// Every reference in `value`, as (JSON path, name), in document order.
pub fn secret_refs(value: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    visit_refs(value, "", &mut |path, name| {
        found.push((path.to_owned(), name.to_owned()));
        None
    });
    found
}

/// Replaces every reference by the value `lookup` gives its name; a name it does not know
/// becomes an empty string and is returned as (JSON path, name), so that the caller can
/// still check the rest of the document and report every unknown name at once.
pub fn resolve_secret_refs(
    value: &mut Value,
    lookup: impl Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let mut unknown = Vec::new();
    visit_refs_mut(value, "", &mut |path, name| {
        Some(lookup(name).unwrap_or_else(|| {
            unknown.push((path.to_owned(), name.to_owned()));
            String::new()
        }))
    });
    unknown
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(value: &mut Value, path: &str, name: &mut impl FnMut(&str) -> String) -> usize {
    match value {
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .map(|(i, v)| walk(v, &format!("{path}[{i}]"), name))
            .sum(),
        Value::Object(_) if secret_ref_name(value).is_some() => 0,
        Value::Object(map) => {
            let mut replaced = 0;
            for (key, item) in map.iter_mut() {
                let here = child(path, key);
                match item {
                    Value::String(s) if is_secret_key(key) && !s.is_empty() => {
                        *item = json!({ SECRET_REF: name(&here) });
                        replaced += 1;
                    }
                    _ => replaced += walk(item, &here, name),
                }
            }
            replaced
        }
        _ => 0,
    }
}

fn visit_refs(value: &Value, path: &str, found: &mut impl FnMut(&str, &str) -> Option<String>) {
    visit_refs_mut(&mut value.clone(), path, found);
}

/// Calls `found` for each reference; a `Some` it returns replaces the reference by that
/// string.
fn visit_refs_mut(
    value: &mut Value,
    path: &str,
    found: &mut impl FnMut(&str, &str) -> Option<String>,
) {
    if let Some(name) = secret_ref_name(value) {
        if let Some(resolved) = found(path, name) {
            *value = Value::String(resolved);
        }
        return;
    }
    match value {
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                visit_refs_mut(v, &format!("{path}[{i}]"), found);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                visit_refs_mut(item, &child(path, key), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secret_like_strings_become_references_to_where_they_were() {
        let mut doc = json!({
            "own": {"addresses": ["support@example.com"]},
            "mailboxes": [{"name": "imap", "password": "hunter2", "api_token": ""}],
            "Client_Secret": "s3cret",
            "token_count": 3
        });
        assert_eq!(replace_secrets(&mut doc), 2);
        assert_eq!(
            doc["mailboxes"][0]["password"]["secret_ref"],
            "mailboxes[0].password"
        );
        assert_eq!(doc["Client_Secret"]["secret_ref"], "Client_Secret");
        assert_eq!(
            doc["mailboxes"][0]["api_token"], "",
            "an empty value hides nothing"
        );
        assert_eq!(doc["token_count"], 3);
        assert_eq!(doc["own"]["addresses"][0], "support@example.com");
        assert!(!doc.to_string().contains("hunter2"));
        assert_eq!(replace_secrets(&mut doc), 0, "references stay as they are");
    }

    #[test]
    fn urls_are_not_secrets_and_references_are_not_secret_values() {
        let doc = json!({"auth": {
            "token_url": "https://login.example/token",
            "client_secret": {"secret_ref": "imap-m365-client-secret"},
            "refresh_token": "rt-1"
        }});
        assert_eq!(secret_values(&doc), ["auth.refresh_token"]);
        assert_eq!(
            secret_refs(&doc),
            [(
                "auth.client_secret".to_owned(),
                "imap-m365-client-secret".to_owned()
            )]
        );
    }

    #[test]
    fn references_resolve_by_name_and_unknown_names_are_listed() {
        let mut doc = json!({"mailboxes": [
            {"password": {"secret_ref": "imap-a"}},
            {"password": {"secret_ref": "imap-b"}}
        ]});
        let unknown = resolve_secret_refs(&mut doc, |name| {
            (name == "imap-a").then(|| "pw-a".to_owned())
        });
        assert_eq!(doc["mailboxes"][0]["password"], "pw-a");
        assert_eq!(doc["mailboxes"][1]["password"], "");
        assert_eq!(
            unknown,
            [("mailboxes[1].password".to_owned(), "imap-b".to_owned())]
        );
    }
}
