//! The test Dovecot (`POSTROOM_TEST_IMAP`, started by scripts/test), driven by Python's
//! imaplib as a second, independent IMAP client, and what `serve` took in from it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use postroom_core::tenant::TenantId;
use postroom_store::Store;

/// The test Dovecot's IMAP address, or `None` (a failure under CI=true).
pub fn dovecot() -> Option<(String, String)> {
    match std::env::var("POSTROOM_TEST_IMAP") {
        Ok(addr) => {
            let (host, port) = addr.rsplit_once(':').unwrap();
            Some((host.to_owned(), port.to_owned()))
        }
        Err(_) => {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "POSTROOM_TEST_IMAP is not set under CI=true"
            );
            eprintln!("POSTROOM_TEST_IMAP is not set: skipping");
            None
        }
    }
}

/// Python's imaplib as a second, independent IMAP client: creates `folder`, appends
/// `count` messages, or reports how many messages there are `\Seen`.
pub fn imap(host: &str, port: &str, script: &str) -> String {
    let program = format!(
        "import imaplib, sys\nm = imaplib.IMAP4('{host}', {port})\nm.login('alice@example.test', 'secret')\n{script}\nm.logout()\n"
    );
    // The program goes in on stdin: a thousand appends are too long for an argument.
    let mut child = Command::new("python3")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(program.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

pub fn append(host: &str, port: &str, folder: &str, ids: &[&str]) {
    let mut script = format!("m.create('{folder}')\n");
    for id in ids {
        script.push_str(&format!(
            "m.append('{folder}', None, None, b'Message-ID: <{id}@example.org>\\r\\nFrom: c@example.org\\r\\nTo: support@example.com\\r\\nSubject: {id}\\r\\n\\r\\nhello\\r\\n')\n"
        ));
    }
    imap(host, port, &script);
}

pub async fn taken_in(dir: &Path) -> usize {
    taken_in_at(&format!(
        "sqlite:{}",
        dir.join("data/postroom.db").display()
    ))
    .await
}

pub async fn taken_in_at(url: &str) -> usize {
    let Ok(store) = Store::open(url).await else {
        return 0;
    };
    match store.tenant(&TenantId::default_tenant()).await {
        Ok(tenant) => tenant
            .recent_intake(100_000)
            .await
            .map(|rows| rows.iter().filter(|r| r.mailbox == "support").count())
            .unwrap_or(0),
        Err(_) => 0,
    }
}

pub fn unique(test: &str) -> String {
    format!("{test}-{}-{}", std::process::id(), nanos())
}

pub fn nanos() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}
