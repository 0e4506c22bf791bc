//! Jira's error answers → [`TrackerError`], keeping Jira's own words.

use postroom_core::ports::tracker::{FieldError, TrackerError};
use serde::Deserialize;

/// Jira's error body: `{"errorMessages": [...], "errors": {"field": "message"}}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    error_messages: Vec<String>,
    #[serde(default)]
    errors: serde_json::Map<String, serde_json::Value>,
    /// Service Management and some gateways answer `{"errorMessage": "..."}` or `{"message": ...}`.
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

fn parse(body: &[u8]) -> (Vec<String>, Vec<FieldError>) {
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let short: String = text.chars().take(200).collect();
        return (
            if short.is_empty() {
                Vec::new()
            } else {
                vec![short]
            },
            Vec::new(),
        );
    };
    let mut messages = parsed.error_messages;
    messages.extend(parsed.error_message);
    messages.extend(parsed.message);
    let errors = parsed
        .errors
        .into_iter()
        .map(|(field, v)| FieldError {
            field,
            message: v.as_str().map_or_else(|| v.to_string(), str::to_owned),
        })
        .collect();
    (messages, errors)
}

fn joined(messages: &[String], errors: &[FieldError], status: u16) -> String {
    let mut parts = messages.to_vec();
    parts.extend(
        errors
            .iter()
            .map(|e| format!("field '{}': {}", e.field, e.message)),
    );
    if parts.is_empty() {
        format!("HTTP {status}")
    } else {
        parts.join("; ")
    }
}

/// The error for a non-success, non-retried answer. `what` names the call for messages
/// (`POST /rest/api/3/issue`), `subject` what it was about (`the issue`, `issue SUP-1`).
pub(crate) fn from_status(status: u16, body: &[u8], what: &str, subject: &str) -> TrackerError {
    let (messages, errors) = parse(body);
    match status {
        400 | 422 => TrackerError::Invalid {
            what: subject.to_owned(),
            messages,
            errors,
        },
        404 => TrackerError::NotFound {
            what: subject.to_owned(),
        },
        403 => TrackerError::Forbidden {
            what: what.to_owned(),
            message: joined(&messages, &errors, status),
        },
        401 => TrackerError::Permanent {
            what: what.to_owned(),
            status,
            message: format!(
                "Jira did not accept the credentials: {}",
                joined(&messages, &errors, status)
            ),
        },
        500..=599 => TrackerError::Transient {
            what: what.to_owned(),
            message: joined(&messages, &errors, status),
            outcome_unknown: false,
        },
        _ => TrackerError::Permanent {
            what: what.to_owned(),
            status,
            message: joined(&messages, &errors, status),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_jiras_words() {
        let body =
            br#"{"errorMessages":[],"errors":{"priority":"Priority name 'Urgent' is not valid"}}"#;
        let e = from_status(400, body, "POST /rest/api/3/issue", "the issue");
        assert_eq!(
            e.to_string(),
            "Jira refused the issue: field 'priority': Priority name 'Urgent' is not valid"
        );
    }

    #[test]
    fn statuses_map_to_actionable_variants() {
        assert!(matches!(
            from_status(404, b"", "GET x", "issue A-1"),
            TrackerError::NotFound { .. }
        ));
        let forbidden = from_status(
            403,
            br#"{"errorMessages":["You do not have permission"]}"#,
            "GET x",
            "s",
        );
        assert_eq!(
            forbidden.to_string(),
            "Jira refused permission for GET x: You do not have permission"
        );
        assert!(matches!(
            from_status(401, b"", "GET x", "s"),
            TrackerError::Permanent { status: 401, .. }
        ));
        assert!(from_status(502, b"<html>bad gateway</html>", "GET x", "s").is_transient());
        let odd = from_status(409, b"not json", "PUT x", "s");
        assert_eq!(odd.to_string(), "PUT x failed: not json");
        let jsm = from_status(
            400,
            br#"{"errorMessage":"Customer exists"}"#,
            "POST c",
            "the customer",
        );
        assert_eq!(
            jsm.to_string(),
            "Jira refused the customer: Customer exists"
        );
    }
}
