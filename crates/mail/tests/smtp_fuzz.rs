#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A short, seeded fuzz run of the whole listener, small enough for every `cargo test`:
//! concurrent sessions from two peers send arbitrary command sequences (valid commands,
//! junk and cut-off data mixed) past the connection and per-peer limits. No session may
//! panic, every reply line must be well formed, and afterwards every slot is free again.
//! Longer runs: `cargo +nightly fuzz run smtp_session` in `fuzz/`.

mod smtp_support;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use postroom_mail::smtp::{ListenerConfig, RateLimit};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use smtp_support::{PATIENCE, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

static PANICS: AtomicUsize = AtomicUsize::new(0);
static GREETED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);

const PIECES: &[&str] = &[
    "EHLO a.example.test\r\n",
    "HELO a\r\n",
    "LHLO a\r\n",
    "MAIL FROM:<s@example.test> SIZE=10 BODY=8BITMIME\r\n",
    "MAIL FROM:<>\r\n",
    "RCPT TO:<r@example.test>\r\n",
    "RCPT TO:<r@elsewhere.test>\r\n",
    "DATA\r\n",
    "Subject: x\r\n\r\nbody\r\n.\r\n",
    ".\r\n",
    "RSET\r\n",
    "NOOP\r\n",
    "VRFY x\r\n",
    "STARTTLS\r\n",
    "BDAT 3 LAST\r\nabc",
    "QUIT\r\n",
    "\r\n",
];

fn session() -> impl Strategy<Value = (bool, Vec<u8>)> {
    let piece = prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..120),
    ];
    (
        any::<bool>(),
        prop::collection::vec(piece, 0..16).prop_map(|p| p.concat()),
    )
}

/// Sends `input` from `peer`, closes the sending half and reads everything back.
async fn converse(peer: Ipv4Addr, addr: SocketAddr, input: Vec<u8>) -> Vec<u8> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((peer, 0))).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        // The server may close first (QUIT, refusal): a failed write is part of the game.
        let _ = write.write_all(&input).await;
        let _ = write.shutdown().await;
    });
    let mut out = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, read.read_to_end(&mut out))
        .await
        .expect("the session ended");
    let _ = writer.await;
    out
}

fn well_formed(out: &[u8]) -> Result<(), TestCaseError> {
    let text = std::str::from_utf8(out).map_err(|e| TestCaseError::fail(e.to_string()))?;
    for line in text.split_terminator("\r\n") {
        let ok = line.len() >= 4
            && line.as_bytes()[..3].iter().all(u8::is_ascii_digit)
            && matches!(line.as_bytes()[3], b' ' | b'-');
        prop_assert!(ok, "{:?}", line);
    }
    prop_assert!(text.is_empty() || text.ends_with("\r\n"));
    Ok(())
}

#[test]
fn arbitrary_sessions_never_panic_and_leave_no_slot_held() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = ListenerConfig {
        max_connections: 3,
        max_connections_per_peer: Some(2),
        max_message_size: 200,
        max_errors: 1000,
        greeting_timeout: Duration::from_secs(5),
        command_timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(5),
        rate: RateLimit {
            burst: 100_000,
            per_minute: 100_000,
        },
        ..ListenerConfig::default()
    };
    let listener = runtime.block_on(start(config));
    let addr = listener.addr;

    let mut runner = TestRunner::new(Config {
        cases: 48,
        rng_seed: RngSeed::Fixed(0x5eed_2024),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = prop::collection::vec(session(), 1..5);
    runner
        .run(&strategy, |sessions| {
            let outs = runtime.block_on(async {
                let clients: Vec<_> = sessions
                    .into_iter()
                    .map(|(second, input)| {
                        let peer = Ipv4Addr::new(127, 0, 0, if second { 3 } else { 2 });
                        tokio::spawn(converse(peer, addr, input))
                    })
                    .collect();
                let mut outs = Vec::new();
                for client in clients {
                    outs.push(client.await.unwrap());
                }
                outs
            });
            for out in outs {
                well_formed(&out)?;
                let counter = if out.starts_with(b"220 ") {
                    &GREETED
                } else {
                    &REFUSED
                };
                counter.fetch_add(1, Ordering::SeqCst);
            }
            Ok(())
        })
        .unwrap();

    // Every slot is given back once the sessions are over (a session ends a moment after
    // its client has gone, hence the retries).
    runtime.block_on(async {
        let start = Instant::now();
        loop {
            let mut greetings = Vec::new();
            for last in [2, 2, 3] {
                let socket = TcpSocket::new_v4().unwrap();
                socket
                    .bind(SocketAddr::from((Ipv4Addr::new(127, 0, 0, last), 0)))
                    .unwrap();
                let mut stream = socket.connect(addr).await.unwrap();
                let mut first = [0u8; 4];
                let _ = tokio::time::timeout(PATIENCE, stream.read_exact(&mut first)).await;
                greetings.push((first, stream));
            }
            if greetings.iter().all(|(first, _)| first == b"220 ") {
                break;
            }
            assert!(start.elapsed() < PATIENCE, "a slot stayed held");
            drop(greetings);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    runtime.block_on(listener.stop());
    let (greeted, refused) = (
        GREETED.load(Ordering::SeqCst),
        REFUSED.load(Ordering::SeqCst),
    );
    assert!(
        greeted > 48 && refused > 0,
        "the run exercised sessions and the limits: {greeted} served, {refused} refused"
    );
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a session panicked");
}
