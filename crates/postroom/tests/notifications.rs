//! Notifications end to end, through the real binary, the Jira sandbox firing real signed
//! webhooks at `/webhooks/jira`, and a real SMTP peer (aiosmtpd): an agent's public comment
//! on an issue opened by mail reaches the customer — and nobody else — threaded under the
//! customer's mail; a restricted comment reaches nobody outside it; a replayed delivery
//! sends nothing twice; the customer's reply to the notification comments on the issue; a
//! hard bounce suppresses the address and the next notification is withheld. Deliveries
//! with a bad signature, a body too large or not a webhook are refused and store nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::time::{Duration, Instant};

use desk::parse;
use postroom_core::notify::signature;
use serde_json::{Value, json};
use smtp_peer::Delivered;
use support::{PATIENCE, dsn, postroom, send_smtp};

const SECRET: &str = "a-webhook-secret-for-tests";

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"], "domains": ["mail.example.com"] },
  "people": { "email_field": "E-mail participants" },
  "default": { "project": "SUP", "issue_type": "Task" },
  "threading": { "project_keys": ["SUP"] },
  "notifications": {
    "from_name": "Example Support",
    "rules": [
      { "name": "customers", "projects": ["SUP"],
        "events": ["issue_created", "comment_added", "resolved"],
        "to": ["reporter", "participants"] },
      { "name": "staff", "events": ["status_changed"], "to": ["address:desk@example.net"],
        "subject": "{{ issue.key }} is now {{ issue.status }}" }
    ]
  }
}"#;

/// The shared help desk with the webhook receiver configured, and what these tests ask of
/// Jira and the database.
struct Desk(desk::Desk);

impl std::ops::Deref for Desk {
    type Target = desk::Desk;

    fn deref(&self) -> &desk::Desk {
        &self.0
    }
}

impl Desk {
    async fn start() -> Option<Self> {
        Self::start_with_peer(&[]).await
    }

    /// With the SMTP peer started with `peer_args`.
    async fn start_with_peer(peer_args: &[&str]) -> Option<Self> {
        Self::with_config("", peer_args).await
    }

    /// On the PostgreSQL database `url`.
    async fn start_on(url: &str, peer_args: &[&str]) -> Option<Self> {
        Self::with_config(&format!("[storage]\nurl = \"{url}\"\n\n"), peer_args).await
    }

    async fn with_config(more: &str, peer_args: &[&str]) -> Option<Self> {
        let config = format!(
            "{more}[webhooks]\nsecret_file = \"webhook-secret\"\nmax_body_bytes = 65536\n\n"
        );
        let secret = format!("{SECRET}\n");
        desk::Desk::start_with_peer(PROFILE, &config, &[("webhook-secret", &secret)], peer_args)
            .await
            .map(Self)
    }

    fn jira_url(&self, path: &str) -> String {
        format!("{}/sandbox/jira{path}", self.served.base)
    }

    /// The sandbox's administrator (an agent here) comments on `key`.
    async fn comment(&self, key: &str, body: Value) {
        let response = reqwest::Client::new()
            .post(self.jira_url(&format!("/rest/api/2/issue/{key}/comment")))
            .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
    }

    async fn comments(&self, key: &str) -> usize {
        let body = self.jira(&format!("/rest/api/3/issue/{key}/comment")).await;
        body["comments"].as_array().map_or(0, Vec::len)
    }

