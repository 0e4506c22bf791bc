//! One message of the audit as people read it: its record, then its report.

use std::fmt::Write as _;

use postroom_store::audit::{AuditEntry, AuditStatus};
use serde_json::Value;

use crate::app::format_ms;

/// The record and the opened report (when there is one) as aligned text.
pub fn describe(entry: &AuditEntry, report: Option<&Value>, retention_days: u32) -> String {
    let intake = &entry.intake;
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<12} {value}");
    };
    line("id:", &intake.id);
    line("received:", &format_ms(intake.received_at_ms));
    line(
        "mailbox:",
        &format!("{} ({})", intake.mailbox, intake.source.as_str()),
    );
    line("size:", &format!("{} bytes", intake.size));
    line("status:", entry.status().as_str());
    if let Some(reason) = &intake.reason {
        line("reason:", reason);
    }
    let raw = match (entry.status(), intake.store_raw) {
        (AuditStatus::Refused, _) => "not stored (refused at intake)".to_owned(),
        (_, false) => "deleted once processed (store_raw = false)".to_owned(),
        (_, true) => format!(
            "kept until {} ({retention_days} days)",
            format_ms(
                intake
                    .received_at_ms
                    .saturating_add(i64::from(retention_days) * 86_400_000)
            )
        ),
    };
    line("raw mail:", &raw);
    if let Some(result) = &entry.result {
        line("processed:", &format_ms(result.processed_at_ms));
        line("issue:", result.issue_key.as_deref().unwrap_or("-"));
        line("comment:", result.comment_id.as_deref().unwrap_or("-"));
        line("sender:", result.sender_hash.as_deref().unwrap_or("-"));
    }
    if let Some(report) = report {
        out.push_str(&describe_report(report));
    }
    out
}

fn describe_report(report: &Value) -> String {
    let mut out = String::from("\nreport\n");
    for (label, key) in [
        ("from:", "from"),
        ("subject:", "subject"),
        ("message-id:", "message_id"),
    ] {
        let value = report[key].as_str().unwrap_or("-");
        let _ = writeln!(out, "  {label:<12} {value}");
    }
    if let Some(plan) = report.get("plan").filter(|p| !p.is_null()) {
        for (label, key) in [
            ("class:", "classification"),
            ("thread:", "thread"),
            ("action:", "action"),
        ] {
            if let Some(value) = plan.get(key).filter(|v| !v.is_null()) {
                let _ = writeln!(out, "  {label:<12} {}", compact(value));
            }
        }
    }
    let lines = report["lines"].as_array().cloned().unwrap_or_default();
    if !lines.is_empty() {
        out.push_str("  what happened:\n");
        for l in lines {
            let _ = writeln!(out, "    - {}", l.as_str().unwrap_or_default());
        }
    }
    if let Some(error) = report["error"].as_str() {
        let _ = writeln!(out, "  {:<12} {error}", "error:");
    }
    out
}

/// A JSON value on one line; a string without its quotes.
fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use postroom_store::audit::ResultSummary;
    use postroom_store::inbound::ResultStatus;
    use postroom_store::intake::{IntakeRecord, IntakeSource};

    use super::*;

    fn entry(store_raw: bool, result: bool) -> AuditEntry {
        AuditEntry {
            intake: IntakeRecord {
                id: "abc".to_owned(),
                mailbox: "smtp".to_owned(),
                source: IntakeSource::Listener,
                dedupe_hash: "h".to_owned(),
                message_id_sha256: None,
                size: 42,
                status: "queued".to_owned(),
                reason: None,
                received_at_ms: 0,
                store_raw,
            },
            result: result.then(|| ResultSummary {
                status: ResultStatus::Created,
                issue_key: Some("SUP-1".to_owned()),
                comment_id: None,
                sender_hash: Some("addr:0011223344556677".to_owned()),
                processed_at_ms: 1000,
            }),
        }
    }

    #[test]
    fn a_processed_message_reads_with_its_report() {
        let report = serde_json::json!({
            "from": "ann@customer.example", "subject": "Printer", "message_id": null,
            "plan": {"action": {"kind": "create_issue"}, "thread": null},
            "lines": ["route: default"], "error": null
        });
        let text = describe(&entry(true, true), Some(&report), 30);
        assert!(text.contains("status:      created\n"), "{text}");
        assert!(text.contains("issue:       SUP-1\n"), "{text}");
        assert!(
            text.contains("raw mail:    kept until 1970-01-31T00:00:00Z (30 days)\n"),
            "{text}"
        );
        assert!(
            text.contains("  from:        ann@customer.example\n"),
            "{text}"
        );
        assert!(text.contains("  message-id:  -\n"), "{text}");
        assert!(
            text.contains("  action:      {\"kind\":\"create_issue\"}\n"),
            "{text}"
        );
        assert!(
            !text.contains("thread:"),
            "a null thread is left out: {text}"
        );
        assert!(text.contains("    - route: default\n"), "{text}");
    }

    #[test]
    fn a_pending_message_without_raw_storage_says_so() {
        let text = describe(&entry(false, false), None, 30);
        assert!(text.contains("status:      pending\n"), "{text}");
        assert!(
            text.contains("deleted once processed (store_raw = false)"),
            "{text}"
        );
        assert!(!text.contains("report"), "{text}");
    }
}
