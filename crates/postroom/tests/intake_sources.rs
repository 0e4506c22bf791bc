//! Every way mail comes in, through the real binary: `process` imports files, the upload
//! API, and the SMTP listener (refusing strangers, 451 when storage fails, never a 250
//! for a message that is not committed, even when killed mid-transfer).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use postroom_store::intake::IntakeRecord;
use support::{Served, Smtp, postroom};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

async fn intake_rows(dir: &Path) -> Vec<IntakeRecord> {
    let url = format!("sqlite:{}", dir.join("data/postroom.db").display());
    let store = Store::open(&url).await.unwrap();
    store
        .tenant(&TenantId::default_tenant())
        .await
        .unwrap()
        .recent_intake(10_000)
        .await
        .unwrap()
}

fn token(dir: &Path) -> String {
    let out = postroom(dir)
        .args(["token", "create", "--account-id", "557058:f00"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn process_imports_files_once_and_refuses_what_is_too_big() {
    let dir = tempfile::tempdir().unwrap();
    let mail = examples().join("mail");
    let count = std::fs::read_dir(&mail).unwrap().count();
    let first = postroom(dir.path())
        .arg("process")
        .arg(&mail)
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let summary = String::from_utf8_lossy(&first.stdout);
    assert!(
        summary.contains(&format!("{count} taken in, 0 duplicate(s)")),
        "{summary}"
    );

    let again = postroom(dir.path())
        .arg("process")
        .arg(&mail)
        .output()
        .unwrap();
    assert!(again.status.success());
    let summary = String::from_utf8_lossy(&again.stdout);
    assert!(
        summary.contains(&format!("0 taken in, {count} duplicate(s)")),
        "{summary}"
    );
    let rows = intake_rows(dir.path()).await;
    assert_eq!(rows.len(), count);
    assert!(
        rows.iter()
            .all(|r| r.status == "queued" && r.mailbox == "file")
    );

    let big = postroom(dir.path())
        .env("POSTROOM_INBOUND__MAX_SIZE", "200")
        .arg("process")
        .arg(mail.join("outage.eml"))
        .output()
        .unwrap();
    assert_eq!(big.status.code(), Some(1), "{big:?}");
    assert!(String::from_utf8_lossy(&big.stdout).contains("1 refused"));
    let rows = intake_rows(dir.path()).await;
    let refused: Vec<_> = rows.iter().filter(|r| r.status == "refused").collect();
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("over the limit of 200 bytes")
    );
}

#[tokio::test]
async fn the_upload_api_takes_a_message_once_and_refuses_what_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[("POSTROOM_INBOUND__MAX_SIZE", "4096")]).await;
    let token = token(dir.path());
    let client = reqwest::Client::new();
    let post = |body: Vec<u8>, content_type: &str, token: Option<&str>| {
        let mut request = client
            .post(format!("{}/api/v1/mail", served.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let raw = std::fs::read(examples().join("mail/new_request.eml")).unwrap();
    let first = post(raw.clone(), "message/rfc822", Some(&token))
        .await
        .unwrap();
    assert_eq!(first.status(), 202);
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(first["duplicate"], false);
    let second: serde_json::Value = post(raw.clone(), "message/rfc822", Some(&token))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["duplicate"], true);
    assert_eq!(second["id"], first["id"]);

    assert_eq!(
        post(raw.clone(), "message/rfc822", None)
            .await
            .unwrap()
            .status(),
        401
    );
    let wrong_type = post(raw.clone(), "application/json", Some(&token))
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    assert!(wrong_type.text().await.unwrap().contains("message/rfc822"));
    let not_a_message = post(b"{\"a\": 1}".to_vec(), "message/rfc822", Some(&token))
        .await
        .unwrap();
    assert_eq!(not_a_message.status(), 415);
    let mut huge = b"Subject: big\r\n\r\n".to_vec();
    huge.resize(10_000, b'x');
    let too_big = post(huge, "message/rfc822", Some(&token)).await.unwrap();
    assert_eq!(too_big.status(), 413);
    let body: serde_json::Value = too_big.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("4096"), "{body}");

    let rows = intake_rows(dir.path()).await;
    assert_eq!(rows.iter().filter(|r| r.status == "queued").count(), 1);
    assert_eq!(rows.iter().filter(|r| r.status == "refused").count(), 1);
    served.stop_gracefully();
}

/// Sends `body` to `to` on an open session; a refused recipient is reset and returned.
impl Smtp {
    fn send(&mut self, to: &str, body: &[u8]) -> String {
        assert!(
            self.command("MAIL FROM:<customer@example.org>")
                .starts_with("250")
        );
        let rcpt = self.command(&format!("RCPT TO:<{to}>"));
        if !rcpt.starts_with("250") {
            assert!(self.command("RSET").starts_with("250"));
            return rcpt;
        }
        assert!(self.command("DATA").starts_with("354"));
        self.writer.write_all(body).unwrap();
        self.writer.write_all(b".\r\n").unwrap();
        self.reply()
    }
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "Message-ID: <m{n}@example.org>\r\nFrom: customer@example.org\r\nTo: support@example.com\r\n\
         Subject: printer {n}\r\n\r\nThe printer is on fire ({n}).\r\n"
    )
    .into_bytes()
}

