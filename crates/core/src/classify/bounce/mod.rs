//! Delivery reports: RFC 3464 `multipart/report` DSNs and the free-text formats of the MTAs
//! and providers that do not send one (qmail, Exim, Exchange, Gmail, SES, carriers, ...).
//!
//! A bounce tells postroom that one of its own mails did not arrive: the failed address goes
//! on the suppression list when the failure is permanent, and the returned Message-ID or
//! VERP token says which outbound mail it was. Feedback reports (ARF) and delivery-success
//! notices are reports too, but not failures: they are answered as auto-replies.

mod dsn;
mod original;
mod ses;
mod source;
mod status;
mod text;

use serde::Serialize;

use crate::message::Message;

/// One recipient a report says failed or was delayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRecipient {
    /// The recipient address as reported.
    pub address: String,
    /// DSN `Action` (`failed`, `delayed`); derived from the status class for free text.
    pub action: Option<String>,
    /// RFC 3463 status, e.g. `5.1.1`; `5.0.0`/`4.0.0` when only a reply code or words exist.
    pub status: Option<String>,
    /// The remote server's explanation, e.g. `550 5.1.1 user unknown`.
    pub diagnostic: Option<String>,
    /// The SMTP reply code, e.g. `550`.
    pub reply_code: Option<String>,
    /// True for a permanent failure (status class 5): stop sending to this address.
    pub hard: bool,
}

impl FailedRecipient {
    fn new(
        address: String,
        action: Option<String>,
        status: Option<String>,
        diagnostic: Option<String>,
        reply_code: Option<String>,
    ) -> Self {
        let hard = status.as_deref().is_some_and(|s| s.starts_with('5'));
        Self {
            address,
            action,
            status,
            diagnostic,
            reply_code,
            hard,
        }
    }

    fn is_failure(&self) -> bool {
        matches!(self.action.as_deref(), Some(a) if a.starts_with("failed") || a.starts_with("delayed"))
    }
}

/// The `bounce` object of the dry-run JSON: the first failed recipient's details, all
/// failed recipients, and what identifies the original mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bounce {
    /// First failed recipient; `None` when the report names no address.
    pub recipient: Option<String>,
    /// Its RFC 3463 status.
    pub status: Option<String>,
    /// Its diagnostic text.
    pub diagnostic: Option<String>,
    /// Its SMTP reply code.
    pub reply_code: Option<String>,
    /// True when its failure is permanent.
    pub hard: bool,
    /// Every failed or delayed recipient, in report order.
    pub recipients: Vec<FailedRecipient>,
    /// `Message-ID` of the returned original, to find which of our mails failed.
    pub original_message_id: Option<String>,
    /// Token of the own VERP address the bounce came back to.
    pub verp_token: Option<String>,
}

/// What the report reading decided.
#[derive(Debug)]
pub(super) enum Verdict {
    /// A failure or delay report.
    Bounce { reason: String, bounce: Bounce },
    /// A report that is not a failure (ARF, delivery success): an automatic notice.
    Notice(String),
    /// Not a report.
    None,
}

