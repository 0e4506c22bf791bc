use super::*;
use crate::message::ParseLimits;

fn parse(raw: &str) -> Message {
    Message::parse(raw.as_bytes(), &ParseLimits::default())
        .unwrap()
        .message
}

fn own() -> Vec<String> {
    vec!["support.example.net".to_owned()]
}

const DSN: &str = concat!(
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n",
    "To: help+t-9f3a@support.example.net\r\n",
    "Subject: Undelivered Mail Returned to Sender\r\n",
    "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n",
    "--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n",
    "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n",
    "Final-Recipient: rfc822; ok@example.org\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n",
    "Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n",
    "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n",
    "--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: help@support.example.net\r\nTo: gone@example.org\r\nMessage-ID: <orig-1@support.example.net>\r\n\r\n",
    "--b--\r\n"
);

fn detect_in(message: &Message) -> Verdict {
    detect(message, &message.body_text(), &own())
}

fn bounce_of(message: &Message) -> Bounce {
    match detect(message, &message.body_text(), &own()) {
        Verdict::Bounce { bounce, .. } => bounce,
        other => panic!("not a bounce: {other:?}"),
    }
}

#[test]
fn dsn_gives_first_failed_recipient_original_id_and_verp_token() {
    let b = bounce_of(&parse(DSN));
    assert_eq!(b.recipient.as_deref(), Some("gone@example.org"));
    assert_eq!(b.status.as_deref(), Some("5.1.1"));
    assert_eq!(b.reply_code.as_deref(), Some("550"));
    assert!(b.hard);
    assert_eq!(
        b.recipients.len(),
        1,
        "delivered recipients are not failures"
    );
    assert_eq!(
        b.original_message_id.as_deref(),
        Some("orig-1@support.example.net")
    );
    assert_eq!(b.verp_token.as_deref(), Some("t-9f3a"));
}

#[test]
fn a_dsn_with_only_delivered_recipients_is_a_notice() {
    let success = DSN.replace(
        "Action: failed\r\nStatus: 5.1.1",
        "Action: relayed\r\nStatus: 2.0.0",
    );
    assert!(matches!(detect_in(&parse(&success)), Verdict::Notice(_)));
}

#[test]
fn a_feedback_report_is_a_notice_not_a_bounce() {
    let arf = "From: abuse@isp.example\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report\r\n--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n\r\n--b--\r\n";
    match detect_in(&parse(arf)) {
        Verdict::Notice(reason) => assert!(reason.contains("ARF")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn free_text_bounce_from_a_daemon_is_read() {
    let qmail = concat!(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: ann@example.com\r\nSubject: failure notice\r\n\r\n",
        "Hi. This is the qmail-send program at mx.example.org.\r\n",
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n",
        "<bob@example.org>:\r\nRemote host said: 552 mailbox full\r\n\r\n",
        "--- Below this line is a copy of the message.\r\n\r\nReturn-Path: <ann@example.com>\r\n",
        "Message-ID: <q1@example.com>\r\nTo: bob@example.org\r\n\r\nhello\r\n"
    );
    let b = bounce_of(&parse(qmail));
    assert_eq!(b.recipient.as_deref(), Some("bob@example.org"));
    assert_eq!(
        b.status.as_deref(),
        Some("5.2.2"),
        "class from the reply code, detail from the words"
    );
    assert_eq!(b.reply_code.as_deref(), Some("552"));
    assert_eq!(b.original_message_id.as_deref(), Some("q1@example.com"));
    assert_eq!(b.verp_token, None);
}

#[test]
fn a_person_writing_about_a_failed_delivery_is_not_a_bounce() {
    let person = "From: Ann <ann@example.com>\r\nSubject: Re: my parcel\r\n\r\nThe delivery failed, the courier said user unknown. 550 times!\r\n";
    assert!(matches!(detect_in(&parse(person)), Verdict::None));
}

#[test]
fn bounce_subject_from_an_unknown_sender_needs_failure_text() {
    let sender = "From: notices@carrier.example\r\nSubject: Undeliverable: hello\r\n\r\n";
    assert!(matches!(
        detect_in(&parse(&format!("{sender}see you\r\n"))),
        Verdict::None
    ));
    let b = bounce_of(&parse(&format!(
        "{sender}Delivery has failed to these recipients: x@example.org\r\n"
    )));
    assert_eq!(b.recipient.as_deref(), Some("x@example.org"));
}
