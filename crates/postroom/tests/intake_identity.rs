//! What the intake counts as one message, and that what it refuses is still recorded,
//! through the real binary: a Message-ID reused with other content is a mail of its own
//! (its own issue, a warning in its report) while a true re-delivery with other trace
//! headers stays a duplicate; a message refused over SMTP for its size leaves an audit row;
//! an mbox that does not start with a separator line yields every message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;

use support::{Served, Site, Smtp, at_least, listening, send_smtp};

const PROFILE: &str = r#"{"own": {"addresses": ["support@example.com"]},
    "default": {"project": "SUP", "issue_type": "Task"}}"#;

fn site(db_url: Option<String>) -> Site {
    let site = Site::new(db_url, &[("profile.json", PROFILE)]);
    site.ok(&["profile", "import", "profile.json"]);
    site
}

async fn serve(site: &Site, env: &[(&str, &str)]) -> (Served, String) {
    let mut env = env.to_vec();
    env.push(("POSTROOM_STORAGE__URL", site.db_url.as_str()));
    let served =
        Served::start_with_args(site.path(), &["--sandbox", "--smtp", "127.0.0.1:0"], &env).await;
    let smtp = listening(&served, "smtp");
    (served, smtp)
}

/// The audit list's rows (header left out) for `args`, split into columns.
fn audit(site: &Site, args: &[&str]) -> Vec<Vec<String>> {
    let mut all = vec!["audit", "list"];
    all.extend_from_slice(args);
    site.ok(&all)
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

fn queued_id(reply: &str) -> String {
    assert!(reply.starts_with("250"), "{reply}");
    reply.split("Queued as ").nth(1).unwrap().trim().to_owned()
}

const ORIGINAL: &str = "From: Ann Lee <ann@customer.example>\nTo: support@example.com\n\
    Date: Mon, 23 Nov 2026 10:00:00 +0000\nSubject: Printer on fire\n\
    Message-ID: <same@customer.example>\n\nThe printer on the 3rd floor is smoking.\n";

async fn a_reused_message_id(db_url: Option<String>) {
    let site = site(db_url);
    let (served, smtp) = serve(&site, &[]).await;
    let send = |mail: &str| {
        send_smtp(
            &smtp,
            "ann@customer.example",
            "support@example.com",
            mail.as_bytes(),
        )
    };
    let first = queued_id(&send(ORIGINAL));
    // The same mail handed on again by another relay: new trace headers, a folded subject.
    let redelivered = format!(
        "Received: from mx2.customer.example by mx.example.com; Mon, 23 Nov 2026 10:05:00 +0000\n\
         Delivered-To: support@example.com\nReturn-Path: <ann@customer.example>\n\
         DKIM-Signature: v=1; a=rsa-sha256; d=customer.example; s=s; b=abc\n{}",
        ORIGINAL.replace("Subject: Printer on fire", "Subject: Printer\n on fire")
    );
    assert_eq!(
        queued_id(&send(&redelivered)),
        first,
        "a re-delivery is the same message"
    );
    // Another mail that reuses the Message-ID: its own message, never swallowed.
    let other = ORIGINAL.replace(
        "The printer on the 3rd floor is smoking.",
        "Please reset my password.",
    );
    let second = queued_id(&send(&other));
    assert_ne!(second, first);

    let created = at_least(2, "created mails", async || {
        audit(&site, &["--status", "created"])
    })
    .await;
    assert_eq!(created.len(), 2, "{created:?}");
    assert_eq!(audit(&site, &[]).len(), 2, "the re-delivery made no row");
    let issues: Vec<&str> = created.iter().map(|r| r[4].as_str()).collect();
    assert_ne!(issues[0], issues[1], "two issues: {created:?}");
    let shown = site.ok(&["audit", "show", &second]);
    assert!(
        shown.contains("same Message-ID but other content"),
        "{shown}"
    );
    let shown = site.ok(&["audit", "show", &first]);
    assert!(!shown.contains("same Message-ID"), "{shown}");
    served.stop_gracefully();
}

#[tokio::test]
async fn a_reused_message_id_with_other_content_is_its_own_issue_on_sqlite() {
    a_reused_message_id(None).await;
}

#[tokio::test]
async fn a_reused_message_id_with_other_content_is_its_own_issue_on_postgresql() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    a_reused_message_id(Some(url)).await;
}

#[tokio::test]
async fn an_oversize_smtp_message_is_in_the_audit_as_refused() {
    let site = site(None);
    let (served, smtp) = serve(&site, &[("POSTROOM_INBOUND__MAX_SIZE", "1000")]).await;
    let mut session = Smtp::connect(&smtp);
    assert!(session.command("EHLO client.example").starts_with("250"));
    // Announced too big at MAIL FROM.
    let reply = session.command("MAIL FROM:<ann@customer.example> SIZE=5000");
    assert!(reply.starts_with("552"), "{reply}");
    // Found too big while it is sent.
    assert!(
        session
            .command("MAIL FROM:<ann@customer.example>")
            .starts_with("250")
    );
    assert!(
        session
            .command("RCPT TO:<support@example.com>")
            .starts_with("250")
    );
    assert!(session.command("DATA").starts_with("354"));
    let body = format!(
        "From: ann@customer.example\r\nSubject: big\r\n\r\n{}\r\n",
        "x".repeat(3000)
    );
    session.writer.write_all(body.as_bytes()).unwrap();
    let reply = session.command(".");
    assert!(reply.starts_with("552"), "{reply}");
    // A client repeating itself leaves a few records, not one per try.
    for _ in 0..5 {
        let reply = session.command("MAIL FROM:<ann@customer.example> SIZE=9000");
        assert!(reply.starts_with("552"), "{reply}");
    }
    let _ = session.command("QUIT");

    let refused = audit(&site, &["--status", "refused"]);
    assert_eq!(refused.len(), 3, "{refused:?}");
    let mut reasons = Vec::new();
    for row in &refused {
        let shown = site.ok(&["audit", "show", &row[0]]);
        assert!(shown.contains("not stored (refused at intake)"), "{shown}");
        assert!(shown.contains("mailbox:     smtp (listener)"), "{shown}");
        reasons.push(shown);
    }
    assert!(
        reasons.iter().any(|s| s
            .contains("message of 5000 bytes is over the limit of 1000 bytes (refused at SIZE)")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|s| s.contains("over the limit of 1000 bytes (refused during DATA)")),
        "{reasons:?}"
    );
    let blobs = site.path().join("data/blobs/default/inbound");
    assert_eq!(
        std::fs::read_dir(blobs).map_or(0, |d| d.count()),
        0,
        "no message kept"
    );
    served.stop_gracefully();
}

#[tokio::test]
async fn an_mbox_without_a_leading_separator_yields_every_message() {
    let site = site(None);
    let mut mbox = String::from("Exported by MailTool 2.1\n\n");
    for n in 0..10 {
        mbox.push_str(&format!(
            "From ann@customer.example Mon Nov 23 10:00:0{n} 2026\n\
             From: ann@customer.example\nSubject: mail {n}\nMessage-ID: <m{n}@customer.example>\n\n\
             Body {n}.\n\n"
        ));
    }
    let path = site.path().join("export");
    std::fs::write(&path, mbox).unwrap();
    let out = site.run(&["process", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("10 taken in, 0 duplicate(s), 0 refused, 1 failed"),
        "{stdout}"
    );
    assert!(
        stderr.contains("[0]: 26 bytes before the first mbox separator line are not a message"),
        "{stderr}"
    );
    assert_eq!(audit(&site, &[]).len(), 10);
}
