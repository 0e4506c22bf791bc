//! A help desk for black-box tests of postroom's own mail: `postroom serve --sandbox` with
//! an SMTP listener for mail in, a real SMTP peer (aiosmtpd) for mail out, and a profile.
//! A test file includes it beside `support` and the peer:
//! `mod support; #[path = "../../mail/tests/support/mod.rs"] mod smtp_peer; mod desk;`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use postroom_core::message::{Message, ParseLimits};
use serde_json::Value;

use crate::smtp_peer::{Delivered, Peer};
use crate::support::{PATIENCE, Served, at_least, listening, postroom, send_smtp};

pub struct Desk {
    pub served: Served,
    pub smtp: String,
    pub peer: Peer,
    pub dir: tempfile::TempDir,
}

impl Desk {
    /// Serves `profile` (JSON); `None` when no SMTP peer is configured outside CI.
    pub async fn start(profile: &str) -> Option<Self> {
        Self::start_with(profile, "", &[]).await
    }

    /// Serves `profile` with more of postroom.toml (`config`, whole sections) and more
    /// files beside it (`files`: name and content).
    pub async fn start_with(profile: &str, config: &str, files: &[(&str, &str)]) -> Option<Self> {
        let peer = Peer::start(&[])?;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("profile.json"), profile).unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        std::fs::write(
            dir.path().join("postroom.toml"),
            format!(
                "[inbound]\nprofile = \"profile.json\"\n\n{config}[outbound]\ntransport = \"smtp\"\n\
                 host = \"127.0.0.1\"\nport = {}\nsecurity = \"plain\"\n\
                 bounce_address = \"bounces@mail.example.com\"\n",
                peer.port
            ),
        )
        .unwrap();
        let served =
            Served::start_with_args(dir.path(), &["--sandbox", "--smtp", "127.0.0.1:0"], &[]).await;
        let smtp = listening(&served, "smtp");
        Some(Self {
            served,
            smtp,
            peer,
            dir,
        })
    }

    pub fn send(&self, from: &str, to: &str, mail: &str) {
        let reply = send_smtp(&self.smtp, from, to, mail.as_bytes());
        assert!(reply.starts_with("250"), "{reply}");
    }

    /// Sends [`mail`] from `from` (`Name <address>` or an address, also the envelope
    /// sender) to support@example.com.
    pub fn write(&self, from: &str, id: &str, subject: &str, extra: &str) {
        let address = from
            .rsplit_once('<')
            .map_or(from, |(_, a)| a.trim_end_matches('>'));
        self.send(
            address,
            "support@example.com",
            &mail(from, id, subject, extra),
        );
    }

    /// GET `path` of the sandbox's Jira as its administrator.
    pub async fn jira(&self, path: &str) -> Value {
        crate::support::sandbox_get(&format!("{}/sandbox/jira", self.served.base), path).await
    }

    /// The issues of project SUP, oldest first, with summary, comments and reporter.
    pub async fn issues(&self) -> Vec<Value> {
        let body = self
            .jira(
                "/rest/api/3/search/jql?jql=project%3DSUP%20ORDER%20BY%20created%20ASC\
                 &fields=summary,comment,reporter&maxResults=100",
            )
            .await;
        body["issues"].as_array().cloned().unwrap_or_default()
    }

    /// The first `count` mails at the peer (and any more that came by then).
    pub async fn mails(&self, count: usize) -> Vec<Delivered> {
        at_least(count, "mails at the SMTP peer", async || {
            self.peer.delivered()
        })
        .await
    }

    pub fn suppression(&self, args: &[&str]) -> std::process::Output {
        postroom(self.dir.path())
            .arg("suppression")
            .args(args)
            .output()
            .unwrap()
    }

    /// The suppression list's rows, each as its tab-separated columns.
    pub fn suppression_list(&self) -> Vec<Vec<String>> {
        let out = self.suppression(&["list"]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect()
    }

    /// Waits until `count` mails were processed (any result), then a little longer for
    /// the send jobs they queued.
    pub async fn processed(&self, count: usize) {
        let start = Instant::now();
        loop {
            let out = postroom(self.dir.path())
                .args(["audit", "list"])
                .output()
                .unwrap();
            let listed = String::from_utf8(out.stdout).unwrap();
            let done = listed
                .lines()
                .skip(1)
                .filter(|l| !l.contains("\tpending\t"))
                .count();
            if done >= count {
                break;
            }
            assert!(start.elapsed() < PATIENCE, "{done} of {count} processed");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// A mail to support@example.com with `extra` header lines.
pub fn mail(from: &str, id: &str, subject: &str, extra: &str) -> String {
    format!(
        "From: {from}\nTo: support@example.com\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\
         Subject: {subject}\nMessage-ID: <{id}>\n{extra}\nHello, {subject}.\n"
    )
}

pub fn parse(delivered: &Delivered) -> Message {
    Message::parse(&delivered.content, &ParseLimits::default())
        .unwrap()
        .message
}

/// Checks what every automatic answer of postroom's must be: to `to` alone, from a VERP
/// return path, marked `Auto-Submitted: auto-replied` with postroom's loop header, and
/// threaded under the mail it answers (`In-Reply-To` that mail, `References` ending with
/// it). Returns the parsed answer.
pub fn assert_auto_reply(
    delivered: &Delivered,
    to: &str,
    in_reply_to: &str,
    references: &[&str],
) -> Message {
    assert_eq!(delivered.rcpt_tos, [to]);
    let token = delivered
        .mail_from
        .strip_prefix("bounces+")
        .and_then(|t| t.strip_suffix("@mail.example.com"))
        .unwrap_or_else(|| panic!("not a VERP return path: {}", delivered.mail_from));
    assert!(token.len() >= 16, "{token}");
    let m = parse(delivered);
    assert_eq!(
        m.header("Auto-Submitted").map(str::trim),
        Some("auto-replied")
    );
    assert_eq!(m.header("X-Postroom-Loop").map(str::trim), Some("default"));
    assert_eq!(
        m.in_reply_to.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        [in_reply_to]
    );
    assert_eq!(
        m.references.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        references
    );
    m
}
