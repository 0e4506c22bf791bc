//! Secret-like values out of a document that leaves the installation.
//!
//! The profile holds no secret today (mailbox passwords live in `postroom.toml`), but a
//! bundle must not depend on that staying true: any string under a key that names a
//! secret is replaced by `{"secret_ref": "<path>"}`, which says where it was without it.

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

/// Replaces every non-empty string under a secret-like key; returns how many.
pub fn replace_secrets(value: &mut serde_json::Value) -> usize {
    walk(value, "")
}

fn walk(value: &mut serde_json::Value, path: &str) -> usize {
    match value {
        serde_json::Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .map(|(i, v)| walk(v, &format!("{path}[{i}]")))
            .sum(),
        serde_json::Value::Object(map) => {
            let mut replaced = 0;
            for (key, item) in map.iter_mut() {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let lower = key.to_ascii_lowercase();
                let secret = SECRET_WORDS.iter().any(|w| lower.contains(w));
                match item {
                    serde_json::Value::String(s) if secret && !s.is_empty() => {
                        *item = serde_json::json!({ "secret_ref": here });
                        replaced += 1;
                    }
                    _ => replaced += walk(item, &here),
                }
            }
            replaced
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_like_strings_become_references_to_where_they_were() {
        let mut doc = serde_json::json!({
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
    }
}
