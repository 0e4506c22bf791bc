//! Operator events: what postroom tells the people who run it about the sites it serves —
//! a Jira Cloud site installed or uninstalled the app, an administrator sent feedback.
//!
//! Each event is a job of its site's tenant ([`OPERATOR_EVENT_JOB`]), its payload sealed
//! with the tenant's key (feedback is someone's words, and may carry their address), so
//! that it is retried like any job and a failing webhook never holds anything else up. The
//! message holds the site's URL and the event; feedback adds its text, and the sender's
//! address only when they asked for it to be included. The delivery itself (HTTP) is the
//! binary's; here are the event, the queueing and the message.

use postroom_core::message::EmailAddress;
use postroom_store::TenantStore;
use postroom_store::crypto::{CryptoError, Keyring, Place};
use postroom_store::queue::NewJob;
use serde::{Deserialize, Serialize};

/// The job kind of an operator event.
pub const OPERATOR_EVENT_JOB: &str = "operator.event";

/// The longest feedback taken, in characters.
pub const MAX_FEEDBACK_CHARS: usize = 4000;

/// One event for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum OperatorEvent {
    /// A Jira Cloud site installed the app (or installed it again).
    Installed,
    /// A Jira Cloud site uninstalled the app.
    Uninstalled,
    /// An administrator's feedback, with their address only when they asked for it to be
    /// included.
    Feedback {
        text: String,
        reply_to: Option<String>,
    },
}

/// Why an event was not queued.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("feedback needs some text")]
    EmptyFeedback,
    #[error("feedback may have at most {MAX_FEEDBACK_CHARS} characters")]
    LongFeedback,
    #[error("the address to include is not an e-mail address")]
    BadAddress,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] postroom_store::StoreError),
    #[error(transparent)]
    Queue(#[from] postroom_store::queue::QueueError),
    #[error("the event cannot be written: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Where an event's sealed payload belongs: its own job, by the job's idempotency key.
fn place(key: &str) -> Place {
    Place::column("jobs", "payload", key)
}

impl OperatorEvent {
    /// Feedback of `text`, with `reply_to` when the sender asked for it to be included;
    /// refused when empty, too long, or the address is not one.
    pub fn feedback(text: &str, reply_to: Option<&str>) -> Result<Self, OperatorError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(OperatorError::EmptyFeedback);
        }
        if text.chars().count() > MAX_FEEDBACK_CHARS {
            return Err(OperatorError::LongFeedback);
        }
        let reply_to = match reply_to.map(str::trim) {
            None | Some("") => None,
            Some(address) => {
                // An address the operator can answer: a dotted domain, not a local name.
                let parsed = EmailAddress::parse(address)
                    .ok()
                    .filter(|a| a.domain().contains('.'))
                    .ok_or(OperatorError::BadAddress)?;
                Some(parsed.as_str().to_owned())
            }
        };
        Ok(Self::Feedback {
            text: text.to_owned(),
            reply_to,
        })
    }

    /// The message for the operator about the site at `site`.
    pub fn message(&self, site: &str) -> String {
        match self {
            Self::Installed => format!("postroom: the Jira site {site} installed the app."),
            Self::Uninstalled => format!(
                "postroom: the Jira site {site} uninstalled the app (its data is kept for a \
                 reinstall until it is erased)."
            ),
            Self::Feedback { text, reply_to } => {
                let mut message = format!("postroom: feedback from the Jira site {site}:\n{text}");
                if let Some(address) = reply_to {
                    message.push_str(&format!("\nReply to: {address}"));
                }
                message
            }
        }
    }
}

/// Queues `event` of `tenant` for the operator's webhook, sealed with the tenant's key;
/// returns the job's id.
pub async fn queue(
    tenant: &TenantStore,
    keyring: &Keyring,
    event: &OperatorEvent,
    now_ms: i64,
) -> Result<Option<i64>, OperatorError> {
    let key = format!("operator:{}", crate::intake::new_id());
    let sealed = keyring
        .cipher(tenant)
        .await?
        .seal(&place(&key), &serde_json::to_vec(event)?)?;
    let mut tx = tenant.begin().await?;
    let job = tx
        .enqueue(
            &NewJob {
                kind: OPERATOR_EVENT_JOB.to_owned(),
                payload: sealed,
                idempotency_key: key,
                run_at_ms: now_ms,
            },
            now_ms,
        )
        .await?;
    tx.commit().await?;
    Ok(job)
}

/// The event a job of [`OPERATOR_EVENT_JOB`] carries, opened with its tenant's key.
pub async fn open(
    tenant: &TenantStore,
    keyring: &Keyring,
    idempotency_key: &str,
    payload: &[u8],
) -> Result<OperatorEvent, OperatorError> {
    let plain = keyring
        .cipher(tenant)
        .await?
        .open(&place(idempotency_key), payload)?;
    Ok(serde_json::from_slice(&plain)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_is_checked_and_carries_an_address_only_when_given() {
        assert!(matches!(
            OperatorEvent::feedback("  ", None),
            Err(OperatorError::EmptyFeedback)
        ));
        assert!(matches!(
            OperatorEvent::feedback(&"x".repeat(MAX_FEEDBACK_CHARS + 1), None),
            Err(OperatorError::LongFeedback)
        ));
        for bad in [
            "ann",
            "ann@localhost",
            "a b@example.com",
            "ann@exa\nmple.com",
        ] {
            assert!(
                matches!(
                    OperatorEvent::feedback("hi", Some(bad)),
                    Err(OperatorError::BadAddress)
                ),
                "{bad:?}"
            );
        }
        let plain = OperatorEvent::feedback(" Great tool ", None).unwrap();
        assert_eq!(
            plain.message("https://acme.atlassian.net"),
            "postroom: feedback from the Jira site https://acme.atlassian.net:\nGreat tool"
        );
        let with = OperatorEvent::feedback("Call me", Some("ann@acme.example")).unwrap();
        assert!(with.message("s").ends_with("\nReply to: ann@acme.example"));
        assert!(
            OperatorEvent::Installed
                .message("https://acme.atlassian.net")
                .contains("https://acme.atlassian.net installed")
        );
    }

    #[test]
    fn events_round_trip_through_their_json() {
        for event in [
            OperatorEvent::Installed,
            OperatorEvent::Uninstalled,
            OperatorEvent::feedback("x", Some("a@b.example")).unwrap(),
        ] {
            let json = serde_json::to_vec(&event).unwrap();
            assert_eq!(
                serde_json::from_slice::<OperatorEvent>(&json).unwrap(),
                event
            );
        }
    }
}
