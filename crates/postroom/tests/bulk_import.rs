//! «Interactive work first» at full size, through the real binaries: while `postroom
//! process --bulk` imports 10,000 mails into a running `serve`, an agent's apply through
//! the API is served before the import's queued Jira requests (the sandbox's request log).
//! Either half of the ordering is enough for this: the import's jobs run at the bulk
//! priority, and the API's requests at the interactive one (both off, the apply waits
//! behind the queue; `agent_picker.rs` checks interactive over live on its own).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Served, postroom};

const MAILS: usize = 10_000;
/// Requests the site lets be in flight at once: at most this many of the import's can be on
/// their way when the apply arrives.
const IN_FLIGHT: usize = 2;

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"] },
  "default": { "project": "SUP", "issue_type": "Task" }
}"#;

fn token(dir: &std::path::Path, account: &str, scope: &str) -> String {
    let out = postroom(dir)
        .args(["token", "create", "--account-id", account, "--scope", scope])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The sandbox's request log so far.
async fn log(site: &str) -> Vec<Value> {
    support::sandbox_get(site, "/_sandbox/requests")
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn is_import_create(r: &Value) -> bool {
    r["method"] == "POST"
        && r["route"]
            .as_str()
            .is_some_and(|route| route.ends_with("/rest/api/3/issue"))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agents_apply_goes_before_a_10000_mail_bulk_imports_queued_requests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("profile.json"), PROFILE).unwrap();
    // A site that takes 10 requests a second, two at a time: the import's requests queue.
    std::fs::write(
        dir.path().join("postroom.toml"),
        format!(
            "[inbound]\nprofile = \"profile.json\"\n\n[jira]\nrequests_per_sec = 10.0\n\
             max_concurrency = {IN_FLIGHT}\n"
        ),
    )
    .unwrap();
    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let site = format!("{}/sandbox/jira", served.base);
    let http = reqwest::Client::new();

    // The issue the agent answers, and the canned response they answer with.
    let made: Value = http
        .post(format!("{site}/rest/api/3/issue"))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(
            &json!({"fields": {"project": {"key": "SUP"}, "summary": "Printer",
            "issuetype": {"name": "Task"}}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = made["key"].as_str().unwrap().to_owned();
    let admin = token(dir.path(), jira_sandbox::ADMIN_ACCOUNT_ID, "admin");
    let agent = token(dir.path(), jira_sandbox::AGENT_ACCOUNT_ID, "agent");
    let template: Value = http
        .post(format!("{}/api/v1/templates", served.base))
        .bearer_auth(&admin)
        .json(&json!({"name": "Thanks", "body": "Thank you.", "scope": {"kind": "global"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = template["id"].as_str().unwrap().to_owned();

    // Ten thousand mails from fifty customers, imported in bulk.
    let mails = dir.path().join("import");
    std::fs::create_dir(&mails).unwrap();
    for n in 0..MAILS {
        std::fs::write(
            mails.join(format!("{n:05}.eml")),
            format!(
                "From: Customer {c} <c{c}@customer.example>\r\nTo: support@example.com\r\n\
                 Subject: Order {n}\r\nMessage-ID: <bulk-{n}@customer.example>\r\n\r\n\
                 Where is order {n}?\r\n",
                c = n % 50
            ),
        )
        .unwrap();
    }
    let import = {
        let (dir, mails) = (dir.path().to_owned(), mails.clone());
        std::thread::spawn(move || {
            postroom(&dir)
                .args(["process", "--bulk"])
                .arg(&mails)
                .output()
                .unwrap()
        })
    };

    // Once the import's issues are being made, the agent applies.
    let start = Instant::now();
    while log(&site)
        .await
        .iter()
        .filter(|r| is_import_create(r))
        .count()
        < 10
    {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the import's issues did not reach the site"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let before = log(&site).await.len();
    let applied = http
        .post(format!("{}/api/v1/templates/{id}/apply", served.base))
        .bearer_auth(&agent)
        .json(&json!({"issue": key, "public": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(applied.status(), 200, "{:?}", applied.text().await);
    let after: Vec<Value> = log(&site).await.split_off(before);
    let about_key = |r: &Value| {
        let path = r["path"].as_str().unwrap_or_default();
        path.ends_with(&format!("/{key}")) || path.contains(&format!("/{key}/"))
    };
    let first = after
        .iter()
        .position(about_key)
        .expect("the apply reached the site");
    let overtaken = after[..first]
        .iter()
        .filter(|r| is_import_create(r))
        .count();
    assert!(
        overtaken <= IN_FLIGHT,
        "the apply must go before the import's queued requests (at most {IN_FLIGHT} may be \
         on their way): {overtaken} went first"
    );
    let out = import.join().unwrap();
    assert!(out.status.success(), "{out:?}");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains(&format!("{MAILS} taken in")),
        "{}",
        summary.lines().last().unwrap_or_default()
    );
    // The import goes on after the apply: there were queued requests to overtake.
    let start = Instant::now();
    while !log(&site)
        .await
        .iter()
        .skip(before + first)
        .any(is_import_create)
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the import stopped"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
