//! What can go wrong when talking to the tracker, in terms a caller can act on.

use std::fmt;
use std::time::Duration;

/// One field-level complaint from Jira (`errors` of an error body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field id or name as Jira reports it (`priority`, `customfield_10010`).
    pub field: String,
    /// Jira's own message.
    pub message: String,
}

/// A tracker call that failed. Each variant says what the caller should do next:
/// wait and retry, retry later, give up, or fix its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackerError {
    /// Jira throttled the call (429, or 503 with `Retry-After`). Retry no earlier than
    /// `retry_after` from now.
    #[error("Jira is rate limiting {what}; retry after {}s{}", retry_after.as_secs_f64(), reason_suffix(reason))]
    RateLimited {
        /// The call that was refused, e.g. `POST /rest/api/3/issue`.
        what: String,
        /// How long to wait before any retry.
        retry_after: Duration,
        /// `RateLimit-Reason`, when Jira gave one.
        reason: Option<String>,
    },
    /// A temporary failure (5xx, timeout, connection reset): the same call may succeed later.
    /// `outcome_unknown` is true when the request may have been carried out (the answer
    /// was lost after sending), so a non-idempotent call must not simply be repeated.
    #[error("temporary failure of {what}: {message}")]
    Transient {
        /// The call that failed.
        what: String,
        /// What went wrong.
        message: String,
        /// True when the request may have taken effect.
        outcome_unknown: bool,
    },
    /// The call cannot succeed as made (authentication refused, unexpected 4xx, a body
    /// postroom cannot read). Retrying will not help; a person must look.
    #[error("{what} failed: {message}")]
    Permanent {
        /// The call that failed.
        what: String,
        /// HTTP status, 0 when there was none.
        status: u16,
        /// Jira's messages or a description of the failure.
        message: String,
    },
    /// The issue, user, attachment or property does not exist (or is invisible to us).
    #[error("{what} was not found")]
    NotFound {
        /// What was looked up, e.g. `issue SUP-12`.
        what: String,
    },
    /// Jira refused permission.
    #[error("Jira refused permission for {what}: {message}")]
    Forbidden {
        /// The call that was refused.
        what: String,
        /// Jira's message.
        message: String,
    },
    /// Jira refused the input (400) and said why, field by field.
    #[error("Jira refused {what}: {}", Messages(messages, errors))]
    Invalid {
        /// What was refused, e.g. `the issue`.
        what: String,
        /// Messages not tied to a field (`errorMessages`).
        messages: Vec<String>,
        /// Messages per field (`errors`).
        errors: Vec<FieldError>,
    },
}

impl TrackerError {
    /// True when the same call may succeed if made again later.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient { .. })
    }

    /// The earliest moment (from now) at which a retry is allowed, when Jira said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_ref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default()
}

struct Messages<'a>(&'a [String], &'a [FieldError]);

impl fmt::Display for Messages<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self.0.to_vec();
        parts.extend(
            self.1
                .iter()
                .map(|e| format!("field '{}': {}", e.field, e.message)),
        );
        if parts.is_empty() {
            return f.write_str("no reason given");
        }
        f.write_str(&parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_reads_like_jira_said_it() {
        let e = TrackerError::Invalid {
            what: "the issue".to_owned(),
            messages: vec![],
            errors: vec![FieldError {
                field: "priority".to_owned(),
                message: "Priority name 'Urgent' is not valid".to_owned(),
            }],
        };
        assert_eq!(
            e.to_string(),
            "Jira refused the issue: field 'priority': Priority name 'Urgent' is not valid"
        );
        assert!(!e.is_transient());
    }

    #[test]
    fn rate_limited_is_transient_and_says_when() {
        let e = TrackerError::RateLimited {
            what: "POST /rest/api/3/issue".to_owned(),
            retry_after: Duration::from_secs(3),
            reason: Some("jira-burst-based".to_owned()),
        };
        assert!(e.is_transient());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            e.to_string(),
            "Jira is rate limiting POST /rest/api/3/issue; retry after 3s (jira-burst-based)"
        );
    }
}
