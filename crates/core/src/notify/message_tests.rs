use serde_json::json;

use mail_parser::MimeHeaders;

use super::*;
use crate::notify::{JiraEvent, Reader, variables};
use crate::profile::EventKind;

fn rule(subject: Option<&str>, text: Option<&str>, html: Option<&str>) -> NotificationRule {
    NotificationRule {
        comment: None,
        name: None,
        projects: Vec::new(),
        events: vec![EventKind::CommentAdded],
        to: Vec::new(),
        subject: subject.map(str::to_owned),
        text: text.map(str::to_owned),
        html: html.map(str::to_owned),
    }
}

fn event() -> JiraEvent {
    JiraEvent::parse(
        json!({
            "webhookEvent": "comment_created",
            "user": {"accountId": "agent-1", "displayName": "Ada Agent"},
            "issue": {"id": "10001", "key": "SUP-7", "fields": {"project": {"key": "SUP"}}},
            "comment": {"id": "42", "body": "Try <restarting> & tell us", "author": {"displayName": "Ada Agent"}},
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn issue_context() -> RenderContext {
    let mut context = RenderContext::new();
    context.insert(
        "issue",
        json!({"key": "SUP-7", "summary": "Printer <on> fire", "status": "Waiting for customer",
               "link": "https://acme.example/browse/SUP-7"}),
    );
    context
}

fn words(templates: &NotifyTemplates) -> Words {
    let defaults = NotifyTemplates::defaults().unwrap_or_else(|e| panic!("{e}"));
    let context = variables(
        &issue_context(),
        EventKind::CommentAdded,
        &event(),
        Reader {
            name: Some("Frank"),
            address: "frank@customer.example",
            reply_address: Some("support@acme.example"),
        },
        &[crate::notify::FileLink {
            name: "big-log.zip".to_owned(),
            size: 40_000_000,
            link: Some("https://acme.example/attachment/9".to_owned()),
            attached: false,
        }],
    );
    templates
        .render(&context, &defaults)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_defaults_say_who_wrote_what_and_escape_html() {
    let w = words(&NotifyTemplates::defaults().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(w.subject, "[SUP-7] Printer <on> fire");
    assert!(
        w.text
            .contains("Ada Agent wrote:\n\nTry <restarting> & tell us")
    );
    assert!(w.text.contains("Status: Waiting for customer"));
    assert!(w.text.contains("keep [SUP-7] in the subject"));
    assert!(
        w.text
            .contains("big-log.zip: https://acme.example/attachment/9"),
        "a file over the cap is linked: {}",
        w.text
    );
    // Escaped as HTML escapes attribute values (`/` too); a browser reads the same link.
    assert!(
        w.html
            .contains("href=\"https:&#x2f;&#x2f;acme.example&#x2f;attachment&#x2f;9\""),
        "{}",
        w.html
    );
    assert!(w.html.contains("Try &lt;restarting&gt; &amp; tell us"));
    assert!(w.html.contains("Printer &lt;on&gt; fire"));
    assert!(!w.html.contains("<restarting>"));
    assert!(w.fell_back.is_empty());
}

#[test]
fn unknown_variables_are_refused_when_the_rule_is_compiled() {
    let err = NotifyTemplates::new(&rule(None, Some("{{ issue.sumary }}"), None))
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(err.part, "text");
    assert!(err.to_string().contains("sumary"), "{err}");
    let err = NotifyTemplates::new(&rule(Some("{% if %}"), None, None))
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(err.part, "subject");
}

#[test]
fn a_template_that_fails_while_rendering_falls_back_to_the_default() {
    let looping =
        "{% for i in range(1000000) %}{% for j in range(1000000) %}x{% endfor %}{% endfor %}";
    let w = words(
        &NotifyTemplates::new(&rule(
            Some("{{ issue.key }} news\n\nBcc: x"),
            Some(looping),
            None,
        ))
        .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(w.fell_back, vec!["text"]);
    assert!(w.text.contains("Ada Agent wrote:"));
    assert_eq!(w.subject, "SUP-7 news Bcc: x", "a subject stays one line");
}

fn facts() -> NotificationFacts {
    NotificationFacts {
        message_id: "n.abc.def@acme.example".to_owned(),
        to: "frank@customer.example".to_owned(),
        to_name: Some("Frank Customer".to_owned()),
        from: "support@acme.example".to_owned(),
        from_name: Some("ACME Support".to_owned()),
        reply_to: Some("support@acme.example".to_owned()),
        subject: "[SUP-7] Printer on fire".to_owned(),
        text: "Ada wrote".to_owned(),
        html: "<p>Ada wrote</p>".to_owned(),
        in_reply_to: "CAF1234@customer.example".to_owned(),
        issue_key: "SUP-7".to_owned(),
        event: "comment_added".to_owned(),
        notes: Vec::new(),
        attachments: Vec::new(),
    }
}

#[test]
fn the_message_threads_under_the_root_and_says_it_is_automatic() {
    let raw = facts()
        .compose("default", 1_700_000_000_000, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .unwrap_or_else(|| panic!("unparsable"));
    assert_eq!(parsed.message_id(), Some("n.abc.def@acme.example"));
    assert_eq!(
        parsed.in_reply_to().as_text(),
        Some("CAF1234@customer.example")
    );
    assert_eq!(
        parsed.references().as_text(),
        Some("CAF1234@customer.example")
    );
    assert_eq!(parsed.subject(), Some("[SUP-7] Printer on fire"));
    let header = |name: &str| {
        parsed
            .header_raw(name)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("Auto-Submitted"), "auto-generated");
    assert_eq!(header(crate::classify::LOOP_HEADER), "default");
    assert!(header("Reply-To").contains("support@acme.example"));
    assert_eq!(
        parsed.body_text(0).as_deref().map(str::trim),
        Some("Ada wrote")
    );
    assert!(
        parsed
            .body_html(0)
            .is_some_and(|h| h.contains("<p>Ada wrote</p>"))
    );
}

#[test]
fn a_bad_address_is_an_error_not_a_panic() {
    let mut bad = facts();
    bad.to = "not an address".to_owned();
    assert!(bad.compose("default", 0, &[]).is_err());
}

#[test]
fn files_of_the_event_go_along_as_attachments() {
    let file = AttachedFile {
        id: "10077".to_owned(),
        name: "invoice.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
    };
    let raw = facts()
        .compose("default", 0, &[(&file, b"%PDF-1.4 pretend".to_vec())])
        .unwrap_or_else(|e| panic!("{e}"));
    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .unwrap_or_else(|| panic!("unparsable"));
    assert_eq!(parsed.attachment_count(), 1);
    let attached = parsed
        .attachment(0)
        .unwrap_or_else(|| panic!("no attachment"));
    assert_eq!(attached.attachment_name(), Some("invoice.pdf"));
    assert_eq!(attached.contents(), b"%PDF-1.4 pretend");
    assert_eq!(
        parsed.body_text(0).as_deref().map(str::trim),
        Some("Ada wrote")
    );
}
