//! The profile's `mailboxes` and the rule that a profile holds no secret.
//!
//! A mailbox is kept as the JSON object an administrator wrote: its settings (server,
//! folder, authentication) belong to the IMAP adapter, which reads them once the
//! `{"secret_ref": NAME}` references are resolved from the site's own secrets. Here only
//! what every profile must satisfy is checked: each mailbox has a unique name, and no
//! secret value appears anywhere in the document, so that an export never carries one and
//! an import never stores one.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::Profile;
use super::check::Errors;
use crate::scrub::secret_values;

/// One mailbox of the profile: `[[mailboxes]]` settings with references for credentials.
pub type ProfileMailbox = Map<String, Value>;

/// The name of a mailbox, when it has a non-empty one.
pub fn name_of(mailbox: &ProfileMailbox) -> Option<&str> {
    mailbox
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
}

/// Adds an error for each mailbox without a name or with a name used before, and for each
/// secret value in the document.
pub(super) fn check(profile: &Profile, errors: &mut Errors) {
    let mut names = HashSet::new();
    for (i, mailbox) in profile.mailboxes.iter().enumerate() {
        match name_of(mailbox) {
            None => errors.push(
                format!("mailboxes[{i}].name"),
                "a non-empty name is required",
            ),
            Some(name) if !names.insert(name) => errors.push(
                format!("mailboxes[{i}].name"),
                format!("a second mailbox named {name:?}"),
            ),
            Some(_) => {}
        }
    }
    let Ok(document) = serde_json::to_value(profile) else {
        return;
    };
    for path in secret_values(&document) {
        errors.push(
            path,
            "a secret value, which a profile never holds: write {\"secret_ref\": \"NAME\"} \
             and define NAME in [secrets] of postroom.toml",
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::Profile;

    fn errors(json: &str) -> Vec<String> {
        match Profile::from_json(json).unwrap().check() {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    }

    const OWN: &str = r#""own": {"addresses": ["support@example.com"]},
        "default": {"action": "ignore"}"#;

    #[test]
    fn mailboxes_with_references_are_valid() {
        let json = format!(
            r#"{{{OWN}, "mailboxes": [{{"name": "support", "server": "imap.example.com",
            "auth": {{"method": "login", "user": "u", "password": {{"secret_ref": "imap-support"}}}}}}]}}"#
        );
        assert_eq!(errors(&json), Vec::<String>::new());
    }

    #[test]
    fn a_secret_value_and_unnamed_or_twice_named_mailboxes_are_refused() {
        let json = format!(
            r#"{{{OWN}, "mailboxes": [
                {{"name": "a", "auth": {{"password": "hunter2"}}}},
                {{"name": "a"}},
                {{"server": "x"}}
            ]}}"#
        );
        let errors = errors(&json);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("mailboxes[1].name: a second mailbox"));
        assert!(errors[1].starts_with("mailboxes[2].name: a non-empty name"));
        assert!(
            errors[2].starts_with("mailboxes[0].auth.password: a secret value"),
            "{errors:?}"
        );
        assert!(!errors.join("\n").contains("hunter2"));
    }
}
