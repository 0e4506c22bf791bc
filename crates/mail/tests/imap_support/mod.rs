//! Shared pieces of the IMAP tests: the private Dovecot started by `scripts/test`, an
//! in-memory intake that dedupes by Message-ID, an in-memory cursor and lease store, and
//! helpers that put messages into a folder and look at what is left there.

#![allow(dead_code)]

pub mod token_endpoint;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_imap::Session;
use futures::TryStreamExt;
use postroom_core::ports::mailbox::{Cursor, MailboxState, PollReport};
use postroom_mail::imap::{
    AfterIntake, Auth, MailboxSettings, MessageSink, Secret, Security, TakeError, Taken,
};
use tokio::net::TcpStream;

pub const USER: &str = "alice@example.test";
pub const PASSWORD: &str = "secret";

/// `host:port` of the test Dovecot, or `None` (skip) outside CI.
pub fn dovecot() -> Option<(String, u16)> {
    let Ok(addr) = std::env::var("POSTROOM_TEST_IMAP") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "POSTROOM_TEST_IMAP is not set under CI=true: the IMAP tests must run"
        );
        eprintln!("POSTROOM_TEST_IMAP is not set: skipping (run scripts/test)");
        return None;
    };
    let (host, port) = addr.rsplit_once(':').unwrap();
    Some((host.to_owned(), port.parse().unwrap()))
}

/// A folder name no other test uses.
pub fn unique_folder(test: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("t-{test}-{}-{nanos}", N.fetch_add(1, Ordering::Relaxed))
}

pub fn settings(host: &str, port: u16, folder: &str, after: AfterIntake) -> MailboxSettings {
    MailboxSettings {
        name: folder.to_owned(),
        server: host.to_owned(),
        port: Some(port),
        security: Security::Plain,
        auth: Auth::Login {
            user: USER.to_owned(),
            password: Secret::new(PASSWORD),
        },
        folder: folder.to_owned(),
        after,
        failure_folder: format!("{folder}-refused"),
        poll_interval_secs: 1,
        max_message_size: 1024 * 1024,
        ca_file: None,
        store_raw: true,
    }
}

pub type Admin = Session<TcpStream>;

/// A plain session of the test user, for putting mail in and looking at what is left.
pub async fn admin(host: &str, port: u16) -> Admin {
    let tcp = TcpStream::connect((host, port)).await.unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().unwrap();
    client
        .login(USER, PASSWORD)
        .await
        .map_err(|(e, _)| e)
        .unwrap()
}

pub fn message(id: &str, body_len: usize) -> Vec<u8> {
    format!(
        "From: c@example.test\r\nTo: support@example.test\r\nSubject: test {id}\r\n\
         Message-ID: <{id}@example.test>\r\n\r\n{}\r\n",
        "x".repeat(body_len)
    )
    .into_bytes()
}

pub async fn append(admin: &mut Admin, folder: &str, id: &str, body_len: usize) {
    admin
        .append(folder, None, None, message(id, body_len))
        .await
        .unwrap();
}

/// `(uid, seen)` of every message in `folder`; none while the poller has not created it.
pub async fn contents(admin: &mut Admin, folder: &str) -> Vec<(u32, bool)> {
    let mailbox = match admin.select(folder).await {
        Ok(mailbox) => mailbox,
        Err(async_imap::error::Error::No(_)) => return Vec::new(),
        Err(e) => panic!("{e}"),
    };
    if mailbox.exists == 0 {
        return Vec::new();
    }
    let fetches: Vec<_> = admin
        .uid_fetch("1:*", "(UID FLAGS)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let mut out: Vec<_> = fetches
        .iter()
        .map(|f| {
            let seen = f
                .flags()
                .any(|flag| matches!(flag, async_imap::types::Flag::Seen));
            (f.uid.unwrap(), seen)
        })
        .collect();
    out.sort_unstable();
    out
}

/// Polls `check` every 100 ms for up to 20 s (generous for a busy 2-core machine).
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within 20 s: {what}");
}

