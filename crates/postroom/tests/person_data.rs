//! A person's data, black-box through the real binary, the Jira sandbox and a real SMTP
//! peer: after a customer's mail, a reply, a notification and its hard bounce (plus a
//! colleague's mail that names them in the Cc), `person find` and `person export` return
//! every record of theirs — counted per kind — and nothing of anyone else; `person erase
//! --deep --jira` leaves no row, report, raw mail or sent message that hashes from or
//! opens to their address, except the suppression marker, and clears their address from
//! the e-mail field in Jira.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use desk::{Desk, parse};
use serde_json::{Value, json};
use support::{PATIENCE, dsn, postroom, send_smtp};

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"], "domains": ["mail.example.com"] },
  "people": { "email_field": "E-mail participants" },
  "default": { "project": "SUP", "issue_type": "Task" },
  "threading": { "project_keys": ["SUP"] },
  "notifications": {
    "rules": [
      { "name": "customers", "projects": ["SUP"], "events": ["comment_added"],
        "to": ["reporter", "participants"] }
    ]
  }
}"#;

const SECRET: &str = "a-webhook-secret-for-tests";
const FRANK: &str = "frank@customer.example";
const ANN: &str = "ann@customer.example";

fn cli(desk: &Desk, args: &[&str]) -> std::process::Output {
    postroom(desk.dir.path()).args(args).output().unwrap()
}

