//! The SMTP sender against a real SMTP peer (aiosmtpd, see `support/smtp_peer.py`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{
    EnvelopeSender, MailSender, OutboundEnvelope, SendError, SmtpStage,
};
use postroom_core::secret::Secret;
use postroom_core::verp::{self, VerpToken};
use postroom_mail::send::{Security, SmtpSender, SmtpSettings, to_crlf};
use support::Peer;

fn settings(peer: &Peer) -> SmtpSettings {
    let mut s = SmtpSettings::new("127.0.0.1", peer.port, Security::Plain);
    s.helo_name = Some("postroom.test".to_owned());
    s.timeout_secs = 10;
    s
}

fn envelope(to: &[&str]) -> OutboundEnvelope {
    OutboundEnvelope {
        sender: EnvelopeSender::Address(EmailAddress::parse("noreply@help.example.com").unwrap()),
        recipients: to.iter().map(|a| EmailAddress::parse(a).unwrap()).collect(),
        identity: Default::default(),
    }
}

/// A message whose body has what SMTP transparency and line-end handling can get wrong:
/// lines starting with dots, a lone dot line, 8-bit text, long lines, bare LF.
fn message(n: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Help <noreply@help.example.com>\r\nTo: ann@example.org\r\nSubject: Nachricht {n}\r\n\
         Message-ID: <{n}@help.example.com>\r\nX-Seq: {n}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    m.extend_from_slice(".leading dot\r\n.\r\n..two dots\r\nGrüße, señor ✓\n".as_bytes());
    m.extend_from_slice("x".repeat(900 + n % 97).as_bytes());
    m.extend_from_slice(b"\r\n\r\n");
    m
}

