//! A real SMTP peer for tests and benchmarks: `smtp_peer.py` (aiosmtpd) in a child process.
//!
//! The Python interpreter that has aiosmtpd is named by `POSTROOM_TEST_SMTP_PEER`. Without
//! it the test is skipped with a message, except under `CI=true`, where a missing peer is a
//! failure: CI must never pass without having talked to a real server.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running peer; killed when dropped.
#[derive(Debug)]
pub struct Peer {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
    _dir: tempfile::TempDir,
}

/// One message as the peer stored it.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub content: Vec<u8>,
}

impl Peer {
    /// Starts a peer with extra arguments (`--auth USER:PASS`, `--cert ...`), or `None`
    /// when no interpreter is configured outside CI.
    pub fn start(extra: &[&str]) -> Option<Peer> {
        let Ok(python) = std::env::var("POSTROOM_TEST_SMTP_PEER") else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "POSTROOM_TEST_SMTP_PEER is not set under CI=true: SMTP tests must run"
            );
            eprintln!("POSTROOM_TEST_SMTP_PEER is not set: skipping this SMTP test");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        // From the manifest of whichever crate includes this file (the postroom crate does too).
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../mail/tests/support/smtp_peer.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg("--maildir")
            .arg(&maildir)
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP peer");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP peer did not start: {line:?}"));
        Some(Peer {
            child,
            port,
            maildir,
            _dir: dir,
        })
    }

    /// Every message received so far, oldest first.
    pub fn delivered(&self) -> Vec<Delivered> {
        let mut names: Vec<_> = std::fs::read_dir(self.maildir.join("new"))
            .map(|d| d.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let content = std::fs::read(self.maildir.join("new").join(&name)).unwrap();
                let mut meta_name = name.clone();
                meta_name.push(".json");
                let meta: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(self.maildir.join("envelopes").join(meta_name)).unwrap(),
                )
                .unwrap();
                Delivered {
                    mail_from: meta["mail_from"].as_str().unwrap().to_owned(),
                    rcpt_tos: meta["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_owned())
                        .collect(),
                    content,
                }
            })
            .collect()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
