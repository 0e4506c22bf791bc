#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The listener's limits and lifecycle: connections, recipients, rate, timeouts, errors,
//! STARTTLS and graceful shutdown.

mod smtp_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use postroom_mail::smtp::{ListenerConfig, RateLimit, Tls};
use smtp_support::{PATIENCE, Raw, envelope_lines, python, start, swaks};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_get_421_until_one_closes() {
    let config = ListenerConfig {
        max_connections: 2,
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut first = Raw::connect(listener.addr).await;
    first.expect("220 ").await;
    let mut second = Raw::connect(listener.addr).await;
    second.expect("220 ").await;
    let mut third = Raw::connect(listener.addr).await;
    third.expect("421 4.3.2").await;
    assert_eq!(third.reply().await, "", "refused connections are closed");

    first.send("QUIT\r\n").await;
    first.expect("221 ").await;
    assert_eq!(first.reply().await, "");
    let mut greeted = false;
    for _ in 0..100 {
        let mut next = Raw::connect(listener.addr).await;
        if next.reply().await.starts_with("220 ") {
            greeted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(greeted, "a freed slot is served again");
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipients_over_the_limit_get_452() {
    let config = ListenerConfig {
        max_recipients: 2,
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    let rcpts = ["a@example.test", "b@example.test", "c@example.test"];
    raw.send(envelope_lines("EHLO", &rcpts)).await;
    raw.expect_all(&[
        "250-",
        "250 2.1.0",
        "250 2.1.5",
        "250 2.1.5",
        "452 4.5.3",
        "354 ",
    ])
    .await;
    raw.send("Subject: two\r\n\r\nx\r\n.\r\n").await;
    raw.expect("250 2.0.0").await;
    let deliveries = listener.sink.deliveries();
    assert_eq!(
        deliveries[0].0.recipients,
        ["a@example.test", "b@example.test"]
    );
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_over_its_rate_gets_421_4_7_0() {
    let config = ListenerConfig {
        rate: RateLimit {
            burst: 2,
            per_minute: 1,
        },
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send(envelope_lines("EHLO", &["a@example.test"])).await;
    raw.expect_all(&["250-", "250 2.1.0", "250 2.1.5", "354 "])
        .await;
    raw.send("Subject: one\r\n\r\nx\r\n.\r\nMAIL FROM:<a@client.test>\r\n")
        .await;
    raw.expect("250 2.0.0").await;
    raw.expect("421 4.7.0").await;
    assert_eq!(raw.reply().await, "");

    let mut refused = Raw::connect(listener.addr).await;
    refused.expect("421 4.7.0").await;
    assert_eq!(listener.sink.deliveries().len(), 1);
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_gets_421_after_the_command_timeout() {
    let config = ListenerConfig {
        command_timeout: Duration::from_millis(200),
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.expect("421 4.4.2").await;
    assert_eq!(raw.reply().await, "");
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_starts_a_message_gets_421_after_the_greeting_timeout() {
    let config = ListenerConfig {
        greeting_timeout: Duration::from_millis(200),
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut idle = Raw::connect(listener.addr).await;
    idle.expect("220 ").await;
    idle.send("EHLO a.example.test\r\n").await;
    idle.expect("250-").await;
    idle.expect("421 4.4.2").await;
    assert_eq!(idle.reply().await, "");

    let mut sender = Raw::connect(listener.addr).await;
    sender.expect("220 ").await;
    sender
        .send("EHLO a.example.test\r\nMAIL FROM:<s@a.example.test>\r\n")
        .await;
    sender.expect_all(&["250-", "250 2.1.0"]).await;
    assert!(
        !sender.says_something_within(Duration::from_secs(1)).await,
        "after MAIL FROM the wait is the command timeout again"
    );
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowded_listener_waits_only_the_greeting_timeout_after_mail_from() {
    let config = ListenerConfig {
        max_connections: 5,
        // Long enough that the others are still connected when the sender's wait starts:
        // the wait is chosen when it starts.
        greeting_timeout: Duration::from_secs(2),
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut others = Vec::new();
    for _ in 0..3 {
        let mut raw = Raw::connect(listener.addr).await;
        raw.expect("220 ").await;
        others.push(raw);
    }
    let mut sender = Raw::connect(listener.addr).await;
    sender.expect("220 ").await;
    sender
        .send("EHLO a.example.test\r\nMAIL FROM:<s@a.example.test>\r\n")
        .await;
    sender.expect_all(&["250-", "250 2.1.0"]).await;
    // Four of five slots taken: 80 %.
    sender.expect("421 4.4.2").await;
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_message_gets_421_and_is_not_delivered() {
    let config = ListenerConfig {
        data_timeout: Duration::from_millis(200),
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send(envelope_lines("EHLO", &["a@example.test"])).await;
    raw.expect_all(&["250-", "250 2.1.0", "250 2.1.5", "354 "])
        .await;
    raw.send("Subject: half\r\n\r\nand then nothing").await;
    raw.expect("421 4.4.2").await;
    assert_eq!(raw.reply().await, "");
    assert!(listener.sink.deliveries().is_empty());
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_errors_close_the_session() {
    let config = ListenerConfig {
        max_errors: 3,
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send("BOGUS\r\n".repeat(4)).await;
    for _ in 0..3 {
        raw.expect("500 5.5.1").await;
    }
    raw.expect("421 4.7.0").await;
    assert_eq!(raw.reply().await, "");
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_message_in_flight_then_closes_idle_sessions() {
    let listener = start(ListenerConfig::default()).await;
    listener.sink.gated.store(true, Ordering::SeqCst);
    let mut idle = Raw::connect(listener.addr).await;
    idle.expect("220 ").await;
    let mut busy = Raw::connect(listener.addr).await;
    busy.expect("220 ").await;
    busy.send(envelope_lines("EHLO", &["a@example.test"])).await;
    busy.expect_all(&["250-", "250 2.1.0", "250 2.1.5", "354 "])
        .await;
    busy.send("Subject: in flight\r\n\r\nx\r\n.\r\n").await;
    tokio::time::timeout(PATIENCE, listener.sink.entered.notified())
        .await
        .unwrap();

    listener.shutdown.cancel();
    idle.expect("421 4.3.2").await;
    assert_eq!(idle.reply().await, "");
    listener.sink.release.add_permits(1);
    busy.expect("250 2.0.0").await;
    busy.expect("421 4.3.2").await;
    assert_eq!(listener.sink.deliveries().len(), 1);
    let addr = listener.addr;
    listener.join().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// A self-signed certificate for 127.0.0.1, written as PEM next to the test.
fn test_certificate(dir: &std::path::Path) -> Tls {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).unwrap();
    let cert = certified.cert.pem();
    let key = certified.signing_key.serialize_pem();
    std::fs::write(dir.join("cert.pem"), &cert).unwrap();
    std::fs::write(dir.join("key.pem"), &key).unwrap();
    Tls::from_pem_files(&dir.join("cert.pem"), &dir.join("key.pem")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_then_mail_is_delivered_under_tls() {
    let dir = tempfile::tempdir().unwrap();
    let config = ListenerConfig {
        tls: Some(test_certificate(dir.path())),
        ..ListenerConfig::default()
    };
    let listener = start(config).await;
    let script = r#"
import json, smtplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=ca)
with smtplib.SMTP("127.0.0.1", port) as s:
    s.ehlo("client.test")
    out = {"offered": s.has_extn("starttls")}
    out["starttls"] = s.starttls(context=context)[0]
    s.ehlo("client.test")
    out["offered_again"] = s.has_extn("starttls")
    out["version"] = s.sock.version()
    s.sendmail("a@client.test", ["support@example.test"], b"Subject: tls\r\n\r\nsecret\r\n")
print(json.dumps(out))
"#;
    let ca = dir.path().join("cert.pem").display().to_string();
    let out = python(script, &[listener.addr.port().to_string(), ca]).await;
    assert_eq!(out["offered"], true);
    assert_eq!(out["starttls"], 220);
    assert_eq!(out["offered_again"], false);
    assert!(out["version"].as_str().unwrap().starts_with("TLSv1."));
    let deliveries = listener.sink.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].0.tls);
    assert_eq!(deliveries[0].1, b"Subject: tls\r\n\r\nsecret\r\n");

    let port = listener.addr.port().to_string();
    let server = format!("127.0.0.1:{port}");
    let args = [
        "--server",
        &server,
        "--tls",
        "--from",
        "s@client.test",
        "--to",
        "support@example.test",
    ]
    .map(String::from);
    if swaks(&args).await.is_some() {
        let deliveries = listener.sink.deliveries();
        assert_eq!(deliveries.len(), 2);
        assert!(deliveries[1].0.tls);
    }

    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send("EHLO client.test\r\nSTARTTLS\r\nMAIL FROM:<injected@client.test>\r\n")
        .await;
    raw.expect("250-").await;
    raw.expect("220 2.0.0").await;
    raw.send("not a TLS client hello\r\n").await;
    let after = raw.reply().await;
    assert!(
        !after.contains("250"),
        "input sent before the handshake was acted on"
    );
    assert_eq!(listener.sink.deliveries().len(), 2);
    listener.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_certificate_starttls_is_neither_offered_nor_accepted() {
    let listener = start(ListenerConfig::default()).await;
    let mut raw = Raw::connect(listener.addr).await;
    raw.expect("220 ").await;
    raw.send("EHLO client.test\r\nSTARTTLS\r\n").await;
    assert!(!raw.expect("250-").await.contains("STARTTLS"));
    raw.expect("502 5.5.1").await;
    listener.stop().await;
}
