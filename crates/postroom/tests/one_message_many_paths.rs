//! One message, several paths, through the real binary with the Jira sandbox, a real IMAP
//! server (the test Dovecot) and a real SMTP peer (aiosmtpd) for the acknowledgement: the
//! same mail delivered at once over SMTP to three own addresses, waiting in two IMAP
//! mailboxes and imported from a file becomes one issue and one acknowledgement, because
//! deduplication is per tenant, not per mailbox; and an own address only the envelope names
//! still reaches the rule written for it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::time::Duration;

use desk::{Desk, mail};
use support::imap::{dovecot, imap, unique};
use support::{Smtp, postroom, send_smtp};

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com", "help@example.com", "billing@example.com"] },
  "acknowledgement": { "enabled": true, "from_name": "Example Support" },
  "default": { "project": "SUP", "issue_type": "Task" }
}"#;

/// What `postroom ARGS` printed.
fn cli(dir: &std::path::Path, args: &[&str]) -> String {
    String::from_utf8(postroom(dir).args(args).output().unwrap().stdout).unwrap()
}

/// Two IMAP mailboxes of the test Dovecot, each polling its own folder every second.
fn mailboxes(host: &str, port: &str, folders: &[String; 2]) -> String {
    ["imap-support", "imap-help"]
        .iter()
        .zip(folders)
        .map(|(name, folder)| {
            format!(
                "[[mailboxes]]\nname = \"{name}\"\nserver = \"{host}\"\nport = {port}\n\
                 security = \"plain\"\nfolder = \"{folder}\"\npoll_interval_secs = 1\n\
                 [mailboxes.auth]\nmethod = \"login\"\nuser = \"alice@example.test\"\n\
                 password = \"secret\"\n\n"
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_message_through_three_addresses_two_mailboxes_and_an_import_is_one_issue_and_one_ack()
{
    let Some((host, port)) = dovecot() else {
        return;
    };
    let message = mail(
        "Ann Lee <ann@customer.example>",
        "everywhere@customer.example",
        "Printer on fire",
        "Cc: help@example.com, billing@example.com",
    )
    .replace('\n', "\r\n");
    // The message waits in both mailboxes' folders; the pollers take it at start, as the
    // listener and the import do.
    let folders = [unique("paths-support"), unique("paths-help")];
    let mut script = String::new();
    for folder in &folders {
        script.push_str(&format!(
            "m.create('{folder}')\nm.append('{folder}', None, None, {:?}.encode())\n",
            message
        ));
    }
    imap(&host, &port, &script);
    let Some(desk) = Desk::start_with(PROFILE, &mailboxes(&host, &port, &folders), &[]).await
    else {
        return;
    };
    let file = desk.dir.path().join("mail.eml");
    std::fs::write(&file, &message).unwrap();

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
    let import = postroom(desk.dir.path())
        .args(["process", "--mailbox", "import"])
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ids = Vec::new();
    for sent in smtp {
        let reply = sent.join().unwrap();
        assert!(reply.starts_with("250"), "{reply}");
        ids.push(reply.split("Queued as ").nth(1).unwrap().trim().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1, "every SMTP delivery names the one intake row");
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("taken in"));
    // Both mailboxes have seen the message when both flagged it `\Seen`.
    let start = std::time::Instant::now();
    let seen = |folder: &str| {
        imap(
            &host,
            &port,
            &format!("m.select('{folder}')\nprint(len(m.search(None, 'SEEN')[1][0].split()))"),
        )
        .trim()
        .to_owned()
    };
    while folders.iter().any(|f| seen(f) != "1") {
        assert!(
            start.elapsed() < support::PATIENCE,
            "the mailboxes never took it"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    desk.processed(1).await;
    let listed = cli(desk.dir.path(), &["audit", "list"]);
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

/// Routing knows every own address a message reached, though its headers name one: a mail
/// addressed `To: support@` whose envelope also names `billing@` (a Bcc) is one issue, and
/// the rule written for `billing@` decides it.
#[tokio::test(flavor = "multi_thread")]
async fn an_own_address_only_the_envelope_names_still_reaches_its_rule() {
    let profile = r#"{
  "own": { "addresses": ["support@example.com", "billing@example.com"] },
  "default": { "project": "SUP", "issue_type": "Task" },
  "rules": [ { "name": "billing", "match": { "recipient": ["billing@example.com"] },
               "then": { "issue_type": "Bug", "labels": ["billing"] } } ]
}"#;
    let Some(desk) = Desk::start(profile).await else {
        return;
    };
    let message = mail(
        "Ann Lee <ann@customer.example>",
        "bcc-billing@customer.example",
        "Invoice twice",
        "",
    );
    let mut smtp = Smtp::connect(&desk.smtp);
    assert!(smtp.command("EHLO test.example").starts_with("250"));
    assert!(
        smtp.command("MAIL FROM:<ann@customer.example>")
            .starts_with("250")
    );
    for to in ["support@example.com", "billing@example.com"] {
        assert!(smtp.command(&format!("RCPT TO:<{to}>")).starts_with("250"));
    }
    assert!(smtp.command("DATA").starts_with("354"));
    let data = message.replace("\r\n", "\n").replace('\n', "\r\n");
    let done = smtp.command(&format!("{data}."));
    assert!(done.starts_with("250"), "{done}");
    let _ = smtp.command("QUIT");

    desk.processed(1).await;
    let issues = desk.issues().await;
    assert_eq!(issues.len(), 1, "one issue");
    let key = issues[0]["key"].as_str().unwrap();
    let issue = desk
        .jira(&format!("/rest/api/3/issue/{key}?fields=issuetype,labels"))
        .await;
    assert_eq!(issue["fields"]["issuetype"]["name"], "Bug", "{issue}");
    assert_eq!(issue["fields"]["labels"], serde_json::json!(["billing"]));
    let listed = cli(desk.dir.path(), &["audit", "list"]);
    let id = listed.lines().nth(1).unwrap().split('\t').next().unwrap();
    let shown = cli(desk.dir.path(), &["audit", "show", id]);
    assert!(
        shown.contains("envelope: delivered to 1 own address(es) the headers do not name"),
        "{shown}"
    );
}