async fn serve_smtp(dir: &Path, env: &[(&str, &str)]) -> (Served, String) {
    let profile = examples().join("profile.json");
    let mut env: Vec<(&str, &str)> = env.to_vec();
    let profile = profile.display().to_string();
    env.push(("POSTROOM_INBOUND__PROFILE", &profile));
    let served = Served::start_with_args(dir, &["--smtp", "127.0.0.1:0"], &env).await;
    let line = served
        .stderr()
        .into_iter()
        .find_map(|l| l.split("smtp listening on ").nth(1).map(str::to_owned))
        .expect("the SMTP address");
    (served, line.trim().to_owned())
}

#[tokio::test]
async fn the_smtp_listener_takes_mail_for_own_addresses_only_and_commits_before_250() {
    let dir = tempfile::tempdir().unwrap();
    let (served, addr) = serve_smtp(dir.path(), &[]).await;
    served.assert_healthy().await;
    let mut smtp = Smtp::connect(&addr);
    assert!(smtp.command("EHLO client.example.org").starts_with("250"));
    let ok = smtp.send("support@example.com", &message(1));
    assert!(ok.starts_with("250"), "{ok}");
    let id = ok.split("Queued as ").nth(1).unwrap().trim().to_owned();
    assert!(
        smtp.send("someone@elsewhere.example", &message(2))
            .starts_with("550")
    );
    assert!(
        smtp.send("anyone@help.example.com", &message(3))
            .starts_with("250")
    );

    let rows = intake_rows(dir.path()).await;
    assert_eq!(rows.len(), 2);
    let row = rows
        .iter()
        .find(|r| r.id == id)
        .expect("the acknowledged message");
    assert_eq!(row.mailbox, "smtp");
    // What is stored is the message as sent (dot-unstuffed, CRLF), sealed.
    let stored = std::fs::read(dir.path().join("data/blobs/default/inbound").join(&id)).unwrap();
    assert!(
        !stored.windows(7).any(|w| w == b"printer"),
        "the blob is encrypted"
    );
    served.stop_gracefully();
}

#[tokio::test]
async fn a_listener_without_a_profile_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = postroom(dir.path())
        .args(["serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("never an open relay"));
}

#[tokio::test]
async fn failing_storage_answers_451_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (served, addr) = serve_smtp(dir.path(), &[]).await;
    // The tenant's blob directory becomes a file: every blob write fails.
    let blobs = dir.path().join("data/blobs/default");
    let _ = std::fs::remove_dir_all(&blobs);
    std::fs::write(&blobs, b"in the way").unwrap();
    let mut smtp = Smtp::connect(&addr);
    assert!(smtp.command("EHLO client.example.org").starts_with("250"));
    let reply = smtp.send("support@example.com", &message(1));
    assert!(reply.starts_with("451"), "{reply}");
    assert!(intake_rows(dir.path()).await.is_empty());
    served.stop_gracefully();
}

#[tokio::test]
async fn killed_mid_transfer_the_listener_never_acknowledged_what_it_did_not_keep() {
    let dir = tempfile::tempdir().unwrap();
    let (mut served, addr) = serve_smtp(dir.path(), &[]).await;
    let mut smtp = Smtp::connect(&addr);
    assert!(smtp.command("EHLO client.example.org").starts_with("250"));
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let reply = smtp.send("support@example.com", &message(n));
        assert!(reply.starts_with("250"), "{reply}");
        acknowledged.push(reply.split("Queued as ").nth(1).unwrap().trim().to_owned());
    }
    assert!(
        smtp.command("MAIL FROM:<customer@example.org>")
            .starts_with("250")
    );
    assert!(
        smtp.command("RCPT TO:<support@example.com>")
            .starts_with("250")
    );
    assert!(smtp.command("DATA").starts_with("354"));
    smtp.writer.write_all(&message(99)[..40]).unwrap();
    served.kill();
    let mut rest = Vec::new();
    let _ = smtp.reader.read_to_end(&mut rest);
    assert!(
        !String::from_utf8_lossy(&rest).contains("250"),
        "no acknowledgement for the interrupted message"
    );
    let mut rows: Vec<String> = intake_rows(dir.path())
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    rows.sort();
    acknowledged.sort();
    assert_eq!(
        rows, acknowledged,
        "everything acknowledged, and nothing else, is in intake"
    );
}

#[tokio::test]
async fn a_thousand_messages_over_ten_connections_are_each_in_intake_once() {
    let dir = tempfile::tempdir().unwrap();
    let (served, addr) = serve_smtp(
        dir.path(),
        &[
            ("POSTROOM_SMTP__RATE_BURST", "5000"),
            ("POSTROOM_SMTP__RATE_PER_MINUTE", "60000"),
        ],
    )
    .await;
    let threads: Vec<_> = (0..10)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut smtp = Smtp::connect(&addr);
                assert!(smtp.command("EHLO client.example.org").starts_with("250"));
                (0..100)
                    .map(|i| {
                        let reply = smtp.send("support@example.com", &message(t * 100 + i));
                        assert!(reply.starts_with("250"), "{reply}");
                        reply.split("Queued as ").nth(1).unwrap().trim().to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut acknowledged: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    acknowledged.sort();
    acknowledged.dedup();
    assert_eq!(
        acknowledged.len(),
        1000,
        "every message got its own intake id"
    );
    let mut rows: Vec<String> = intake_rows(dir.path())
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    rows.sort();
    assert_eq!(rows, acknowledged);
    served.stop_gracefully();
}
