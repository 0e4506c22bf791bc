//! A stranger cannot subscribe anyone to an issue, through the real binary, the Jira
//! sandbox firing signed webhooks and a real SMTP peer (aiosmtpd): a reply to someone
//! else's issue with `Cc: eve@evil.example` from an address that is not on the issue adds
//! nobody under any `people.strangers`, and when an agent then answers on the issue, eve
//! receives nothing. Under `hold` (the default) the reply waits in the audit until an
//! administrator releases it, and then becomes a comment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{PATIENCE, postroom};

const EVE: &str = "eve@evil.example";

/// The demo's shape: e-mail participants recorded in a field, and every comment told to
/// the reporter and the participants. `{strangers}` is the `people` entry under test.
fn profile(strangers: &str) -> String {
    format!(
        r#"{{
  "own": {{ "addresses": ["support@example.com"], "domains": ["mail.example.com"] }},
  "people": {{ "email_field": "E-mail participants" {strangers} }},
  "default": {{ "project": "SUP", "issue_type": "Task",
               "comment_visibility": "Service Desk Team" }},
  "threading": {{ "project_keys": ["SUP"] }},
  "notifications": {{
    "rules": [ {{ "name": "customers", "events": ["comment_added"],
                 "to": ["reporter", "participants"] }} ]
  }}
}}"#
    )
}

struct Desk(desk::Desk);

impl std::ops::Deref for Desk {
    type Target = desk::Desk;

    fn deref(&self) -> &desk::Desk {
        &self.0
    }
}

impl Desk {
    async fn start(strangers: &str) -> Option<Self> {
        let config = "[webhooks]\nsecret_file = \"webhook-secret\"\n\n";
        desk::Desk::start_with(
            &profile(strangers),
            config,
            &[("webhook-secret", "a-webhook-secret-for-tests\n")],
        )
        .await
        .map(Self)
    }

    fn cli(&self, args: &[&str]) -> std::process::Output {
        postroom(self.dir.path()).args(args).output().unwrap()
    }

    /// The audit's id and status of the one message from `sender`.
    fn audited(&self, sender: &str) -> (String, String) {
        let out = self.cli(&["audit", "list", "--from", sender]);
        assert!(out.status.success(), "{out:?}");
        let listed = String::from_utf8(out.stdout).unwrap();
        let row: Vec<&str> = listed.lines().nth(1).unwrap().split('\t').collect();
        (row[0].to_owned(), row[3].to_owned())
    }