fn seq(content: &[u8]) -> usize {
    let text = String::from_utf8_lossy(content);
    let line = text.lines().find(|l| l.starts_with("X-Seq: ")).unwrap();
    line["X-Seq: ".len()..].trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_messages_through_the_pool_arrive_intact() {
    let Some(peer) = Peer::start(&[]) else { return };
    let sender = Arc::new(SmtpSender::new(&settings(&peer)).unwrap());
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let sender = Arc::clone(&sender);
        tasks.spawn(async move {
            for n in (worker..1000).step_by(8) {
                let receipt = sender
                    .send(&envelope(&["ann@example.org"]), &message(n))
                    .await
                    .unwrap();
                assert!(receipt.confirmation.contains("queued as"), "{receipt:?}");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert!(sender.idle_connections() <= 4, "the pool is bounded at 4");
    let delivered = peer.delivered();
    assert_eq!(delivered.len(), 1000);
    let mut seen = HashMap::new();
    for d in &delivered {
        let n = seq(&d.content);
        assert_eq!(
            d.content,
            &*to_crlf(&message(n)),
            "message {n} arrived changed"
        );
        assert_eq!(d.rcpt_tos, ["ann@example.org"]);
        assert!(seen.insert(n, ()).is_none(), "message {n} arrived twice");
    }
}

#[tokio::test]
async fn temporary_refusal_is_transient_and_permanent_refusal_is_not() {
    let Some(peer) = Peer::start(&[]) else { return };
    let sender = SmtpSender::new(&settings(&peer)).unwrap();
    let err = sender
        .send(&envelope(&["tempfail@example.org"]), &message(1))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(err.reply().unwrap().code, 451);
    assert!(matches!(
        err,
        SendError::Rejected {
            stage: SmtpStage::RcptTo,
            ..
        }
    ));

    let err = sender
        .send(&envelope(&["reject@example.org"]), &message(2))
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert_eq!(err.reply().unwrap().code, 550);
    assert!(err.reply().unwrap().text.contains("5.1.1"));

    // The refused transactions were reset: the same connection carries the next message.
    assert_eq!(sender.idle_connections(), 1);
    sender
        .send(&envelope(&["ann@example.org"]), &message(3))
        .await
        .unwrap();
    assert_eq!(peer.delivered().len(), 1);
}

#[tokio::test]
async fn one_refused_recipient_does_not_stop_the_others() {
    let Some(peer) = Peer::start(&[]) else { return };
    let sender = SmtpSender::new(&settings(&peer)).unwrap();
    let receipt = sender
        .send(
            &envelope(&[
                "ann@example.org",
                "reject@example.org",
                "tempfail@example.org",
            ]),
            &message(4),
        )
        .await
        .unwrap();
    assert_eq!(
        receipt.accepted,
        [EmailAddress::parse("ann@example.org").unwrap()]
    );
    let codes: Vec<u16> = receipt.rejected.iter().map(|r| r.reply.code).collect();
    assert_eq!(codes, [550, 451]);
    let delivered = peer.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].rcpt_tos, ["ann@example.org"]);
}

#[tokio::test]
async fn a_connection_closed_by_the_server_is_reopened() {
    let Some(peer) = Peer::start(&[]) else { return };
    let sender = SmtpSender::new(&settings(&peer)).unwrap();
    // The peer closes the connection right after accepting this one.
    sender
        .send(&envelope(&["hangup@example.org"]), &message(5))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        sender.idle_connections(),
        1,
        "the dead connection is still pooled"
    );
    sender
        .send(&envelope(&["ann@example.org"]), &message(6))
        .await
        .unwrap();
    let seqs: Vec<usize> = peer.delivered().iter().map(|d| seq(&d.content)).collect();
    assert_eq!(seqs, [5, 6]);
}

#[tokio::test]
async fn a_server_that_is_gone_is_a_transient_connection_error() {
    let Some(peer) = Peer::start(&[]) else { return };
    let s = settings(&peer);
    drop(peer);
    let err = SmtpSender::new(&s)
        .unwrap()
        .send(&envelope(&["ann@example.org"]), &message(7))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SendError::Connection {
                stage: SmtpStage::Connect,
                outcome_unknown: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn verp_return_path_carries_a_token_the_bounce_parser_gets_back() {
    let Some(peer) = Peer::start(&[]) else { return };
    let mut s = settings(&peer);
    s.bounce_address = Some("bounces@help.example.com".to_owned());
    let sender = SmtpSender::new(&s).unwrap();
    let token = VerpToken::parse("n-8f2c").unwrap();
    let mut e = envelope(&["ann@example.org"]);
    e.sender = EnvelopeSender::Verp(token.clone());
    sender.send(&e, &message(8)).await.unwrap();
    let d = &peer.delivered()[0];
    assert_eq!(d.mail_from, "bounces+n-8f2c@help.example.com");
    let bounce = EmailAddress::parse("bounces@help.example.com").unwrap();
    let rcpt = EmailAddress::parse(&d.mail_from).unwrap();
    assert_eq!(verp::token_for(&rcpt, &bounce), Some(token));

    e.sender = EnvelopeSender::Null;
    sender.send(&e, &message(9)).await.unwrap();
    assert_eq!(peer.delivered()[1].mail_from, "<>");
}

#[tokio::test]
async fn auth_with_the_right_password_sends_and_a_wrong_one_is_permanent() {
    let Some(peer) = Peer::start(&["--auth", "postroom:s3cret"]) else {
        return;
    };
    let mut s = settings(&peer);
    s.username = Some("postroom".to_owned());
    s.password = Some(Secret::new("s3cret"));
    SmtpSender::new(&s)
        .unwrap()
        .send(&envelope(&["ann@example.org"]), &message(10))
        .await
        .unwrap();
    s.password = Some(Secret::new("wrong"));
    let err = SmtpSender::new(&s)
        .unwrap()
        .send(&envelope(&["ann@example.org"]), &message(11))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Auth { .. }), "{err:?}");
    assert!(err.is_permanent());
    assert!(!err.to_string().contains("wrong"));
    assert_eq!(peer.delivered().len(), 1);
}

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn tls_args() -> [String; 4] {
    [
        "--cert".to_owned(),
        format!("{DATA}/tls-cert.pem"),
        "--key".to_owned(),
        format!("{DATA}/tls-key.pem"),
    ]
}

#[tokio::test]
async fn starttls_and_implicit_tls_deliver() {
    let args = tls_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let Some(starttls) = Peer::start(&args) else {
        return;
    };
    let mut s = settings(&starttls);
    s.security = Security::StartTls;
    s.ca_file = Some(format!("{DATA}/test-ca.pem").into());
    SmtpSender::new(&s)
        .unwrap()
        .send(&envelope(&["ann@example.org"]), &message(12))
        .await
        .unwrap();
    assert_eq!(starttls.delivered().len(), 1);

    // A certificate from a CA the sender does not trust fails the handshake.
    s.ca_file = Some(format!("{DATA}/tls-cert.pem").into());
    let err = SmtpSender::new(&s)
        .unwrap()
        .send(&envelope(&["ann@example.org"]), &message(13))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SendError::Connection {
                stage: SmtpStage::Connect,
                ..
            }
        ),
        "{err:?}"
    );

    let mut implicit_args = args.clone();
    implicit_args.push("--implicit-tls");
    let implicit = Peer::start(&implicit_args).unwrap();
    let mut s = settings(&implicit);
    s.security = Security::Tls;
    s.ca_file = Some(format!("{DATA}/test-ca.pem").into());
    SmtpSender::new(&s)
        .unwrap()
        .send(&envelope(&["ann@example.org"]), &message(14))
        .await
        .unwrap();
    assert_eq!(seq(&implicit.delivered()[0].content), 14);
}

#[tokio::test]
async fn starttls_is_required_when_configured() {
    let Some(peer) = Peer::start(&[]) else { return };
    let mut s = settings(&peer);
    s.security = Security::StartTls;
    let err = SmtpSender::new(&s)
        .unwrap()
        .send(&envelope(&["ann@example.org"]), &message(15))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Config(_)), "{err:?}");
    assert!(peer.delivered().is_empty());
}
