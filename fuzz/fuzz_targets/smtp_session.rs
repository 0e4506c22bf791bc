//! Raw bytes as one SMTP session against a real listener on loopback: no input may panic a
//! session or leave its connection slot held (the next session must still be greeted).
//! The CI runs a short seeded version of this (`crates/mail/tests/smtp_fuzz.rs`).
//!
//! Run with `cargo +nightly fuzz run smtp_session` from `fuzz/`.

#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use postroom_core::redact::Redactor;
use postroom_mail::smtp::{
    DeliveryError, DeliveryId, Envelope, Listener, ListenerConfig, RecipientVerdict, Sink,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

/// Takes every `.test` recipient and every message.
#[derive(Debug)]
struct Accept;

impl Sink for Accept {
    async fn accepts(&self, recipient: &str) -> RecipientVerdict {
        if recipient.ends_with(".test") {
            RecipientVerdict::Accept
        } else {
            RecipientVerdict::Unknown
        }
    }

    async fn deliver(&self, _: &Envelope, _: Vec<u8>) -> Result<DeliveryId, DeliveryError> {
        Ok(DeliveryId::new("fuzz"))
    }
}

/// One runtime and one listener (a single slot) for the whole run.
fn listener() -> &'static (Runtime, SocketAddr) {
    static LISTENER: OnceLock<(Runtime, SocketAddr)> = OnceLock::new();
    LISTENER.get_or_init(|| {
        let runtime = Runtime::new().expect("a tokio runtime");
        let addr = runtime.block_on(async {
            let config = ListenerConfig {
                max_connections: 1,
                max_message_size: 4096,
                max_errors: 1000,
                greeting_timeout: Duration::from_secs(2),
                command_timeout: Duration::from_secs(2),
                data_timeout: Duration::from_secs(2),
                ..ListenerConfig::default()
            };
            let any: SocketAddr = "127.0.0.1:0".parse().expect("an address");
            let listener = Listener::bind(any, config, Accept, Redactor::new([3; 32]))
                .await
                .expect("a listener");
            let addr = listener.local_addr().expect("its address");
            tokio::spawn(listener.serve(CancellationToken::new()));
            addr
        });
        (runtime, addr)
    })
}

fuzz_target!(|input: &[u8]| {
    let (runtime, addr) = listener();
    runtime.block_on(async {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (mut read, mut write) = stream.into_split();
        let _ = write.write_all(input).await;
        let _ = write.shutdown().await;
        let mut out = Vec::new();
        let _ = read.read_to_end(&mut out).await;
        // With one slot, a slot left held would make every later session a 421.
        let mut greeting = [0u8; 4];
        for _ in 0..200 {
            let mut next = tokio::net::TcpStream::connect(addr).await.expect("connect");
            let _ = next.read_exact(&mut greeting).await;
            if &greeting == b"220 " {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the listener's only slot stayed held");
    });
});