    /// Waits until the message from `sender` has `status`.
    async fn until_status(&self, sender: &str, status: &str) -> String {
        let start = Instant::now();
        loop {
            let (id, now) = self.audited(sender);
            if now == status {
                return id;
            }
            assert!(start.elapsed() < PATIENCE, "{sender}'s mail is {now}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn comments(&self, key: &str) -> Vec<Value> {
        let body = self.jira(&format!("/rest/api/3/issue/{key}/comment")).await;
        body["comments"].as_array().cloned().unwrap_or_default()
    }

    async fn email_field(&self, key: &str) -> String {
        let field = jira_sandbox::EMAIL_PARTICIPANTS_FIELD;
        let issue = self
            .jira(&format!("/rest/api/3/issue/{key}?fields={field}"))
            .await;
        issue["fields"][field].as_str().unwrap_or("").to_owned()
    }

    /// An agent answers on `key` in Jira (the answer the stranger was after).
    async fn agent_answers(&self, key: &str) {
        let response = reqwest::Client::new()
            .post(format!(
                "{}/sandbox/jira/rest/api/2/issue/{key}/comment",
                self.served.base
            ))
            .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
            .json(&json!({"body": "Your temporary password is hunter2."}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
    }

    /// Ann opens an issue; Mallory, who is not on it, answers it with eve in Cc. Returns
    /// the issue's key once Mallory's mail is processed.
    async fn stranger_replies(&self) -> String {
        self.write(
            "Ann Lee <ann@customer.example>",
            "new-1@customer.example",
            "Printer on fire",
            "",
        );
        self.processed(1).await;
        let issues = self.issues().await;
        assert_eq!(issues.len(), 1);
        let key = issues[0]["key"].as_str().unwrap().to_owned();
        self.write(
            "Mallory <mallory@elsewhere.example>",
            "stranger-1@elsewhere.example",
            &format!("Re: [{key}] hi"),
            &format!("Cc: {EVE}"),
        );
        self.processed(2).await;
        key
    }

    /// Eve is not on the issue, and after an agent's answer (told to the issue's people)
    /// nothing reached her.
    async fn eve_gets_nothing(&self, key: &str) {
        assert!(!self.email_field(key).await.contains(EVE));
        let watchers = self
            .jira(&format!("/rest/api/3/issue/{key}/watchers"))
            .await;
        assert!(!watchers.to_string().contains("evil.example"), "{watchers}");
        self.agent_answers(key).await;
        let mails = self.mails(1).await;
        assert!(
            mails.iter().any(|m| m.rcpt_tos == ["ann@customer.example"]),
            "the reporter is told"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        for mail in self.peer.delivered() {
            assert!(
                !mail.rcpt_tos.iter().any(|r| r == EVE),
                "eve received {mail:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_strangers_reply_is_held_by_default_and_released_as_a_comment_that_adds_nobody() {
    let Some(desk) = Desk::start("").await else {
        return;
    };
    let key = desk.stranger_replies().await;
    let id = desk.until_status("mallory@elsewhere.example", "held").await;
    assert!(desk.comments(&key).await.is_empty());
    let shown = String::from_utf8(desk.cli(&["audit", "show", &id]).stdout).unwrap();
    assert!(
        shown.contains(&format!(
            "people: the sender is not a participant of {key}; people.strangers is hold"
        )),
        "{shown}"
    );

    let token = desk.cli(&[
        "token",
        "create",
        "--account-id",
        "557058:f00",
        "--scope",
        "admin",
    ]);
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let released = reqwest::Client::new()
        .post(format!("{}/api/v1/audit/{id}/release", desk.served.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(released.status().as_u16(), 202);
    desk.until_status("mallory@elsewhere.example", "commented")
        .await;
    let comments = desk.comments(&key).await;
    assert_eq!(comments.len(), 1, "the released reply is a comment");
    let shown = String::from_utf8(desk.cli(&["audit", "show", &id]).stdout).unwrap();
    assert!(
        shown.contains("release: an administrator released the held mail"),
        "{shown}"
    );
    let again = desk.cli(&["audit", "release", &id]);
    assert!(!again.status.success(), "only a held mail is released");
    let error = String::from_utf8_lossy(&again.stderr);
    assert!(error.contains("it is commented, not held"), "{error}");
    desk.eve_gets_nothing(&key).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_strangers_reply_under_comment_comments_but_adds_nobody() {
    let Some(desk) = Desk::start(r#", "strangers": "comment""#).await else {
        return;
    };
    let key = desk.stranger_replies().await;
    desk.until_status("mallory@elsewhere.example", "commented")
        .await;
    assert_eq!(desk.comments(&key).await.len(), 1);
    desk.eve_gets_nothing(&key).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_strangers_reply_under_internal_is_an_internal_note_that_adds_nobody() {
    let Some(desk) = Desk::start(r#", "strangers": "internal""#).await else {
        return;
    };
    let key = desk.stranger_replies().await;
    desk.until_status("mallory@elsewhere.example", "commented")
        .await;
    let comments = desk.comments(&key).await;
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0]["jsdPublic"],
        json!(false),
        "internal on a service project: {}",
        comments[0]
    );
    desk.eve_gets_nothing(&key).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_strangers_reply_under_reject_is_refused_and_adds_nobody() {
    let Some(desk) = Desk::start(r#", "strangers": "reject""#).await else {
        return;
    };
    let key = desk.stranger_replies().await;
    desk.until_status("mallory@elsewhere.example", "rejected")
        .await;
    assert!(desk.comments(&key).await.is_empty());
    desk.eve_gets_nothing(&key).await;
}

/// Sets the permission scheme of project SUP in the sandbox, as a Jira administrator would.
async fn sup_scheme(desk: &Desk, scheme: u64) {
    let response = reqwest::Client::new()
        .put(format!(
            "{}/sandbox/jira/rest/api/3/project/SUP/permissionscheme",
            desk.served.base
        ))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(&json!({ "id": scheme }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{response:?}");
}

/// A Jira user who is not on the issue is trusted to comment only when their mail
/// authenticated and Jira says they may see the issue: a developer mails a reply to a
/// private project's issue and is held; once the project is open to every licensed
/// account, their next reply is a comment.
#[tokio::test(flavor = "multi_thread")]
async fn a_jira_user_not_on_the_issue_comments_only_when_jira_lets_them_see_it() {
    let profile = profile("").replacen(
        "{\n",
        "{\n  \"trusted_authserv_id\": \"mx.example.com\",\n",
        1,
    );
    let Some(desk) = desk::Desk::start_with(
        &profile,
        "[webhooks]\nsecret_file = \"webhook-secret\"\n\n",
        &[("webhook-secret", "a-webhook-secret-for-tests\n")],
    )
    .await
    .map(Desk) else {
        return;
    };
    desk.write(
        "Ann Lee <ann@customer.example>",
        "new-1@customer.example",
        "Printer on fire",
        "",
    );
    desk.processed(1).await;
    let key = desk.issues().await[0]["key"].as_str().unwrap().to_owned();
    let developer = format!("Sandbox Developer <{}>", jira_sandbox::DEVELOPER_EMAIL);
    let authentic = "Authentication-Results: mx.example.com; dmarc=pass header.from=example.com\n";

    sup_scheme(&desk, 10_001).await;
    desk.write(
        &developer,
        "dev-1@example.com",
        &format!("Re: [{key}] hi"),
        authentic,
    );
    desk.processed(2).await;
    let id = desk
        .until_status(jira_sandbox::DEVELOPER_EMAIL, "held")
        .await;
    assert!(desk.comments(&key).await.is_empty());
    let shown = String::from_utf8(desk.cli(&["audit", "show", &id]).stdout).unwrap();
    assert!(
        shown.contains(&format!(
            "people: the sender is a Jira user who may not see {key}; people.strangers is hold"
        )),
        "{shown}"
    );

    sup_scheme(&desk, 0).await;
    desk.write(
        &developer,
        "dev-2@example.com",
        &format!("Re: [{key}] hi again"),
        authentic,
    );
    desk.processed(3).await;
    let comments = desk.comments(&key).await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(comments[0].to_string().contains("hi again"), "{comments:?}");
}