/// Reads a message as a delivery report.
pub(super) fn detect(message: &Message, body: &str, own_domains: &[String]) -> Verdict {
    if is_feedback_report(message) {
        return Verdict::Notice("feedback report (ARF)".to_owned());
    }
    let reports: Vec<String> = message
        .attachments
        .iter()
        .filter(|a| {
            a.is_type("message/delivery-status") || a.is_type("message/global-delivery-status")
        })
        .filter_map(|a| a.text().map(|t| t.into_owned()))
        .collect();
    let is_dsn = !reports.is_empty()
        || message.content_type.is("multipart/report")
            && message
                .content_type
                .parameter("report-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"));
    let body = report_text(message, body);
    let sender = source::sender(message);
    let mut dsn_recipients: Vec<FailedRecipient> = reports
        .iter()
        .flat_map(|r| dsn::recipient_blocks(r))
        .filter_map(|b| b.to_recipient())
        .collect();
    if dsn_recipients.is_empty() && (is_dsn || sender.is_some()) {
        // Broken MIME (a mangled boundary) leaves the report fields in the text.
        dsn_recipients = dsn::recipient_blocks(&body)
            .iter()
            .filter_map(dsn::RecipientBlock::to_recipient)
            .collect();
    }
    let explanation = text::explanation(&body);
    let original = original::find(message, &body[explanation.len()..]);
    if sender.is_some() && dsn_recipients.is_empty() {
        match ses::read(&body) {
            Some(ses::SesReport::Bounce(found)) if !found.is_empty() => {
                dsn_recipients = found;
            }
            Some(ses::SesReport::Complaint) => {
                return Verdict::Notice("feedback report (SES complaint)".to_owned());
            }
            Some(ses::SesReport::Delivery) => {
                return Verdict::Notice("delivery success notice (SES)".to_owned());
            }
            _ => {}
        }
    }
    let failed: Vec<FailedRecipient> = dsn_recipients
        .iter()
        .filter(|r| r.is_failure())
        .cloned()
        .collect();
    let reason;
    let recipients = if !failed.is_empty() {
        reason = "delivery-status report with a failed or delayed recipient".to_owned();
        failed
    } else if !dsn_recipients.is_empty() {
        return Verdict::Notice(format!(
            "delivery-status report without failures (Action: {})",
            dsn_recipients[0].action.as_deref().unwrap_or("none")
        ));
    } else {
        let subject = source::subject(message);
        let phrase = source::failure_phrase(explanation);
        reason = match (is_dsn, sender, subject, phrase) {
            (true, _, _, _) => "delivery-status report read as text".to_owned(),
            (false, Some(s), true, _) => format!("bounce subject; {s}"),
            (false, Some(s), false, true) => format!("delivery failure text; {s}"),
            (false, None, true, true) => "bounce subject and delivery failure text".to_owned(),
            (false, None, false, true) if returned_to_sender(message, &original) => {
                "delivery failure text with the sender's own message returned".to_owned()
            }
            _ => return Verdict::None,
        };
        let exclude = parties(message, &original);
        let mut found = text::recipients(explanation, &exclude);
        if found.is_empty() {
            let status = status::enhanced_code(explanation)
                .or_else(|| {
                    status::reply_code(explanation).and_then(|c| status::from_reply_code(&c))
                })
                .unwrap_or_else(|| text::derive_class(explanation));
            let action = if status.starts_with('4') {
                "delayed"
            } else {
                "failed"
            };
            found = original
                .to
                .iter()
                .take(1)
                .map(|to| {
                    FailedRecipient::new(
                        to.clone(),
                        Some(action.to_owned()),
                        Some(status.clone()),
                        None,
                        status::reply_code(explanation),
                    )
                })
                .collect();
        }
        found
    };
    let first = recipients.first();
    let bounce = Bounce {
        recipient: first.map(|r| r.address.clone()),
        status: first.and_then(|r| r.status.clone()),
        diagnostic: first.and_then(|r| r.diagnostic.clone()),
        reply_code: first.and_then(|r| r.reply_code.clone()),
        hard: first.is_some_and(|r| r.hard),
        original_message_id: original.message_id,
        verp_token: original::verp_token(message, own_domains),
        recipients,
    };
    Verdict::Bounce { reason, bounce }
}

fn is_feedback_report(message: &Message) -> bool {
    let report_type = message.content_type.parameter("report-type");
    (message.content_type.is("multipart/report")
        && report_type.is_some_and(|t| t.eq_ignore_ascii_case("feedback-report")))
        || message
            .attachments
            .iter()
            .any(|a| a.is_type("message/feedback-report"))
}

/// The text to scan: the body, or when it is empty (the report sits in an attachment, or a
/// broken boundary left the whole report as one opaque part), the text of every
/// non-binary attachment.
fn report_text(message: &Message, body: &str) -> String {
    if !body.trim().is_empty() {
        return body.to_owned();
    }
    message
        .attachments
        .iter()
        .filter(|a| a.message.is_none())
        .filter_map(|a| {
            let textual = a.content_type.starts_with("text/")
                || a.content_type.starts_with("multipart/")
                || a.content_type.starts_with("message/");
            textual.then(|| String::from_utf8_lossy(&a.data).into_owned())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// True when the returned original was sent by the address this report is addressed to:
/// the shape of every bounce, whatever its wording or language.
fn returned_to_sender(message: &Message, original: &original::Original) -> bool {
    message.to.iter().any(|m| {
        original
            .senders
            .iter()
            .any(|s| s.eq_ignore_ascii_case(m.address.as_str()))
    })
}

/// Addresses of the bounce's own parties, which are never the failed recipient.
fn parties(message: &Message, original: &original::Original) -> Vec<String> {
    message
        .to
        .iter()
        .chain(&message.cc)
        .chain(&message.from)
        .map(|m| m.address.as_str().to_owned())
        .chain(message.delivered_to.iter().map(|a| a.as_str().to_owned()))
        .chain(original.senders.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests;