    /// Posts a delivery to the receiver as Jira would.
    async fn deliver(&self, body: &[u8], signature: Option<&str>, id: &str) -> (u16, String) {
        let mut request = reqwest::Client::new()
            .post(format!("{}/webhooks/jira", self.served.base))
            .header("content-type", "application/json")
            .header("x-atlassian-webhook-identifier", id)
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("x-hub-signature", signature);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// What the peer received, after giving the workers time to send anything more.
    async fn settled_mails(&self) -> Vec<Delivered> {
        tokio::time::sleep(Duration::from_secs(3)).await;
        self.peer.delivered()
    }

    fn db(&self) -> String {
        format!(
            "sqlite:{}",
            self.dir.path().join("data/postroom.db").display()
        )
    }

    /// The number of rows of every table of the database, by table.
    async fn every_table(&self) -> Vec<(String, i64)> {
        use sqlx::Row;
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.db()).await.unwrap();
        let names: Vec<String> =
            sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get("name").unwrap())
                .collect();
        let mut counts = Vec::new();
        for name in names {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM \"{name}\""
            )))
            .fetch_one(&pool)
            .await
            .unwrap();
            counts.push((name, row.try_get("n").unwrap()));
        }
        pool.close().await;
        counts
    }
}

fn header(delivered: &Delivered, name: &str) -> String {
    let text = String::from_utf8_lossy(&delivered.content);
    text.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default()
}

