use super::*;
use crate::message::{Message, ParseLimits};

fn facts() -> AckFacts {
    AckFacts {
        message_id: "ack.abc@example.com".to_owned(),
        to: "carol@customer.example".to_owned(),
        to_name: Some("Carol Jones".to_owned()),
        in_reply_to: Some("orig-1@customer.example".to_owned()),
        references: vec!["older@customer.example".to_owned()],
        issue_key: "SUP-12".to_owned(),
        summary: "Printer on fire".to_owned(),
        link: Some("https://jira.example/browse/SUP-12".to_owned()),
    }
}

fn settings() -> Acknowledgement {
    Acknowledgement {
        enabled: true,
        from_name: Some("ACME Support".to_owned()),
        ..Acknowledgement::default()
    }
}

fn parse(raw: &[u8]) -> Message {
    match Message::parse(raw, &ParseLimits::default()) {
        Ok(parsed) => parsed.message,
        Err(e) => panic!("the acknowledgement does not parse: {e}"),
    }
}

#[test]
fn acknowledgement_threads_under_the_customers_mail_and_says_it_is_automatic() {
    let t = AckTemplates::new(&settings(), Some("support@example.com")).unwrap();
    let raw = t
        .compose(&facts(), "tenant-default", 1_763_900_000_000)
        .unwrap();
    let m = parse(&raw);
    assert_eq!(m.subject.as_deref(), Some("[SUP-12] Printer on fire"));
    assert_eq!(
        m.header("Auto-Submitted").map(str::trim),
        Some("auto-replied")
    );
    assert_eq!(m.header(LOOP_HEADER).map(str::trim), Some("tenant-default"));
    assert_eq!(
        m.message_id.as_ref().map(|i| i.as_str()),
        Some("ack.abc@example.com")
    );
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("In-Reply-To: <orig-1@customer.example>"),
        "{text}"
    );
    assert!(
        text.contains("<older@customer.example> <orig-1@customer.example>"),
        "References keep the history and end with the parent: {text}"
    );
    assert_eq!(
        m.from.as_ref().map(|f| f.address.as_str()),
        Some("support@example.com")
    );
    let body = m.body_text();
    assert!(body.contains("Hello Carol Jones,"), "{body}");
    assert!(
        body.contains("https://jira.example/browse/SUP-12"),
        "{body}"
    );
}

#[test]
fn without_a_parent_there_is_no_in_reply_to_and_missing_values_leave_no_gap() {
    let t = AckTemplates::new(&settings(), Some("support@example.com")).unwrap();
    let facts = AckFacts {
        to_name: None,
        in_reply_to: None,
        references: Vec::new(),
        link: None,
        ..facts()
    };
    let raw = t.compose(&facts, "t", 0).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains("In-Reply-To"), "{text}");
    let body = parse(&raw).body_text();
    assert!(body.starts_with("Hello,"), "{body}");
    assert!(body.contains("opened SUP-12 for it."), "{body}");
}

#[test]
fn a_subject_template_cannot_inject_a_header() {
    let s = Acknowledgement {
        subject: "{{ issue.summary }}".to_owned(),
        ..settings()
    };
    let t = AckTemplates::new(&s, Some("support@example.com")).unwrap();
    let evil = AckFacts {
        summary: "hello\r\nBcc: victim@example.net".to_owned(),
        ..facts()
    };
    let raw = t.compose(&evil, "t", 0).unwrap();
    let m = parse(&raw);
    assert!(m.header("Bcc").is_none());
    assert_eq!(m.subject.as_deref(), Some("hello Bcc: victim@example.net"));
}

#[test]
fn unknown_variables_and_a_missing_from_are_refused() {
    let typo = Acknowledgement {
        body: "{{ issue.sumary }}".to_owned(),
        ..settings()
    };
    let e = AckTemplates::new(&typo, Some("support@example.com")).unwrap_err();
    assert!(e.to_string().contains("issue.sumary"), "{e}");
    assert!(matches!(
        AckTemplates::new(&settings(), None),
        Err(AckError::NoFrom)
    ));
    let bad_from = Acknowledgement {
        from: Some("not an address".to_owned()),
        ..settings()
    };
    assert!(matches!(
        AckTemplates::new(&bad_from, None),
        Err(AckError::Address(_))
    ));
}
