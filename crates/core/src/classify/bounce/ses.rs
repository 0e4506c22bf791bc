//! Amazon SES notifications delivered by mail (directly or wrapped in an SNS envelope):
//! a JSON document whose `notificationType` says bounce, complaint or delivery.

use serde_json::Value;

use super::{FailedRecipient, status};

/// What an SES notification reports.
pub(super) enum SesReport {
    /// Failed recipients, in order.
    Bounce(Vec<FailedRecipient>),
    /// A complaint (the recipient pressed "spam"): a feedback report.
    Complaint,
    /// A successful delivery.
    Delivery,
}

/// Reads the first JSON object in `body` as an SES notification; `None` when it is not one.
pub(super) fn read(body: &str) -> Option<SesReport> {
    let start = body.find('{')?;
    let end = body.rfind('}')?;
    let mut doc: Value = serde_json::from_str(body.get(start..=end)?).ok()?;
    if let Some(inner) = doc.get("Message").and_then(Value::as_str) {
        doc = serde_json::from_str(inner).ok()?;
    }
    let kind = doc
        .get("notificationType")
        .or_else(|| doc.get("eventType"))
        .and_then(Value::as_str)?;
    match kind {
        "Bounce" => Some(SesReport::Bounce(bounced(&doc["bounce"]))),
        "Complaint" => Some(SesReport::Complaint),
        "Delivery" => Some(SesReport::Delivery),
        _ => None,
    }
}

fn bounced(bounce: &Value) -> Vec<FailedRecipient> {
    let permanent = bounce.get("bounceType").and_then(Value::as_str) == Some("Permanent");
    let list = bounce
        .get("bouncedRecipients")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    list.iter()
        .filter_map(|r| {
            let address = r.get("emailAddress").and_then(Value::as_str)?.to_owned();
            let diagnostic = r
                .get("diagnosticCode")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let reply_code = diagnostic.as_deref().and_then(status::reply_code);
            let status = r
                .get("status")
                .and_then(Value::as_str)
                .and_then(status::normalise)
                .or_else(|| reply_code.as_deref().and_then(status::from_reply_code))
                .or_else(|| Some(if permanent { "5.0.0" } else { "4.0.0" }.to_owned()));
            let action = Some(
                r.get("action")
                    .and_then(Value::as_str)
                    .unwrap_or("failed")
                    .to_owned(),
            );
            Some(FailedRecipient::new(
                address, action, status, diagnostic, reply_code,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sns_wrapped_bounce_gives_recipients() {
        let inner = r#"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"gone@example.org","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 unknown"}]}}"#;
        let body = serde_json::json!({"Type": "Notification", "Message": inner}).to_string();
        let Some(SesReport::Bounce(r)) = read(&format!("text before\n{body}\n--\nfooter")) else {
            panic!("not read");
        };
        assert_eq!(r[0].address, "gone@example.org");
        assert_eq!(r[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(r[0].reply_code.as_deref(), Some("550"));
        assert!(r[0].hard);
    }

    #[test]
    fn delivery_and_complaint_are_recognised_and_other_json_is_not() {
        assert!(matches!(
            read(r#"{"notificationType":"Delivery"}"#),
            Some(SesReport::Delivery)
        ));
        assert!(matches!(
            read(r#"{"notificationType":"Complaint"}"#),
            Some(SesReport::Complaint)
        ));
        assert!(read(r#"{"order": 42}"#).is_none());
        assert!(read("no json } here {").is_none());
        assert!(read("").is_none());
    }
}