/// The issue opened by the customer's first mail.
async fn first_issue(desk: &Desk) -> String {
    let start = Instant::now();
    loop {
        let found = desk
            .jira("/rest/api/3/search/jql?jql=project%3DSUP&fields=summary")
            .await;
        if let Some(key) = found["issues"][0]["key"].as_str() {
            return key.to_owned();
        }
        assert!(start.elapsed() < PATIENCE, "no issue was created");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agents_comment_reaches_the_customer_once_threaded_and_their_reply_comes_back() {
    if let Some(desk) = Desk::start().await {
        the_comment_flow(desk).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_comment_flow_on_postgresql() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    if let Some(desk) = Desk::start_on(&url, &[]).await {
        the_comment_flow(desk).await;
    }
}

/// An agent's comment reaches the customer once, threaded; a restricted one reaches nobody
/// outside; a replay sends nothing; the reply comes back; a bounce suppresses; the audit
/// shows what was sent.
async fn the_comment_flow(desk: Desk) {
    let original = "printer-1@customer.example";
    let reply = send_smtp(
        &desk.smtp,
        "frank@customer.example",
        "support@example.com",
        format!(
            "From: Frank Customer <frank@customer.example>\nTo: support@example.com\n\
             Subject: Printer on fire\nMessage-ID: <{original}>\n\nIt is on fire.\n"
        )
        .as_bytes(),
    );
    assert!(reply.starts_with("250"), "{reply}");
    let key = first_issue(&desk).await;

    // A public comment by an agent: one mail, to the customer only.
    desk.comment(
        &key,
        json!({"body": "We are on our way with a *fire extinguisher*."}),
    )
    .await;
    let mails = desk.mails(1).await;
    let settled = desk.settled_mails().await;
    assert_eq!(
        settled.len(),
        1,
        "the comment arrives as two deliveries (comment_created and jira:issue_updated) and \
         is told once; the agent who wrote it and postroom's own addresses get nothing"
    );
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, vec!["frank@customer.example".to_owned()]);
    assert!(
        mail.mail_from.starts_with("bounces+") && mail.mail_from.ends_with("@mail.example.com"),
        "VERP return path: {}",
        mail.mail_from
    );
    let message = parse(mail);
    assert!(
        message
            .subject
            .as_deref()
            .unwrap_or("")
            .starts_with(&format!("[{key}] ")),
        "{:?}",
        message.subject
    );
    assert_eq!(
        message.in_reply_to.first().map(|m| m.as_str()),
        Some(original),
        "threaded under the customer's own mail"
    );
    assert_eq!(header(mail, "Auto-Submitted"), "auto-generated");
    assert!(header(mail, "Reply-To").contains("support@example.com"));
    assert!(header(mail, "From").contains("Example Support"));
    assert!(!header(mail, "X-Postroom-Loop").is_empty());
    let text = String::from_utf8_lossy(&mail.content);
    assert!(text.contains("fire extinguisher"), "{text}");
    let notification_id = message.message_id.as_ref().unwrap().as_str().to_owned();

    // A comment restricted to a role reaches nobody outside it (the customer is outside).
    desk.comment(
        &key,
        json!({"body": "Internal: bill them double.",
               "visibility": {"type": "role", "value": "Administrators"}}),
    )
    .await;
    assert_eq!(
        desk.settled_mails().await.len(),
        1,
        "a restricted comment went out"
    );

    // A replayed delivery (same identifier) is acknowledged and changes nothing.
    let issue = desk.jira(&format!("/rest/api/2/issue/{key}")).await;
    let replay = serde_json::to_vec(&json!({
        "timestamp": 1, "webhookEvent": "comment_created",
        "user": {"accountId": "someone-else", "displayName": "Replay"},
        "issue": issue,
        "comment": {"id": "999001", "body": "A comment nobody wrote twice", "jsdPublic": true},
    }))
    .unwrap();
    let signed = signature::sign(SECRET.as_bytes(), &replay);
    let first = desk.deliver(&replay, Some(&signed), "replayed-1").await;
    assert_eq!(first.0, 202, "{first:?}");
    let again = desk.deliver(&replay, Some(&signed), "replayed-1").await;
    assert_eq!(again.0, 200, "{again:?}");
    assert!(again.1.contains("duplicate"), "{again:?}");
    let after_replay = desk.mails(2).await;
    assert_eq!(
        desk.settled_mails().await.len(),
        2,
        "one mail for the one new delivery"
    );
    assert!(String::from_utf8_lossy(&after_replay[1].content).contains("nobody wrote twice"));

    // The customer answers the notification (no key in the subject): a comment on the issue,
    // and no notification back to them of what they wrote themselves.
    let before = desk.comments(&key).await;
    let reply = send_smtp(
        &desk.smtp,
        "frank@customer.example",
        "support@example.com",
        format!(
            "From: Frank Customer <frank@customer.example>\nTo: support@example.com\n\
             Subject: thanks\nMessage-ID: <printer-2@customer.example>\n\
             In-Reply-To: <{notification_id}>\n\nThe fire is out.\n"
        )
        .as_bytes(),
    );
    assert!(reply.starts_with("250"), "{reply}");
    let start = Instant::now();
    while desk.comments(&key).await == before {
        assert!(
            start.elapsed() < PATIENCE,
            "the reply did not become a comment"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(desk.comments(&key).await, before + 1);
    assert_eq!(
        desk.settled_mails().await.len(),
        2,
        "the customer is not told of their own comment"
    );

    // A hard bounce of the notification suppresses the customer; the next one is withheld.
    let token = after_replay[0]
        .mail_from
        .trim_start_matches("bounces+")
        .split('@')
        .next()
        .unwrap()
        .to_owned();
    let verp = format!("bounces+{token}@mail.example.com");
    let reply = send_smtp(
        &desk.smtp,
        "",
        &verp,
        dsn(&verp, &notification_id).as_bytes(),
    );
    assert!(reply.starts_with("250"), "{reply}");
    let start = Instant::now();
    loop {
        let out = postroom(desk.dir.path())
            .args(["suppression", "list"])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&out.stdout).contains("frank@customer.example") {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "the bounce suppressed nobody");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    desk.comment(&key, json!({"body": "Anything else?"})).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        desk.settled_mails().await.len(),
        2,
        "a suppressed address gets nothing"
    );
    let out = postroom(desk.dir.path())
        .args(["suppression", "list"])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout).to_string();
    let row: Vec<&str> = list
        .lines()
        .find(|l| l.contains("frank@customer.example"))
        .unwrap()
        .split('\t')
        .collect();
    // address, suppressed, kind, bounces, withheld, …: one mail held back.
    assert_eq!(row[4], "1", "withheld counted: {list}");

    // The audit of what was sent: recipient and subject per message, the MIME as it went out.
    let out = postroom(desk.dir.path())
        .args(["audit", "sent", "--kind", "notification"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    let rows: Vec<Vec<&str>> = listed
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 3, "{listed}");
    assert_eq!(
        rows[0][3], "skipped",
        "the newest, to the suppressed address: {listed}"
    );
    assert!(
        rows.iter()
            .all(|r| r[6] == "frank@customer.example" && r[4] == key)
    );
    assert_eq!(
        rows.iter().filter(|r| r[3] == "sent").count(),
        2,
        "{listed}"
    );
    let sent_id = rows[2][0];
    let mime = postroom(desk.dir.path())
        .args(["audit", "sent", sent_id, "--mime"])
        .output()
        .unwrap();
    assert!(mime.status.success(), "{mime:?}");
    assert!(
        String::from_utf8_lossy(&mime.stdout).contains(&notification_id),
        "the first notification's MIME"
    );
    let skipped_mime = postroom(desk.dir.path())
        .args(["audit", "sent", rows[0][0], "--mime"])
        .output()
        .unwrap();
    assert!(!skipped_mime.status.success(), "a skipped mail has no MIME");

    // Nothing personal in the log.
    let log = desk.served.stderr().join("\n");
    assert!(!log.contains("frank@customer.example"), "{log}");
    assert!(!log.contains("Printer on fire"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_and_unwanted_deliveries_store_nothing() {
    let Some(desk) = Desk::start().await else {
        return;
    };
    let unwanted = serde_json::to_vec(&json!({
        "timestamp": 1, "webhookEvent": "jira:issue_created",
        "user": {"accountId": "x"},
        "issue": {"id": "10001", "key": "OPS-1", "fields": {"project": {"key": "OPS"}}},
    }))
    .unwrap();
    let signed = signature::sign(SECRET.as_bytes(), &unwanted);

    let before = desk.every_table().await;
    assert!(before.iter().any(|(t, _)| t == "webhook_events"));
    let blobs_before = walk(&desk.dir.path().join("data/blobs"));
    let no_signature = desk.deliver(&unwanted, None, "a").await;
    assert_eq!(no_signature.0, 401, "{no_signature:?}");
    let forged = signature::sign(b"not the secret", &unwanted);
    assert_eq!(desk.deliver(&unwanted, Some(&forged), "b").await.0, 401);
    let not_json = b"this is not json";
    let bad = desk
        .deliver(
            not_json,
            Some(&signature::sign(SECRET.as_bytes(), not_json)),
            "c",
        )
        .await;
    assert_eq!(bad.0, 400, "{bad:?}");
    let huge = vec![b' '; 70_000];
    let too_large = desk
        .deliver(&huge, Some(&signature::sign(SECRET.as_bytes(), &huge)), "d")
        .await;
    assert_eq!(too_large.0, 413, "{too_large:?}");
    // An event no rule wants: the rules that take issue_created name only project SUP.
    let ignored = desk.deliver(&unwanted, Some(&signed), "e").await;
    assert_eq!(ignored.0, 200, "{ignored:?}");
    assert!(ignored.1.contains("unwanted"), "{ignored:?}");

    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        desk.every_table().await,
        before,
        "no table of the database changed"
    );
    assert_eq!(
        walk(&desk.dir.path().join("data/blobs")),
        blobs_before,
        "no blob was written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resolution_tells_the_customer_and_the_status_change_tells_the_desk() {
    let Some(desk) = Desk::start().await else {
        return;
    };
    let reply = send_smtp(
        &desk.smtp,
        "frank@customer.example",
        "support@example.com",
        b"From: Frank Customer <frank@customer.example>\nTo: support@example.com\n\
          Subject: Printer jammed\nMessage-ID: <jam-1@customer.example>\n\nIt is jammed.\n",
    );
    assert!(reply.starts_with("250"), "{reply}");
    let key = first_issue(&desk).await;
    assert!(
        desk.settled_mails().await.is_empty(),
        "the customer whose mail opened the issue is not told it was opened"
    );
    // The administrator resolves it (transition 41, Resolve): one update with a status and
    // a resolution change in its changelog.
    let response = reqwest::Client::new()
        .post(desk.jira_url(&format!("/rest/api/3/issue/{key}/transitions")))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(&json!({"transition": {"id": "41"}}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{response:?}");
    desk.mails(2).await;
    let mails = desk.settled_mails().await;
    assert_eq!(mails.len(), 2, "one to the customer, one to the desk");
    let to = |address: &str| {
        mails
            .iter()
            .find(|m| m.rcpt_tos == [address.to_owned()])
            .unwrap_or_else(|| panic!("nothing to {address}"))
    };
    let customer = String::from_utf8_lossy(&to("frank@customer.example").content).to_string();
    assert!(customer.contains("Resolved: Done."), "{customer}");
    let staff = parse(to("desk@example.net"));
    assert_eq!(
        staff.subject.as_deref(),
        Some(format!("{key} is now Resolved").as_str()),
        "the rule's own subject template"
    );

    // An update that adds a file along with a status change, as Jira delivers it: the file
    // is attached to the notification, fetched from Jira when the mail is sent.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 the invoice".to_vec())
            .file_name("invoice.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let uploaded: Value = reqwest::Client::new()
        .post(desk.jira_url(&format!("/rest/api/3/issue/{key}/attachments")))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .header("X-Atlassian-Token", "no-check")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file_id = uploaded[0]["id"].as_str().unwrap().to_owned();
    let issue = desk.jira(&format!("/rest/api/2/issue/{key}")).await;
    let update = serde_json::to_vec(&json!({
        "timestamp": 2, "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "someone-else", "displayName": "Ada Agent"},
        "issue": issue,
        "changelog": {"id": "70001", "items": [
            {"field": "status", "fieldId": "status", "fromString": "Resolved", "toString": "Open"},
            {"field": "Attachment", "fieldId": "attachment", "from": null, "to": file_id,
             "toString": "invoice.pdf"}
        ]},
    }))
    .unwrap();
    let signed = signature::sign(SECRET.as_bytes(), &update);
    let (status, body) = desk.deliver(&update, Some(&signed), "with-a-file").await;
    assert_eq!(status, 202, "{body}");
    let mails = desk.mails(3).await;
    let with_file = parse(&mails[2]);
    assert_eq!(
        with_file.attachments.len(),
        1,
        "{:?}",
        with_file.attachments
    );
    assert_eq!(
        with_file.attachments[0].name.as_deref(),
        Some("invoice.pdf")
    );
    assert_eq!(with_file.attachments[0].data, b"%PDF-1.4 the invoice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relay_that_refuses_postroom_parks_the_send_as_a_dead_letter() {
    // The relay wants a login postroom was not given: every MAIL FROM gets 530, a refusal
    // of postroom, not of the customer's address.
    let Some(desk) = Desk::start_with_peer(&["--auth", "postroom:right"]).await else {
        return;
    };
    desk.send(
        "frank@customer.example",
        "support@example.com",
        "From: Frank Customer <frank@customer.example>\nTo: support@example.com\n\
         Subject: Printer offline\nMessage-ID: <offline-1@customer.example>\n\nIt is offline.\n",
    );
    let key = first_issue(&desk).await;
    desk.comment(&key, json!({"body": "Have you tried turning it on?"}))
        .await;
    let start = Instant::now();
    let dead = loop {
        let out = postroom(desk.dir.path())
            .args(["jobs", "list", "--dead"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if text.contains("outbound.notification") {
            break text;
        }
        assert!(start.elapsed() < PATIENCE, "no dead send job: {text}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(
        dead.contains("530"),
        "the reason is the relay's code: {dead}"
    );
    assert!(
        !dead.contains("frank@"),
        "no address in the job's error: {dead}"
    );
    let out = postroom(desk.dir.path())
        .args(["audit", "sent", "--kind", "notification"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        listed
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("\tqueued\t")),
        "the mail waits to be replayed with `jobs retry`: {listed}"
    );
    let out = postroom(desk.dir.path())
        .args(["suppression", "list"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("frank@customer.example"),
        "a refusal of postroom suppresses nobody"
    );
    assert!(desk.peer.delivered().is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}