/// The intake double: dedupes by Message-ID, can fail transiently a number of times, and
/// records refusals.
#[derive(Debug, Default)]
pub struct MemorySink {
    pub taken: Mutex<HashMap<String, usize>>,
    pub offers: AtomicUsize,
    pub fail_next: AtomicUsize,
    pub refused: Mutex<Vec<u64>>,
}

impl MemorySink {
    pub fn distinct(&self) -> usize {
        self.taken.lock().unwrap().len()
    }

    pub fn stored(&self, id: &str) -> usize {
        self.taken
            .lock()
            .unwrap()
            .get(&format!("<{id}@example.test>"))
            .copied()
            .unwrap_or(0)
    }
}

fn message_id(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    text.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap_or("")
        .trim()
        .to_owned()
}

impl MessageSink for MemorySink {
    async fn take_in(&self, _mailbox: &str, raw: Vec<u8>) -> Result<Taken, TakeError> {
        self.offers.fetch_add(1, Ordering::SeqCst);
        if self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(TakeError::Transient {
                reason: "store down (test)".to_owned(),
            });
        }
        let id = message_id(&raw);
        let mut taken = self.taken.lock().unwrap();
        let duplicate = taken.contains_key(&id);
        if !duplicate {
            taken.insert(id.clone(), 1);
        }
        Ok(Taken { id, duplicate })
    }

    async fn refuse(&self, _mailbox: &str, size: u64, _limit: u64) -> Result<(), TakeError> {
        self.refused.lock().unwrap().push(size);
        Ok(())
    }
}

/// A mailbox's cursor and its lease (holder, expiry in ms).
type Row = (Option<Cursor>, Option<(String, i64)>);

/// Cursor and lease in memory, with the store's rules.
#[derive(Debug, Default)]
pub struct MemoryState {
    rows: Mutex<HashMap<String, Row>>,
    /// Every poll report, in order.
    pub reports: Mutex<Vec<(String, PollReport)>>,
}

#[derive(Debug, thiserror::Error)]
#[error("unreachable")]
pub struct Never;

impl MailboxState for MemoryState {
    type Error = Never;

    async fn load(&self, mailbox: &str) -> Result<Option<Cursor>, Never> {
        Ok(self.rows.lock().unwrap().get(mailbox).and_then(|r| r.0))
    }

    async fn save(&self, mailbox: &str, holder: &str, c: Cursor, now: i64) -> Result<bool, Never> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows.entry(mailbox.to_owned()).or_default();
        let held = matches!(&row.1, Some((h, until)) if h == holder && *until > now);
        if held {
            row.0 = Some(c);
        }
        Ok(held)
    }

    async fn try_lease(
        &self,
        mailbox: &str,
        holder: &str,
        ttl: i64,
        now: i64,
    ) -> Result<bool, Never> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows.entry(mailbox.to_owned()).or_default();
        let free = match &row.1 {
            None => true,
            Some((h, until)) => h == holder || *until <= now,
        };
        if free {
            row.1 = Some((holder.to_owned(), now + ttl));
        }
        Ok(free)
    }

    async fn renew(&self, mailbox: &str, holder: &str, ttl: i64, now: i64) -> Result<bool, Never> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows.entry(mailbox.to_owned()).or_default();
        let held = matches!(&row.1, Some((h, until)) if h == holder && *until > now);
        if held {
            row.1 = Some((holder.to_owned(), now + ttl));
        }
        Ok(held)
    }

    async fn report(&self, mailbox: &str, report: &PollReport, _now: i64) -> Result<(), Never> {
        self.reports
            .lock()
            .unwrap()
            .push((mailbox.to_owned(), report.clone()));
        Ok(())
    }

    async fn release(&self, mailbox: &str, holder: &str) -> Result<(), Never> {
        let mut rows = self.rows.lock().unwrap();
        if let Some(row) = rows.get_mut(mailbox)
            && matches!(&row.1, Some((h, _)) if h == holder)
        {
            row.1 = None;
        }
        Ok(())
    }
}
