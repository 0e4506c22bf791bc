//! RFC 3464 `message/delivery-status` fields: one block per message, then one per recipient.

use super::{FailedRecipient, status};
use crate::message::EmailAddress;

/// One per-recipient block of a delivery-status report.
#[derive(Debug, Default)]
pub(super) struct RecipientBlock {
    pub final_recipient: Option<String>,
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
}

/// Splits the report into blocks and keeps those that name a recipient, an action or a
/// status. Continuation lines are unfolded; unknown fields are ignored.
pub(super) fn recipient_blocks(text: &str) -> Vec<RecipientBlock> {
    let mut blocks = Vec::new();
    let mut current = RecipientBlock::default();
    let mut last: Option<&'static str> = None;
    let mut flush = |block: &mut RecipientBlock| {
        let taken = std::mem::take(block);
        if taken.final_recipient.is_some()
            || taken.original_recipient.is_some()
            || taken.action.is_some()
        {
            blocks.push(taken);
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut current);
            last = None;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(field) = last {
                append(&mut current, field, line.trim());
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        last = match name.trim().to_ascii_lowercase().as_str() {
            "final-recipient" => {
                current.final_recipient = Some(value);
                Some("final-recipient")
            }
            "original-recipient" => {
                current.original_recipient = Some(value);
                Some("original-recipient")
            }
            "action" => {
                current.action = Some(value.to_ascii_lowercase());
                None
            }
            "status" => {
                current.status = Some(value);
                None
            }
            "diagnostic-code" => {
                current.diagnostic = Some(value);
                Some("diagnostic-code")
            }
            _ => None,
        };
    }
    flush(&mut current);
    blocks
}

fn append(block: &mut RecipientBlock, field: &str, more: &str) {
    let target = match field {
        "final-recipient" => &mut block.final_recipient,
        "original-recipient" => &mut block.original_recipient,
        _ => &mut block.diagnostic,
    };
    if let Some(value) = target {
        value.push(' ');
        value.push_str(more);
    }
}

/// Strips the address-type or diagnostic-type prefix: `rfc822; a@b` -> `a@b`.
fn strip_type(value: &str) -> &str {
    value.split_once(';').map_or(value, |(_, rest)| rest).trim()
}

impl RecipientBlock {
    /// The block as a recipient entry; `None` when it names no valid address.
    pub(super) fn to_recipient(&self) -> Option<FailedRecipient> {
        let address = [&self.final_recipient, &self.original_recipient]
            .into_iter()
            .flatten()
            .find_map(|v| EmailAddress::parse(strip_type(v)).ok())?;
        let diagnostic = self
            .diagnostic
            .as_deref()
            .map(|d| strip_type(d).to_owned())
            .filter(|d| !d.is_empty());
        let reply_code = diagnostic.as_deref().and_then(status::reply_code);
        // The remote server's own code is more precise than the reporting MTA's summary;
        // when the two disagree on the class, the server's word wins.
        let from_diagnostic = diagnostic.as_deref().and_then(status::enhanced_code);
        let status = self
            .status
            .as_deref()
            .and_then(status::normalise)
            .filter(|s| {
                from_diagnostic
                    .as_ref()
                    .is_none_or(|d| d.get(..1) == s.get(..1))
            })
            .or(from_diagnostic)
            .or_else(|| {
                // No status field and no enhanced code: the reply code and the words say it.
                let words = diagnostic.as_deref()?;
                Some(status::from_reply_and_text(reply_code.as_deref(), words))
            });
        let action = self.action.clone().or_else(|| {
            status.as_deref().and_then(|s| match s.as_bytes().first() {
                Some(b'5') => Some("failed".to_owned()),
                Some(b'4') => Some("delayed".to_owned()),
                _ => None,
            })
        });
        Some(FailedRecipient::new(
            address.as_str().to_owned(),
            action,
            status,
            diagnostic,
            reply_code,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Reporting-MTA: dns; mx.example.net\n\
        Arrival-Date: Mon, 1 Jan 2024 10:00:00 +0000\n\
        \n\
        Final-Recipient: rfc822; gone@example.org\n\
        Action: failed\n\
        Status: 5.1.1\n\
        Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>:\n    user unknown\n\
        \n\
        Final-Recipient: RFC822; <slow@example.org>\n\
        Action: Delayed\n\
        Status: 4.4.7\n";

    #[test]
    fn each_recipient_block_is_read_with_unfolded_diagnostic() {
        let blocks = recipient_blocks(REPORT);
        assert_eq!(blocks.len(), 2);
        let first = blocks[0].to_recipient().unwrap();
        assert_eq!(first.address, "gone@example.org");
        assert_eq!(first.status.as_deref(), Some("5.1.1"));
        assert_eq!(first.reply_code.as_deref(), Some("550"));
        assert_eq!(
            first.diagnostic.as_deref(),
            Some("550 5.1.1 <gone@example.org>: user unknown")
        );
        let second = blocks[1].to_recipient().unwrap();
        assert_eq!(second.address, "slow@example.org");
        assert_eq!(second.action.as_deref(), Some("delayed"));
        assert!(!second.hard);
    }

    #[test]
    fn status_falls_back_to_the_diagnostic_and_then_to_the_reply_code() {
        let blocks = recipient_blocks(
            "Final-Recipient: rfc822;a@b.example\nDiagnostic-Code: smtp; 554 denied\n",
        );
        let r = blocks[0].to_recipient().unwrap();
        assert_eq!(r.status.as_deref(), Some("5.0.0"));
        assert_eq!(r.action.as_deref(), Some("failed"));
        assert!(r.hard);
    }

    #[test]
    fn the_diagnostic_code_wins_when_the_class_disagrees() {
        let blocks = recipient_blocks(
            "Final-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 4.5.0\nDiagnostic-Code: smtp; 550 5.5.0 refused\n",
        );
        assert_eq!(
            blocks[0].to_recipient().unwrap().status.as_deref(),
            Some("5.5.0")
        );
    }

    #[test]
    fn blocks_without_recipient_or_garbage_give_nothing() {
        assert!(recipient_blocks("").is_empty());
        assert!(recipient_blocks("Reporting-MTA: dns; x\n\nnonsense line\n").is_empty());
        let blocks = recipient_blocks("Final-Recipient: rfc822; not an address\nAction: failed\n");
        assert!(blocks[0].to_recipient().is_none());
    }
}
