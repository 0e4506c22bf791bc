//! One message, several paths, through the real binary with the Jira sandbox and a real SMTP
//! peer (aiosmtpd) for the acknowledgement: the same mail delivered at once over SMTP to three
//! own addresses and imported under two mailbox names becomes one issue and one
//! acknowledgement, because deduplication is per tenant, not per mailbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::time::Duration;

use desk::{Desk, mail};
use support::{postroom, send_smtp};

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com", "help@example.com", "billing@example.com"] },
  "acknowledgement": { "enabled": true, "from_name": "Example Support" },
  "default": { "project": "SUP", "issue_type": "Task" }
}"#;

#[tokio::test(flavor = "multi_thread")]
async fn one_message_through_three_addresses_and_two_mailboxes_is_one_issue_and_one_ack() {
    let Some(desk) = Desk::start(PROFILE).await else {
        return;
    };
    let message = mail(
        "Ann Lee <ann@customer.example>",
        "everywhere@customer.example",
        "Printer on fire",
        "Cc: help@example.com, billing@example.com",
    );
    let file = desk.dir.path().join("mail.eml");
    std::fs::write(&file, &message).unwrap();

    // All five deliveries at the same instant.
    let mut smtp = Vec::new();
    for to in [
        "support@example.com",
        "help@example.com",
        "billing@example.com",
    ] {
        let (addr, message) = (desk.smtp.clone(), message.clone());
        smtp.push(std::thread::spawn(move || {
            send_smtp(&addr, "ann@customer.example", to, message.as_bytes())
        }));
    }
    let imports: Vec<_> = ["imap-support", "imap-help"]
        .into_iter()
        .map(|mailbox| {
            postroom(desk.dir.path())
                .args(["process", "--mailbox", mailbox])
                .arg(&file)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids = Vec::new();
    for sent in smtp {
        let reply = sent.join().unwrap();
        assert!(reply.starts_with("250"), "{reply}");
        ids.push(reply.split("Queued as ").nth(1).unwrap().trim().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1, "every SMTP delivery names the one intake row");
    let mut summaries = String::new();
    for import in imports {
        let out = import.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        summaries.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    assert_eq!(summaries.matches("taken in").count(), 2, "{summaries}");

    desk.processed(1).await;
    let listed = String::from_utf8(
        postroom(desk.dir.path())
            .args(["audit", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        listed.lines().skip(1).count(),
        1,
        "one intake row: {listed}"
    );
    let issues = desk.issues().await;
    assert_eq!(issues.len(), 1, "one issue");
    let acks = desk.mails(1).await;
    // Time for a second acknowledgement to show up, if one were (wrongly) sent.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(desk.peer.delivered().len(), 1, "one acknowledgement");
    assert!(
        acks[0].rcpt_tos.iter().any(|r| r == "ann@customer.example"),
        "{:?}",
        acks[0].rcpt_tos
    );
}
