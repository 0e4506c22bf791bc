//! Acknowledgements and bounces of postroom's own mail, through the real binary, the Jira
//! sandbox and a real SMTP peer (aiosmtpd): a new issue from a person is acknowledged once,
//! threaded under their mail, marked automatic and sent with a VERP return path; automatic
//! and bulk mail get none; the hourly cap holds; a reply to the acknowledgement comments on
//! the issue; a hard bounce of an acknowledgement suppresses the address, the next one is
//! withheld and counted, and `postroom suppression clear` lifts it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::time::{Duration, Instant};

use desk::{Desk, assert_auto_reply, mail, parse};
use support::{PATIENCE, dsn};

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"], "domains": ["mail.example.com"] },
  "acknowledgement": { "enabled": true, "from_name": "Example Support", "max_per_hour": 2 },
  "default": { "project": "SUP", "issue_type": "Task" },
  "threading": { "project_keys": ["SUP"] }
}"#;

/// Lets the workers finish what is queued: the number of issues stays put for a while.
async fn settle(desk: &Desk, issues: usize) {
    let start = Instant::now();
    loop {
        let now = desk.issues().await.len();
        assert!(now <= issues, "{now} issues, expected {issues}");
        if now == issues {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "{now} of {issues} issues");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledgements_are_threaded_capped_and_stop_at_a_hard_bounce() {
    let Some(desk) = Desk::start(PROFILE).await else {
        return;
    };

    // A person's mail: one issue, one acknowledgement.
    desk.send(
        "ann@customer.example",
        "support@example.com",
        &mail(
            "Ann Lee <ann@customer.example>",
            "new-1@customer.example",
            "Printer on fire",
            "References: <older@customer.example>",
        ),
    );
    let acks = desk.mails(1).await;
    let issues = desk.issues().await;
    assert_eq!(issues.len(), 1);
    let key = issues[0]["key"].as_str().unwrap().to_owned();
    let m = assert_auto_reply(
        &acks[0],
        "ann@customer.example",
        "new-1@customer.example",
        &["older@customer.example", "new-1@customer.example"],
    );
    assert_eq!(
        m.subject.as_deref(),
        Some(format!("[{key}] Printer on fire").as_str())
    );
    let ack_id = m.message_id.as_ref().unwrap().as_str().to_owned();
    assert!(ack_id.ends_with("@example.com"), "{ack_id}");
    assert!(m.body_text().contains(&key), "{}", m.body_text());

    // Automatic and bulk mail: no acknowledgement (the bulk one still opens an issue).
    desk.send(
        "dave@customer.example",
        "support@example.com",
        &mail(
            "dave@customer.example",
            "auto-1@customer.example",
            "Out of office",
            "Auto-Submitted: auto-replied",
        ),
    );
    desk.send(
        "erin@customer.example",
        "support@example.com",
        &mail(
            "erin@customer.example",
            "bulk-1@customer.example",
            "Newsletter question",
            "Precedence: bulk",
        ),
    );
    // The hourly cap of 2: Ann's third new issue within the hour gets no acknowledgement.
    for n in 2..=3 {
        desk.send(
            "ann@customer.example",
            "support@example.com",
            &mail(
                "Ann Lee <ann@customer.example>",
                &format!("new-{n}@customer.example"),
                &format!("Another problem {n}"),
                "",
            ),
        );
    }
    settle(&desk, 4).await;
    desk.mails(2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let acks = desk.peer.delivered();
    let to_ann = acks
        .iter()
        .filter(|a| a.rcpt_tos == ["ann@customer.example"])
        .count();
    assert_eq!(to_ann, 2, "the cap of two an hour");
    assert_eq!(acks.len(), 2, "nothing to Dave or Erin");

    // Ann answers the acknowledgement: a comment on the issue it named.
    desk.send(
        "ann@customer.example",
        "support@example.com",
        &mail(
            "Ann Lee <ann@customer.example>",
            "reply-1@customer.example",
            "Re: your acknowledgement",
            &format!("In-Reply-To: <{ack_id}>"),
        ),
    );
    let start = Instant::now();
    loop {
        let issues = desk.issues().await;
        let comments = issues
            .iter()
            .find(|i| i["key"] == key.as_str())
            .map(|i| i["fields"]["comment"]["total"].as_u64().unwrap_or(0))
            .unwrap_or(0);
        if comments == 1 {
            assert_eq!(issues.len(), 4, "a comment, not a new issue");
            break;
        }
        assert!(start.elapsed() < PATIENCE, "no comment on {key}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Frank's acknowledgement bounces hard: the DSN comes back to its VERP address.
    desk.send(
        "frank@customer.example",
        "support@example.com",
        &mail(
            "frank@customer.example",
            "frank-1@customer.example",
            "Login broken",
            "",
        ),
    );
    let acks = desk.mails(3).await;
    let to_frank = &acks[2];
    assert_eq!(to_frank.rcpt_tos, ["frank@customer.example"]);
    let verp = to_frank.mail_from.clone();
    let frank_ack = parse(to_frank).message_id.unwrap().as_str().to_owned();
    desk.send("", &verp, &dsn(&verp, &frank_ack));
    let start = Instant::now();
    let row = loop {
        let rows = desk.suppression_list();
        if let Some(row) = rows.into_iter().next() {
            break row;
        }
        assert!(start.elapsed() < PATIENCE, "the bounce suppressed nothing");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        &row[..5],
        ["frank@customer.example", "yes", "hard", "1", "0"]
    );
    assert_eq!(row[5], "5.1.1");
    assert!(row[7].contains("no such user"), "{row:?}");
    assert_eq!(
        desk.issues().await.len(),
        5,
        "a bounce never opens an issue"
    );

    // Frank writes again: a new issue, but the acknowledgement is withheld and counted.
    desk.send(
        "frank@customer.example",
        "support@example.com",
        &mail(
            "frank@customer.example",
            "frank-2@customer.example",
            "Login still broken",
            "",
        ),
    );
    settle(&desk, 6).await;
    assert_eq!(
        desk.peer.delivered().len(),
        3,
        "nothing sent to a suppressed address"
    );
    let row = &desk.suppression_list()[0];
    assert_eq!(row[4], "1", "one mail withheld: {row:?}");

    let cleared = desk.suppression(&["clear", "Frank@Customer.Example"]);
    assert!(cleared.status.success(), "{cleared:?}");
    assert!(desk.suppression_list().is_empty());
    let again = desk.suppression(&["clear", "frank@customer.example"]);
    assert_eq!(again.status.code(), Some(1), "nothing left to clear");
    let bad = desk.suppression(&["clear", "not an address"]);
    assert!(!bad.status.success());

    let log = desk.served.stderr().join("\n");
    for private in [
        "ann@customer.example",
        "frank@customer.example",
        "Printer on fire",
        "no such user",
    ] {
        assert!(!log.contains(private), "{private:?} in the log");
    }
}
