use super::*;
use crate::message::{Message, ParseLimits};
use crate::profile::{Acknowledgement, Notice};

fn issue(summary: &str, link: Option<&str>) -> About {
    About::Issue {
        issue_key: "SUP-12".to_owned(),
        summary: summary.to_owned(),
        link: link.map(str::to_owned),
    }
}

fn facts() -> ReplyFacts {
    ReplyFacts {
        message_id: "ack.abc@example.com".to_owned(),
        to: "carol@customer.example".to_owned(),
        to_name: Some("Carol Jones".to_owned()),
        in_reply_to: Some("orig-1@customer.example".to_owned()),
        references: vec!["older@customer.example".to_owned()],
        about: issue(
            "Printer on fire",
            Some("https://jira.example/browse/SUP-12"),
        ),
    }
}

fn ack(settings: &Acknowledgement, own: Option<&str>) -> Result<AutoReply, AutoReplyError> {
    AutoReply::new(ReplyKind::Acknowledgement, settings.letter(), own)
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
    let t = ack(&settings(), Some("support@example.com")).unwrap();
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
    let t = ack(&settings(), Some("support@example.com")).unwrap();
    let facts = ReplyFacts {
        to_name: None,
        in_reply_to: None,
        references: Vec::new(),
        about: issue("Printer on fire", None),
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
    let t = ack(&s, Some("support@example.com")).unwrap();
    let evil = ReplyFacts {
        about: issue("hello\r\nBcc: victim@example.net", None),
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
    let e = ack(&typo, Some("support@example.com")).unwrap_err();
    assert!(e.to_string().contains("issue.sumary"), "{e}");
    assert!(matches!(
        ack(&settings(), None),
        Err(AutoReplyError::NoFrom("acknowledgement"))
    ));
    let bad_from = Acknowledgement {
        from: Some("not an address".to_owned()),
        ..settings()
    };
    assert!(matches!(
        ack(&bad_from, None),
        Err(AutoReplyError::Address(_))
    ));
}

fn refusal() -> ReplyFacts {
    ReplyFacts {
        message_id: "notice.abc@example.com".to_owned(),
        about: About::Refusal {
            reason: "only the people on SUP-7 may add to it by e-mail".to_owned(),
            original_subject: Some("Re: SUP-7 printer".to_owned()),
        },
        ..facts()
    }
}

#[test]
fn a_notice_says_why_and_is_threaded_and_marked_like_an_acknowledgement() {
    let notice = Notice::default();
    let t = AutoReply::new(
        ReplyKind::Notice,
        notice.letter(&settings()),
        Some("support@example.com"),
    )
    .unwrap();
    let raw = t.compose(&refusal(), "tenant-default", 0).unwrap();
    let m = parse(&raw);
    assert_eq!(
        m.subject.as_deref(),
        Some("Not delivered: Re: SUP-7 printer")
    );
    assert_eq!(
        m.header("Auto-Submitted").map(str::trim),
        Some("auto-replied")
    );
    assert_eq!(m.header(LOOP_HEADER).map(str::trim), Some("tenant-default"));
    assert_eq!(
        m.in_reply_to.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        ["orig-1@customer.example"]
    );
    let from = m.from.as_ref().unwrap();
    assert_eq!(
        from.name.as_deref(),
        Some("ACME Support"),
        "the acknowledgement's name"
    );
    let body = m.body_text();
    assert!(body.contains("Hello Carol Jones,"), "{body}");
    assert!(
        body.contains("was not accepted: only the people on SUP-7 may add to it by e-mail."),
        "{body}"
    );
}

#[test]
fn a_notice_knows_only_its_own_variables_and_facts() {
    let typo = Notice {
        body: "{{ issue.key }}".to_owned(),
        ..Notice::default()
    };
    let e = AutoReply::new(
        ReplyKind::Notice,
        typo.letter(&settings()),
        Some("a@b.example"),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("notice.body:"), "{e}");
    let t = ack(&settings(), Some("support@example.com")).unwrap();
    assert!(matches!(
        t.compose(&refusal(), "t", 0),
        Err(AutoReplyError::WrongKind { .. })
    ));
}

#[test]
fn facts_stored_before_notices_existed_still_read_as_an_acknowledgement() {
    let old = r#"{"message_id":"ack.1@example.com","to":"carol@customer.example",
        "to_name":null,"in_reply_to":null,"references":[],"issue_key":"SUP-1",
        "summary":"Printer","link":null}"#;
    let facts: ReplyFacts = serde_json::from_str(old).unwrap();
    assert_eq!(facts.about.kind(), ReplyKind::Acknowledgement);
    let json = serde_json::to_string(&refusal()).unwrap();
    let back: ReplyFacts = serde_json::from_str(&json).unwrap();
    assert_eq!(back, refusal());
}
