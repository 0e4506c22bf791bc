//! Precedence and the weak hints: one signal at a time, then signals in combination.

use super::*;
use crate::message::ParseLimits;

fn parse(raw: &str) -> Message {
    Message::parse(raw.as_bytes(), &ParseLimits::default())
        .unwrap()
        .message
}

fn human(extra_headers: &str) -> Message {
    parse(&format!(
        "From: Ann <ann@example.com>\r\nTo: help@support.example.net\r\nSubject: Printer broken\r\nMessage-ID: <m1@example.com>\r\n{extra_headers}\r\nHello, my printer is broken.\r\n"
    ))
}

fn context() -> ClassifyContext {
    ClassifyContext {
        own_domains: vec!["support.example.net".into()],
        trusted_authserv_id: Some("mx.support.example.net".into()),
        spam_score: Some(SpamScore {
            header: "X-Spam-Score".into(),
            threshold: 5.0,
        }),
        flood: None,
    }
}

fn kind(message: &Message) -> Kind {
    classify(message, &context()).kind
}

#[test]
fn plain_mail_is_human_and_may_be_acknowledged() {
    let c = classify(&human(""), &context());
    assert_eq!(c.kind, Kind::Human);
    assert!(!c.suppress_acknowledgement);
    assert!(c.hold.is_none());
}

#[test]
fn each_signal_alone_decides_its_class() {
    assert_eq!(kind(&human("X-Postroom-Loop: t1\r\n")), Kind::Loop);
    assert_eq!(
        kind(&human("Auto-Submitted: auto-replied\r\n")),
        Kind::AutoReply
    );
    assert_eq!(kind(&human("X-Spam-Flag: YES\r\n")), Kind::Spam);
    assert_eq!(kind(&human("X-Spam-Score: 7.5\r\n")), Kind::Spam);
    assert_eq!(
        kind(&human("List-Id: <dev.lists.example.org>\r\n")),
        Kind::List
    );
    assert_eq!(
        kind(&human("List-Unsubscribe: <mailto:u@example.org>\r\n")),
        Kind::List
    );
}

#[test]
fn weak_hints_never_decide_but_suppress_the_acknowledgement() {
    for hint in [
        "Return-Path: <>\r\n",
        "Precedence: bulk\r\n",
        "Precedence: junk\r\n",
        "X-Auto-Response-Suppress: DR, OOF, AutoReply\r\n",
    ] {
        let c = classify(&human(hint), &context());
        assert_eq!(c.kind, Kind::Human, "{hint}");
        assert!(c.suppress_acknowledgement, "{hint}");
    }
}

#[test]
fn own_message_id_and_own_verp_sender_are_loops() {
    let own_id =
        parse("From: a@example.com\r\nMessage-ID: <x1@mail.support.example.net>\r\n\r\nhi\r\n");
    assert_eq!(kind(&own_id), Kind::Loop);
    let verp =
        parse("From: help+t42@support.example.net\r\nMessage-ID: <x@example.com>\r\n\r\nhi\r\n");
    assert_eq!(kind(&verp), Kind::Loop);
    let plain_own =
        parse("From: help@support.example.net\r\nMessage-ID: <x@example.com>\r\n\r\nhi\r\n");
    assert_eq!(kind(&plain_own), Kind::Human);
}

#[test]
fn loop_beats_bounce_beats_auto_reply_beats_spam_beats_list() {
    let all = "X-Postroom-Loop: 1\r\nAuto-Submitted: auto-replied\r\nX-Spam-Flag: YES\r\nList-Id: <l.example.org>\r\n";
    assert_eq!(kind(&human(all)), Kind::Loop);
    let dsn = concat!(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: ann@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n",
        "Auto-Submitted: auto-replied\r\nX-Spam-Flag: YES\r\nList-Id: <l.example.org>\r\n",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n",
        "--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n",
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n",
        "Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n"
    );
    let c = classify(&parse(dsn), &context());
    assert_eq!(c.kind, Kind::Bounce);
    assert_eq!(
        c.bounce.as_ref().and_then(|b| b.recipient.as_deref()),
        Some("gone@example.org")
    );
    assert_eq!(
        kind(&human(
            "Auto-Submitted: auto-generated\r\nX-Spam-Flag: YES\r\nList-Id: <l>\r\n"
        )),
        Kind::AutoReply
    );
    assert_eq!(
        kind(&human("X-Spam-Flag: YES\r\nList-Id: <l.example.org>\r\n")),
        Kind::Spam
    );
}

#[test]
fn reason_names_the_deciding_signal() {
    let c = classify(&human("Auto-Submitted: auto-replied\r\n"), &context());
    assert_eq!(c.reason, "header Auto-Submitted: auto-replied");
    assert_eq!(
        classify(&human("X-Postroom-Loop: 1\r\n"), &context()).reason,
        "header X-Postroom-Loop"
    );
}

#[test]
fn a_forged_sender_is_still_classified_but_never_acknowledged() {
    let c = classify(
        &human(
            "Authentication-Results: mx.support.example.net; dmarc=fail header.from=example.com\r\n",
        ),
        &context(),
    );
    assert_eq!(c.kind, Kind::Human);
    assert!(c.auth.forged_from);
    assert!(c.suppress_acknowledgement);
}

#[test]
fn a_flooding_sender_is_held_whatever_the_class() {
    let mut ctx = context();
    ctx.flood = Some(FloodCount {
        recent: 101,
        threshold: 100,
    });
    let c = classify(&human(""), &ctx);
    assert_eq!(c.kind, Kind::Human);
    assert_eq!(
        c.hold,
        Some(Hold {
            recent: 101,
            threshold: 100
        })
    );
}

#[test]
fn an_empty_message_is_human() {
    let c = classify(&Message::default(), &ClassifyContext::default());
    assert_eq!(c.kind, Kind::Human);
    assert_eq!(c.auth.result, AuthResult::None);
}
