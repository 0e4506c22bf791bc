#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The SMTP/LMTP listener driven by real clients over loopback: what it accepts, what it
//! refuses, and that a `250` always means the sink committed the message.

mod smtp_support;

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use postroom_mail::smtp::{ListenerConfig, Protocol, RateLimit};
use smtp_support::{PATIENCE, Raw, envelope_lines, python, start, swaks};

const SEND_ONE: &str = r#"
import json, smtplib, sys
port, sender, rcpts, body = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), sys.argv[4]
with smtplib.SMTP("127.0.0.1", port) as s:
    s.ehlo("client.test")
    out = {"mail": s.mail(sender)[0], "rcpt": [s.rcpt(r)[0] for r in rcpts]}
    out["data"] = s.data(body.encode())[0] if 250 in out["rcpt"] else None
print(json.dumps(out))
"#;

async fn send_one(port: u16, rcpts: &str, body: &str) -> serde_json::Value {
    let args = [
        port.to_string(),
        "a@client.test".into(),
        rcpts.into(),
        body.into(),
    ];
    python(SEND_ONE, &args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_recipients_get_550_and_ours_are_delivered() {
    let listener = start(ListenerConfig::default()).await;
    let body = "Subject: hi\r\n\r\nhello\r\n";
    let out = send_one(
        listener.addr.port(),
        "nobody@elsewhere.test,support@example.test,bare",
        body,
    )
    .await;
    assert_eq!(out["rcpt"], serde_json::json!([550, 250, 501]));
    assert_eq!(out["data"], 250);
    let deliveries = listener.sink.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].0.recipients, vec!["support@example.test"]);
    assert_eq!(deliveries[0].0.mail_from, "a@client.test");
    assert_eq!(deliveries[0].0.protocol, Protocol::Smtp);
    assert_eq!(deliveries[0].1, body.as_bytes());

    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send(envelope_lines("EHLO", &["relay@elsewhere.test"]))
        .await;
    raw.expect("250-").await;
    raw.expect("250 2.1.0").await;
    raw.expect("550 5.1.1").await;
    raw.expect("554 5.5.1").await;
    assert_eq!(listener.sink.deliveries().len(), 1, "never an open relay");
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_and_actual_sizes_over_the_limit_get_552() {
    let config = ListenerConfig {
        max_message_size: 1000,
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let script = r#"
import json, smtplib, sys
port = int(sys.argv[1])
big = b"Subject: big\r\n\r\n" + b"x" * 2000 + b"\r\n"
with smtplib.SMTP("127.0.0.1", port) as s:
    s.ehlo("client.test")
    out = {"advertised": s.esmtp_features.get("size")}
    out["declared"] = s.mail("a@client.test", ["SIZE=1001"])[0]
    s.rset()
    s.mail("a@client.test"); s.rcpt("support@example.test")
    out["actual"] = s.data(big)[0]
    s.mail("a@client.test"); s.rcpt("support@example.test")
    out["small_after"] = s.data(b"Subject: small\r\n\r\nok\r\n")[0]
    try:
        s.sendmail("a@client.test", ["support@example.test"], big)
        out["sendmail"] = 250
    except smtplib.SMTPSenderRefused as e:
        out["sendmail"] = e.smtp_code
print(json.dumps(out))
"#;
    let out = python(script, &[listener.addr.port().to_string()]).await;
    assert_eq!(out["advertised"], "1000");
    assert_eq!(out["declared"], 552);
    assert_eq!(out["actual"], 552);
    assert_eq!(out["small_after"], 250);
    assert_eq!(out["sendmail"], 552, "smtplib declares SIZE itself");
    let deliveries = listener.sink.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].1, b"Subject: small\r\n\r\nok\r\n");
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sink_gets_451_and_nothing_is_recorded() {
    let listener = start(ListenerConfig::default()).await;
    listener.sink.fail.store(true, Ordering::SeqCst);
    let body = "Subject: retry me\r\n\r\nbody\r\n";
    let out = send_one(listener.addr.port(), "support@example.test", body).await;
    assert_eq!(out["data"], 451);
    assert!(listener.sink.deliveries().is_empty());

    listener.sink.fail.store(false, Ordering::SeqCst);
    let out = send_one(listener.addr.port(), "support@example.test", body).await;
    assert_eq!(out["data"], 250, "the sender's retry goes through");
    assert_eq!(listener.sink.deliveries().len(), 1);
    listener.stop().await;
}

/// One message of the concurrency test: distinct, 8-bit, with lines that need dot-stuffing.
fn numbered_message(i: usize) -> Vec<u8> {
    format!(
        "From: sender{i}@client.test\r\nTo: support@example.test\r\nSubject: n{i} \u{e9}t\u{e9}\r\n\
         Message-ID: <{i}@client.test>\r\n\r\nline one {i}\r\n.starts with a dot\r\n..two\r\n.\r\n\
         \u{fc}n\u{ef}c\u{f6}d\u{e9} {}\r\n",
        "z".repeat(i % 97)
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_messages_over_ten_connections_arrive_once_and_intact() {
    let config = ListenerConfig {
        rate: RateLimit {
            burst: 2000,
            per_minute: 60,
        },
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let expected: HashSet<Vec<u8>> = (0..1000).map(numbered_message).collect();
    for i in 0..1000 {
        std::fs::write(dir.path().join(format!("{i}.eml")), numbered_message(i)).unwrap();
    }
    let script = r#"
import json, os, smtplib, sys, threading
port, folder = int(sys.argv[1]), sys.argv[2]
errors = []
def worker(k):
    try:
        with smtplib.SMTP("127.0.0.1", port) as s:
            for i in range(k, 1000, 10):
                with open(os.path.join(folder, f"{i}.eml"), "rb") as f:
                    s.sendmail(f"sender{i}@client.test", ["support@example.test"], f.read(),
                               mail_options=["BODY=8BITMIME"])
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=worker, args=(k,)) for k in range(10)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"errors": errors}))
"#;
    let args = [
        listener.addr.port().to_string(),
        dir.path().display().to_string(),
    ];
    let out = python(script, &args).await;
    assert_eq!(out["errors"], serde_json::json!([]));
    let deliveries = listener.sink.deliveries();
    assert_eq!(deliveries.len(), 1000, "each message exactly once");
    let received: HashSet<Vec<u8>> = deliveries.into_iter().map(|(_, bytes)| bytes).collect();
    assert_eq!(received.len(), 1000, "no message twice");
    assert!(received == expected, "bytes differ from what was sent");
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_commands_are_answered_in_order() {
    let listener = start(ListenerConfig::default()).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    let lines = envelope_lines(
        "EHLO",
        &["a@example.test", "x@elsewhere.test", "b@example.test"],
    );
    raw.send(lines).await;
    let ehlo = raw.expect("250-").await;
    assert!(ehlo.contains("PIPELINING"));
    raw.expect_all(&["250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "354 "])
        .await;
    raw.send("Subject: p\r\n\r\none\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n")
        .await;
    raw.expect_all(&["250 2.0.0", "250 2.1.0", "250 2.1.5", "354 "])
        .await;
    raw.send("Subject: q\r\n\r\ntwo\r\n.\r\nQUIT\r\n").await;
    raw.expect("250 2.0.0").await;
    raw.expect("221 ").await;
    assert_eq!(raw.reply().await, "", "closed after QUIT");
    let deliveries = listener.sink.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(
        deliveries[0].0.recipients,
        vec!["a@example.test", "b@example.test"]
    );
    assert_eq!(deliveries[1].0.mail_from, "", "a bounce has a null sender");
    assert_eq!(deliveries[1].1, b"Subject: q\r\n\r\ntwo\r\n");
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_stuffed_lines_are_unstuffed_and_only_the_lone_dot_ends_data() {
    let listener = start(ListenerConfig::default()).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    for (sent, stored) in [
        (
            &b"..first\r\n...\r\nmid.dle\r\n..\r\n.\r\n"[..],
            &b".first\r\n..\r\nmid.dle\r\n.\r\n"[..],
        ),
        (b"bare\n.\nstill data\r\n.\r\n", b"bare\n.\nstill data\r\n"),
        (b".\r\n", b""),
        (b"\xff\xfe 8-bit\r\n.\r\n", b"\xff\xfe 8-bit\r\n"),
    ] {
        raw.send(envelope_lines("EHLO", &["s@example.test"])).await;
        raw.expect("250-").await;
        raw.expect("250 2.1.0").await;
        raw.expect("250 2.1.5").await;
        raw.expect("354 ").await;
        // Split the terminator over two writes: it must be found across reads.
        let (head, tail) = sent.split_at(sent.len() - 2);
        raw.send(head).await;
        raw.send(tail).await;
        raw.expect("250 2.0.0").await;
        let last = listener.sink.deliveries().pop().unwrap();
        assert_eq!(last.1, stored, "sent {:?}", String::from_utf8_lossy(sent));
    }
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lmtp_answers_once_per_accepted_recipient() {
    let config = ListenerConfig {
        protocol: Protocol::Lmtp,
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut raw = Raw::connect(listener.addr).await;
    assert!(raw.expect("220 ").await.contains("LMTP"));
    raw.send("EHLO client.test\r\n").await;
    raw.expect("500 5.5.1").await;
    let rcpts = [
        "a@example.test",
        "x@elsewhere.test",
        "b@example.test",
        "A@example.test",
    ];
    raw.send(envelope_lines("LHLO", &rcpts)).await;
    // LHLO, MAIL, then RCPT a (ok), x (not ours), b (ok).
    let first_three = ["250-", "250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5"];
    raw.expect_all(&first_three).await;
    raw.expect_all(&["250 2.1.5", "354 "]).await;
    listener.sink.fail.store(true, Ordering::SeqCst);
    raw.send("Subject: l\r\n\r\nx\r\n.\r\n").await;
    for _ in 0..3 {
        raw.expect("451 4.3.0").await;
    }
    listener.sink.fail.store(false, Ordering::SeqCst);
    raw.send(envelope_lines("LHLO", &rcpts[..3])).await;
    raw.expect_all(&first_three).await;
    raw.expect("354 ").await;
    raw.send("Subject: l\r\n\r\nx\r\n.\r\nNOOP\r\n").await;
    raw.expect("250 2.0.0 Queued").await;
    raw.expect("250 2.0.0 Queued").await;
    raw.expect("250 2.0.0 OK").await;
    let deliveries = listener.sink.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].0.protocol, Protocol::Lmtp);
    assert_eq!(deliveries[0].0.recipients.len(), 2);

    let port = listener.addr.port();
    let args: Vec<String> = [
        "--server",
        &format!("127.0.0.1:{port}"),
        "--protocol",
        "LMTP",
        "--from",
        "s@client.test",
        "--to",
        "c@example.test,d@example.test",
        "--h-Subject",
        "via swaks",
    ]
    .map(String::from)
    .into();
    if let Some(transcript) = swaks(&args).await {
        let queued = transcript.matches("<-  250 2.0.0 Queued").count();
        assert_eq!(queued, 2, "{transcript}");
        assert_eq!(listener.sink.deliveries().len(), 2);
    }
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_250_waits_until_the_sink_has_committed() {
    let listener = start(ListenerConfig::default()).await;
    listener.sink.gated.store(true, Ordering::SeqCst);
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send(envelope_lines("EHLO", &["s@example.test"])).await;
    raw.expect_all(&["250-", "250 2.1.0", "250 2.1.5", "354 "])
        .await;
    raw.send("Subject: wait\r\n\r\nx\r\n.\r\n").await;
    tokio::time::timeout(PATIENCE, listener.sink.entered.notified())
        .await
        .expect("deliver was never called");
    assert!(
        !raw.says_something_within(Duration::from_millis(300)).await,
        "a reply came while the sink was still committing"
    );
    assert!(listener.sink.deliveries().is_empty());
    listener.sink.release.add_permits(1);
    raw.expect("250 2.0.0 Queued as t0").await;
    assert_eq!(listener.sink.deliveries().len(), 1);
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_gets_500_and_the_session_goes_on() {
    let listener = start(ListenerConfig::default()).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send(b"\x00\xff\xfe\x01 garbage\r\n").await;
    raw.expect("500 5.5.1").await;
    raw.send(format!("{}\r\n", "A".repeat(5000))).await;
    raw.expect("500 5.5.1").await;
    // A line longer than the parser's buffer, arriving in pieces: one reply for the whole
    // line, and its tail is not taken for a command.
    raw.send("MAIL FROM:<".to_owned() + &"A".repeat(6000)).await;
    raw.expect("500 5.5.2 Line too long").await;
    raw.send(format!("{}\r\nNOOP\r\n", "B".repeat(3000))).await;
    raw.expect("250 2.0.0").await;
    raw.send(format!("NOOP {}\r\n", "\u{1f4ec}".repeat(500)))
        .await;
    raw.expect("250 2.0.0").await;
    raw.send("\r\nMAIL FROM:<>\r\nMAIL FROM:<a@b\r\nRCPT TO:<x@example.test>\r\n")
        .await;
    raw.expect("500 5.5.1").await;
    raw.expect("503 5.5.1").await;
    raw.expect("501 5.5.2").await;
    raw.expect("503 5.5.1").await;
    raw.send("NOOP\r\n").await;
    raw.expect("250 2.0.0").await;
    raw.send(envelope_lines("HELO", &["s@example.test"])).await;
    raw.expect_all(&["250 ", "250 2.1.0", "250 2.1.5", "354 "])
        .await;
    raw.send("Subject: after garbage\r\n\r\nok\r\n.\r\n").await;
    raw.expect("250 2.0.0 Queued").await;
    assert_eq!(listener.sink.deliveries().len(), 1);
    listener.stop().await;
}
