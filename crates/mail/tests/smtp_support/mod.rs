//! What the listener tests share: an in-memory sink, a listener on 127.0.0.1:0, a raw
//! line client, and runners for the real clients (Python's smtplib and swaks).
// Each test binary that includes this module uses a different part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postroom_core::redact::Redactor;
use postroom_mail::smtp::{
    DeliveryError, DeliveryId, Envelope, Listener, ListenerConfig, RecipientVerdict, Sink,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The only domain the test sink takes mail for.
pub const DOMAIN: &str = "example.test";

/// Longest any single step of a test may take before it is called hung.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Records deliveries; can be made to fail, or to block inside `deliver` until released.
#[derive(Debug)]
pub struct MemorySink {
    deliveries: Mutex<Vec<(Envelope, Vec<u8>)>>,
    next: AtomicU64,
    pub fail: AtomicBool,
    pub gated: AtomicBool,
    pub entered: Notify,
    pub release: Semaphore,
}

impl Default for MemorySink {
    fn default() -> Self {
        Self {
            deliveries: Mutex::default(),
            next: AtomicU64::default(),
            fail: AtomicBool::default(),
            gated: AtomicBool::default(),
            entered: Notify::new(),
            release: Semaphore::new(0),
        }
    }
}

impl MemorySink {
    pub fn deliveries(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.deliveries.lock().unwrap().clone()
    }
}

impl Sink for MemorySink {
    async fn accepts(&self, recipient: &str) -> RecipientVerdict {
        let domain = recipient.rsplit_once('@').map(|(_, d)| d);
        if domain.is_some_and(|d| d.eq_ignore_ascii_case(DOMAIN)) {
            RecipientVerdict::Accept
        } else {
            RecipientVerdict::Unknown
        }
    }

    async fn deliver(
        &self,
        envelope: &Envelope,
        data: Vec<u8>,
    ) -> Result<DeliveryId, DeliveryError> {
        if self.gated.load(Ordering::SeqCst) {
            self.entered.notify_one();
            self.release.acquire().await.unwrap().forget();
        }
        if self.fail.load(Ordering::SeqCst) {
            return Err(DeliveryError::Transient {
                reason: "test sink told to fail".to_owned(),
            });
        }
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        self.deliveries
            .lock()
            .unwrap()
            .push((envelope.clone(), data));
        Ok(DeliveryId::new(format!("t{n}")))
    }
}

/// A listener serving in the background.
pub struct Running {
    pub addr: SocketAddr,
    pub sink: Arc<MemorySink>,
    pub shutdown: CancellationToken,
    handle: JoinHandle<()>,
}

impl Running {
    /// Cancels and waits until `serve` has returned.
    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(PATIENCE, self.handle)
            .await
            .expect("listener did not shut down")
            .unwrap();
    }

    /// Waits for `serve` to return after the token was cancelled elsewhere.
    pub async fn join(self) {
        tokio::time::timeout(PATIENCE, self.handle)
            .await
            .expect("listener did not shut down")
            .unwrap();
    }
}

pub async fn start(config: ListenerConfig) -> Running {
    let sink = Arc::new(MemorySink::default());
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listener = Listener::bind(addr, config, sink.clone(), Redactor::new([7; 32]))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(listener.serve(shutdown.clone()));
    Running {
        addr,
        sink,
        shutdown,
        handle,
    }
}

/// A client that speaks raw lines, for what real clients will not do (pipelining in one
/// write, garbage, stalling).
pub struct Raw {
    stream: BufReader<TcpStream>,
}

impl Raw {
    pub async fn connect(addr: SocketAddr) -> Self {
        Self {
            stream: BufReader::new(TcpStream::connect(addr).await.unwrap()),
        }
    }

    pub async fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.stream
            .get_mut()
            .write_all(bytes.as_ref())
            .await
            .unwrap();
    }

    /// The next complete reply (all lines of a multi-line one), or "" at end of stream.
    pub async fn reply(&mut self) -> String {
        tokio::time::timeout(PATIENCE, self.read_reply())
            .await
            .expect("no reply in time")
    }

    async fn read_reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            if self.stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                return all;
            }
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }

    /// Asserts the next reply starts with `prefix` and returns it.
    pub async fn expect(&mut self, prefix: &str) -> String {
        let reply = self.reply().await;
        assert!(
            reply.starts_with(prefix),
            "expected {prefix:?}, got {reply:?}"
        );
        reply
    }

    /// Asserts the next replies start with `prefixes`, in order.
    pub async fn expect_all(&mut self, prefixes: &[&str]) {
        for prefix in prefixes {
            self.expect(prefix).await;
        }
    }

    /// Whether any byte arrives within `wait` (used only to show that nothing did).
    pub async fn says_something_within(&mut self, wait: Duration) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(wait, self.stream.read(&mut byte)).await,
            Ok(Ok(1))
        )
    }
}

/// Runs a Python script (the real smtplib client) and parses the JSON it prints.
pub async fn python(script: &str, args: &[String]) -> serde_json::Value {
    let output = tokio::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .await
        .expect("python3 is needed for these tests");
    assert_success("python3", &output);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Runs swaks, if installed; under CI its absence fails the test instead of skipping it.
pub async fn swaks(args: &[String]) -> Option<String> {
    let output = match tokio::process::Command::new("swaks")
        .args(args)
        .output()
        .await
    {
        Ok(output) => output,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("swaks not installed: skipping its part of this test");
            return None;
        }
        Err(error) => panic!("swaks is needed under CI: {error}"),
    };
    assert_success("swaks", &output);
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A transaction's commands up to and including `DATA`, for the raw client.
pub fn envelope_lines(hello: &str, to: &[&str]) -> String {
    let mut lines = format!("{hello} client.test\r\nMAIL FROM:<sender@client.test>\r\n");
    for rcpt in to {
        lines.push_str(&format!("RCPT TO:<{rcpt}>\r\n"));
    }
    lines.push_str("DATA\r\n");
    lines
}
