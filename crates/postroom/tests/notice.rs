//! The notice of a refused mail, through the real binary, the Jira sandbox and a real SMTP
//! peer (aiosmtpd): a stranger's reply under `people.strangers = reject` comments nothing
//! and gets one notice, threaded to the refused mail, marked automatic and sent with a VERP
//! return path; an auto-reply or bulk mail refused the same way gets none; the hourly cap
//! holds; a refusal of the notice at RCPT TO suppresses the address and the next notice is
//! withheld.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::time::{Duration, Instant};

use desk::{Desk, assert_auto_reply};
use support::{PATIENCE, postroom};

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"], "domains": ["mail.example.com"] },
  "notice": { "enabled": true, "from_name": "Example Support", "max_per_hour": 2 },
  "people": { "strangers": "reject" },
  "default": { "project": "SUP", "issue_type": "Task",
               "handling": { "auto_reply": "comment" } },
  "threading": { "project_keys": ["SUP"] }
}"#;

/// The processing report of the one message from `sender`, as `audit show` prints it.
fn report_of(desk: &Desk, sender: &str) -> String {
    let run = |args: &[&str]| {
        let out = postroom(desk.dir.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let listed = run(&["audit", "list", "--from", sender]);
    let rows: Vec<&str> = listed.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{listed}");
    let id = rows[0].split('\t').next().unwrap();
    run(&["audit", "show", id])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_strangers_refused_reply_gets_one_capped_notice_and_robots_get_none() {
    let Some(desk) = Desk::start(PROFILE).await else {
        return;
    };
    desk.write(
        "Ann Lee <ann@customer.example>",
        "new-1@customer.example",
        "Printer on fire",
        "",
    );
    desk.processed(1).await;
    let issues = desk.issues().await;
    assert_eq!(issues.len(), 1);
    let key = issues[0]["key"].as_str().unwrap().to_owned();
    let subject = format!("Re: [{key}] Printer on fire");
    let reply = |from: &str, id: &str, extra: &str| desk.write(from, id, &subject, extra);

    // A stranger's reply: refused, and one notice saying why.
    reply(
        "Mallory <mallory@elsewhere.example>",
        "stranger-1@elsewhere.example",
        "References: <new-1@customer.example>",
    );
    let mails = desk.mails(1).await;
    let m = assert_auto_reply(
        &mails[0],
        "mallory@elsewhere.example",
        "stranger-1@elsewhere.example",
        &["new-1@customer.example", "stranger-1@elsewhere.example"],
    );
    assert_eq!(
        m.subject.as_deref(),
        Some(format!("Not delivered: Re: [{key}] Printer on fire").as_str())
    );
    let body = m.body_text();
    assert!(body.contains("Hello Mallory,"), "{body}");
    assert!(
        body.contains(&format!("only the people on {key} may add to it by e-mail")),
        "{body}"
    );
    let shown = report_of(&desk, "mallory@elsewhere.example");
    assert!(shown.contains("notice: queued ("), "{shown}");

    // An auto-reply and a bulk mail refused the same way: no notice.
    reply(
        "oscar@elsewhere.example",
        "auto-1@elsewhere.example",
        "Auto-Submitted: auto-replied",
    );
    reply(
        "pat@elsewhere.example",
        "bulk-1@elsewhere.example",
        "Precedence: bulk",
    );
    // Two more from the stranger: the cap of two an hour lets one more notice through.
    for n in 2..=3 {
        reply(
            "Mallory <mallory@elsewhere.example>",
            &format!("stranger-{n}@elsewhere.example"),
            "",
        );
    }
    desk.processed(6).await;
    let mails = desk.mails(2).await;
    assert_eq!(
        mails.len(),
        2,
        "one more notice to Mallory, none to the robots"
    );
    assert!(
        mails
            .iter()
            .all(|m| m.rcpt_tos == ["mallory@elsewhere.example"])
    );
    let shown = report_of(&desk, "oscar@elsewhere.example");
    assert!(
        shown.contains("notice: not sent: the mail must get no automatic answer"),
        "{shown}"
    );
    let shown = report_of(&desk, "pat@elsewhere.example");
    assert!(shown.contains("notice: not sent:"), "{shown}");

    // The peer refuses this recipient at RCPT TO: suppressed, the next notice withheld.
    reply("reject-me@elsewhere.example", "rej-1@elsewhere.example", "");
    let start = Instant::now();
    while desk.suppression_list().is_empty() {
        assert!(
            start.elapsed() < PATIENCE,
            "the refused notice suppressed nobody"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    reply("reject-me@elsewhere.example", "rej-2@elsewhere.example", "");
    desk.processed(8).await;
    let row = &desk.suppression_list()[0];
    assert_eq!(&row[..2], ["reject-me@elsewhere.example", "yes"]);
    assert_eq!(row[4], "1", "one notice withheld: {row:?}");
    assert_eq!(desk.peer.delivered().len(), 2);

    let issues = desk.issues().await;
    assert_eq!(issues.len(), 1, "a refused reply opens nothing");
    assert_eq!(
        issues[0]["fields"]["comment"]["total"].as_u64(),
        Some(0),
        "and comments nothing"
    );
    let log = desk.served.stderr().join("\n");
    for private in ["mallory@elsewhere.example", "Printer on fire", "reject-me"] {
        assert!(!log.contains(private), "{private:?} in the log");
    }
}