fn ok(desk: &Desk, args: &[&str]) -> String {
    let out = cli(desk, args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn find(desk: &Desk, args: &[&str]) -> Value {
    let mut all = vec!["person", "find", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(desk, &all)).unwrap()
}

/// Rows of a tab-separated listing, without its header.
fn rows(listing: &str) -> Vec<Vec<String>> {
    listing
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// The files of a tar archive, by name.
fn untar(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut entry = e.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            (name, content)
        })
        .collect()
}

/// Every text or blob value of every table of the desk's database, with its table.
async fn every_value(desk: &Desk) -> Vec<(String, String)> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let url = format!(
        "sqlite:{}",
        desk.dir.path().join("data/postroom.db").display()
    );
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let tables: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
    let mut out = Vec::new();
    for table in tables {
        let query = format!("SELECT * FROM \"{table}\"");
        for row in sqlx::query(sqlx::AssertSqlSafe(query))
            .fetch_all(&pool)
            .await
            .unwrap()
        {
            for i in 0..row.columns().len() {
                let value = match row.try_get::<Option<String>, _>(i) {
                    Ok(text) => text,
                    Err(_) => row
                        .try_get::<Option<Vec<u8>>, _>(i)
                        .ok()
                        .flatten()
                        .map(|b| String::from_utf8_lossy(&b).into_owned()),
                };
                if let Some(value) = value {
                    out.push((table.clone(), value));
                }
            }
        }
    }
    out
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    String::from_utf8_lossy(bytes)
        .to_ascii_lowercase()
        .contains(needle)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persons_data_is_found_exported_and_erased_and_nothing_of_anyone_else() {
    let config = "[webhooks]\nsecret_file = \"webhook-secret\"\n\n";
    let secret = format!("{SECRET}\n");
    let Some(desk) =
        Desk::start_with(PROFILE, config, &[("webhook-secret", secret.as_str())]).await
    else {
        return;
    };

    // Frank writes, Ann writes with Frank in the Cc (he goes into her issue's e-mail field),
    // Frank replies on his issue.
    desk.write(
        &format!("Frank Customer <{FRANK}>"),
        "printer-1@customer.example",
        "Printer on fire",
        "",
    );
    desk.processed(1).await;
    desk.write(
        &format!("Ann Other <{ANN}>"),
        "scanner-1@customer.example",
        "Scanner jammed",
        &format!("Cc: Frank Customer <{FRANK}>\n"),
    );
    desk.processed(2).await;
    desk.write(
        &format!("Frank Customer <{FRANK}>"),
        "printer-2@customer.example",
        "Re: Printer on fire",
        "In-Reply-To: <printer-1@customer.example>\n",
    );
    desk.processed(3).await;
    let issues = desk.issues().await;
    assert_eq!(issues.len(), 2, "{issues:?}");
    let frank_key = issues[0]["key"].as_str().unwrap().to_owned();
    let ann_key = issues[1]["key"].as_str().unwrap().to_owned();
    let ann_field = || async {
        let field = jira_sandbox::EMAIL_PARTICIPANTS_FIELD;
        let issue = desk
            .jira(&format!("/rest/api/3/issue/{ann_key}?fields={field}"))
            .await;
        issue["fields"][field].as_str().unwrap_or("").to_owned()
    };
    assert!(
        ann_field().await.contains(FRANK),
        "Frank is in Ann's e-mail field"
    );

    // An agent's comment on Frank's issue goes to him; he bounces it hard.
    let response = reqwest::Client::new()
        .post(format!(
            "{}/sandbox/jira/rest/api/2/issue/{frank_key}/comment",
            desk.served.base
        ))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(&json!({"body": "On our way."}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{response:?}");
    let mails = desk.mails(1).await;
    let notification = mails
        .iter()
        .find(|m| m.rcpt_tos == vec![FRANK.to_owned()])
        .expect("a notification to Frank");
    let notification_id = parse(notification).message_id.unwrap().as_str().to_owned();
    let verp = notification.mail_from.clone();
    let reply = send_smtp(
        &desk.smtp,
        "",
        &verp,
        dsn(&verp, &notification_id).as_bytes(),
    );
    assert!(reply.starts_with("250"), "{reply}");
    let start = Instant::now();
    while !ok(&desk, &["suppression", "list"]).contains(FRANK) {
        assert!(start.elapsed() < PATIENCE, "the bounce suppressed nobody");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // What the audit says is Frank's, to compare with what `person` finds.
    let from_frank = rows(&ok(&desk, &["audit", "list", "--from", FRANK]));
    let from_ann = rows(&ok(&desk, &["audit", "list", "--from", ANN]));
    assert_eq!(from_frank.len(), 2, "{from_frank:?}");
    assert_eq!(from_ann.len(), 1, "{from_ann:?}");
    let frank_hash = from_frank[0][5].clone();
    assert!(frank_hash.starts_with("addr:"), "{frank_hash}");
    let sent = rows(&ok(&desk, &["audit", "sent"]));
    let sent_to_frank: Vec<&Vec<String>> = sent.iter().filter(|r| r[6] == FRANK).collect();
    assert!(!sent_to_frank.is_empty(), "{sent:?}");

    // Find, by the keyed hash only: exactly Frank's mails and the mail sent to him.
    let found = find(&desk, &[FRANK]);
    let ids = |v: &Value, key: &str, field: &str| -> Vec<String> {
        let mut ids: Vec<String> = v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m[field].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let mut expected: Vec<String> = from_frank.iter().map(|r| r[0].clone()).collect();
    expected.sort();
    assert_eq!(ids(&found, "messages", "id"), expected);
    let mut expected_sent: Vec<String> = sent_to_frank.iter().map(|r| r[0].clone()).collect();
    expected_sent.sort();
    assert_eq!(ids(&found, "sent", "id"), expected_sent);
    assert_eq!(found["suppression"]["suppressed"], true, "{found}");
    assert!(
        found["thread_map"].as_array().unwrap().len() >= 2,
        "his two mails and the notification thread: {found}"
    );
    let jira = &found["jira"]["issues"];
    assert_eq!(jira[0]["key"], frank_key.as_str(), "{found}");
    assert_eq!(jira[0]["created"], true, "{found}");
    assert_eq!(jira[0]["comments"].as_array().unwrap().len(), 1, "{found}");
    let text = found.to_string().to_ascii_lowercase();
    assert!(!text.contains(ANN), "nothing of Ann without --deep: {text}");

    // Deep: Ann's mail names Frank in its Cc, so it is his too; her issue's e-mail field
    // holds him.
    let deep = find(&desk, &["--deep", FRANK]);
    let deep_ids = ids(&deep, "messages", "id");
    assert!(deep_ids.contains(&from_ann[0][0]), "{deep}");
    assert!(
        deep["jira"]["email_fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["key"] == ann_key.as_str() && h["cleared"] == false),
        "{deep}"
    );

    // Export: one archive, owner-only, a JSON file per kind and the mails themselves.
    let out = desk.dir.path().join("frank.tar");
    let printed = ok(
        &desk,
        &["person", "export", FRANK, "--out", out.to_str().unwrap()],
    );
    assert!(printed.contains("written:"), "{printed}");
    let mode = std::fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let files = untar(&std::fs::read(&out).unwrap());
    let file = |name: &str| -> &Vec<u8> {
        &files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} in the archive"))
            .1
    };
    let summary: Value = serde_json::from_slice(file("summary.json")).unwrap();
    assert_eq!(summary["counts"]["messages"], 2, "{summary}");
    assert_eq!(
        summary["counts"]["sent_mail"],
        sent_to_frank.len(),
        "{summary}"
    );
    assert_eq!(summary["counts"]["suppression"], 1, "{summary}");
    for name in [
        "messages.json",
        "sent_mail.json",
        "suppression.json",
        "thread_map.json",
        "jira.json",
    ] {
        file(name);
    }
    for id in &expected {
        let raw = file(&format!("raw/{id}.eml"));
        assert!(holds(raw, FRANK), "raw/{id}.eml");
    }
    assert!(
        files
            .iter()
            .any(|(n, c)| n.starts_with("sent/") && holds(c, FRANK)),
        "the notification's MIME"
    );
    for (name, content) in &files {
        assert!(!holds(content, ANN), "{name} holds Ann's address");
    }
    let exists = cli(
        &desk,
        &["person", "export", FRANK, "--out", out.to_str().unwrap()],
    );
    assert!(
        !exists.status.success(),
        "an export never overwrites a file"
    );

    // Erase without a terminal or --yes erases nothing.
    let refused = cli(&desk, &["person", "erase", FRANK]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert_eq!(
        find(&desk, &[FRANK])["messages"].as_array().unwrap().len(),
        2
    );

    // Erase, deep, clearing Jira's e-mail field.
    let erased = ok(
        &desk,
        &["person", "erase", "--deep", "--jira", "--yes", FRANK],
    );
    assert!(erased.contains("suppression marker"), "{erased}");
    assert!(erased.contains(&format!("{ann_key} field")), "{erased}");
    assert!(!ann_field().await.contains(FRANK), "cleared in Jira");

    // Nothing left that hashes from or opens to Frank's address, but the marker.
    let again = find(&desk, &["--deep", FRANK]);
    for kind in [
        "messages",
        "sent",
        "thread_map",
        "test_cases",
        "rate_counters",
    ] {
        assert_eq!(again[kind].as_array().unwrap().len(), 0, "{kind}: {again}");
    }
    assert_eq!(again["suppression"]["suppressed"], true, "the marker stays");
    assert_eq!(again["suppression"]["diagnostic"], Value::Null, "{again}");
    let listed = ok(&desk, &["suppression", "list"]);
    assert!(!listed.contains(FRANK), "{listed}");
    assert!(
        listed.contains(&format!("(erased; {frank_hash})")),
        "{listed}"
    );
    for row in rows(&ok(&desk, &["audit", "list", "--limit", "10000"])) {
        let shown = ok(&desk, &["audit", "show", &row[0]]);
        assert!(
            !holds(shown.as_bytes(), FRANK),
            "report of {}: {shown}",
            row[0]
        );
        let raw = cli(&desk, &["audit", "raw", &row[0]]);
        assert!(!holds(&raw.stdout, FRANK), "raw mail of {}", row[0]);
    }
    for row in rows(&ok(&desk, &["audit", "sent"])) {
        assert_ne!(row[6], FRANK);
        let mime = cli(&desk, &["audit", "sent", &row[0], "--mime"]);
        assert!(!holds(&mime.stdout, FRANK), "MIME of {}", row[0]);
    }
    let dump = every_value(&desk).await;
    let holding: Vec<&(String, String)> = dump
        .iter()
        .filter(|(_, v)| v.contains(&frank_hash))
        .collect();
    assert_eq!(
        holding.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["suppressions"],
        "the suppression marker alone holds the hash"
    );
    assert!(
        !dump
            .iter()
            .any(|(_, v)| v.to_ascii_lowercase().contains(FRANK))
    );

    // Ann's data is untouched but for her mail that named Frank (erased with --deep).
    let anns = rows(&ok(&desk, &["audit", "list", "--from", ANN]));
    assert!(anns.is_empty(), "her Cc mail was Frank's too: {anns:?}");
    assert_eq!(desk.issues().await.len(), 2, "Jira's issues stay");

    // The requests are recorded: who and what, never whose.
    let requests: Vec<&String> = dump
        .iter()
        .filter(|(t, _)| t == "person_requests")
        .map(|(_, v)| v)
        .collect();
    assert!(
        requests.iter().any(|v| v.starts_with("cli")),
        "{requests:?}"
    );
    assert!(requests.iter().any(|v| *v == "erase"), "{requests:?}");

    // --include-suppression removes the marker too.
    let all = ok(
        &desk,
        &["person", "erase", "--include-suppression", "--yes", FRANK],
    );
    assert!(all.contains("removed: the suppression entry"), "{all}");
    assert!(ok(&desk, &["suppression", "list"]).lines().count() == 1);

    let log = desk.served.stderr().join("\n");
    assert!(!log.to_ascii_lowercase().contains(FRANK), "{log}");
}
