//! The processing report of one message: what was read, what the plan decided and why,
//! what was done in Jira. It names the sender and the subject, so it is stored sealed.

use postroom_core::message::{Message, ParseWarning};
use postroom_core::plan::Plan;
use postroom_store::crypto::{Place, TenantCipher};
use serde::Serialize;

use crate::worker::JobError;

/// The report, as sealed into `inbound_results.report` (JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub intake_id: String,
    pub mailbox: Option<String>,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    /// The plan, as the dry run shows it (classification, thread, directives, action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<serde_json::Value>,
    /// What was found and done, in order: reading, the plan's reasons, Jira's answers.
    pub lines: Vec<String>,
    /// Why the message could not be carried out, when it could not.
    pub error: Option<String>,
    /// Keyed hash of the sender's address.
    #[serde(skip)]
    pub sender_hash: Option<String>,
}

impl Report {
    pub fn new(intake_id: &str) -> Self {
        Self {
            intake_id: intake_id.to_owned(),
            ..Self::default()
        }
    }

    /// Notes what was read from the message.
    pub fn read(&mut self, message: &Message, warnings: &[ParseWarning]) {
        self.message_id = message.message_id.as_ref().map(|m| m.as_str().to_owned());
        self.from = message.from.as_ref().map(|m| m.address.as_str().to_owned());
        self.subject.clone_from(&message.subject);
        self.lines
            .extend(warnings.iter().map(|w| format!("read: {w}")));
    }

    /// Warns that a mail taken in earlier carries this one's Message-ID with other content:
    /// the Message-ID proves nothing, so this mail is carried out as one of its own, and an
    /// administrator reading either report should know the other exists.
    pub fn reused_message_id(&mut self) {
        self.lines.push(
            "warning: another mail taken in earlier has the same Message-ID but other \
             content; this one is carried out as a message of its own"
                .to_owned(),
        );
    }

    /// Keeps the plan and its reasons.
    pub fn planned(&mut self, plan: &Plan) {
        self.plan = serde_json::to_value(plan).ok();
        self.lines.extend(plan.report.iter().cloned());
    }

    /// The report sealed with the tenant's key, bound to its row.
    pub fn seal(&self, cipher: &TenantCipher) -> Result<Vec<u8>, JobError> {
        let json = serde_json::to_vec(self).map_err(|e| JobError::Transient(e.to_string()))?;
        cipher
            .seal(
                &Place::column("inbound_results", "report", self.intake_id.as_str()),
                &json,
            )
            .map_err(|e| JobError::Transient(e.to_string()))
    }
}

/// A sealed report opened again, as the JSON it was sealed from (for the audit).
pub fn open(
    cipher: &TenantCipher,
    intake_id: &str,
    sealed: &[u8],
) -> Result<serde_json::Value, String> {
    let json = cipher
        .open(
            &Place::column("inbound_results", "report", intake_id),
            sealed,
        )
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&json).map_err(|e| format!("the report is not JSON: {e}"))
}
