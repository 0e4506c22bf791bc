//! Who may open issues and whose replies may comment, through the real binary and the
//! sandbox: `people.create` refuses a denied sender's new issue (but not their reply as a
//! participant), `people.strangers: reject` refuses a stranger's reply, and a reply's Cc'd
//! newcomers join the issue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use postroom_store::inbound::{InboundResult, ResultStatus};
use serde_json::Value;
use support::{Served, import, results, run};

/// How long a mail may take to reach the sandbox on a busy 2-core machine (functional
/// timeout, not a speed claim).
const PATIENCE: Duration = Duration::from_secs(60);

const PROFILE: &str = r#"{
    "own": {"addresses": ["support@example.com"]},
    "trusted_authserv_id": "mx.example.com",
    "people": {
        "email_field": "E-mail participants",
        "create": {"allow": ["customer.example"], "deny": ["mallory@customer.example"]},
        "strangers": "reject"
    },
    "default": {"project": "SUP", "issue_type": "Task"},
    "threading": {"project_keys": ["SUP"]}
}"#;

/// A served sandbox with the profile above, fed one mail at a time with `postroom process`.
struct Desk {
    served: Served,
    dir: tempfile::TempDir,
    sent: usize,
}

impl Desk {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let imported = import(dir.path(), "profile", PROFILE);
        assert!(imported.status.success(), "{imported:?}");
        let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
        Self {
            served,
            dir,
            sent: 0,
        }
    }

    /// Delivers one mail and waits until it is processed; returns its result.
    async fn deliver(&mut self, headers: &str, body: &str) -> InboundResult {
        self.sent += 1;
        let path = self.dir.path().join(format!("mail-{}.eml", self.sent));
        std::fs::write(
            &path,
            format!(
                "{headers}\nTo: support@example.com\nMessage-ID: <people-{}@customer.example>\n\n{body}\n",
                self.sent
            ),
        )
        .unwrap();
        let out = run(self.dir.path(), &["process", path.to_str().unwrap()]);
        assert!(out.status.success(), "{out:?}");
        let start = Instant::now();
        loop {
            let db = self.dir.path().join("data/postroom.db");
            let results = results(&format!("sqlite:{}", db.display())).await;
            if results.len() >= self.sent {
                return results.into_iter().next().unwrap();
            }
            assert!(
                start.elapsed() < PATIENCE,
                "mail {} not processed",
                self.sent
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn jira(&self, path: &str) -> Value {
        support::sandbox_get(&format!("{}/sandbox/jira", self.served.base), path).await
    }

    async fn issue_count(&self) -> usize {
        let found = self.jira("/rest/api/3/search/jql?jql=project%3DSUP").await;
        found["issues"].as_array().map_or(0, Vec::len)
    }

    async fn comment_count(&self, key: &str) -> usize {
        let body = self.jira(&format!("/rest/api/3/issue/{key}/comment")).await;
        body["comments"].as_array().map_or(0, Vec::len)
    }

    async fn email_field(&self, key: &str) -> String {
        let field = jira_sandbox::EMAIL_PARTICIPANTS_FIELD;
        let issue = self
            .jira(&format!("/rest/api/3/issue/{key}?fields={field}"))
            .await;
        issue["fields"][field].as_str().unwrap_or("").to_owned()
    }

    async fn watchers(&self, key: &str) -> String {
        self.jira(&format!("/rest/api/3/issue/{key}/watchers"))
            .await
            .to_string()
    }
}

#[tokio::test]
async fn only_allowed_senders_open_issues_and_only_participants_reply() {
    let mut desk = Desk::start().await;

    let denied = desk
        .deliver(
            "From: Mallory <mallory@customer.example>\nSubject: let me in",
            "A new issue, please.",
        )
        .await;
    assert_eq!(
        denied.status,
        ResultStatus::Rejected,
        "deny wins over allow"
    );
    let stranger = desk
        .deliver(
            "From: eve@elsewhere.example\nSubject: me too",
            "Not on the allow list.",
        )
        .await;
    assert_eq!(stranger.status, ResultStatus::Rejected);
    assert_eq!(
        desk.issue_count().await,
        0,
        "no issue from a refused sender"
    );

    let created = desk
        .deliver(
            "From: Ann Lee <ann@customer.example>\n\
             Cc: Bob <bob@customer.example>, mallory@customer.example\nSubject: printer",
            "The printer is on fire.",
        )
        .await;
    assert_eq!(created.status, ResultStatus::Created);
    let key = created.issue_key.unwrap();
    let field = desk.email_field(&key).await;
    assert!(
        field.contains("ann@customer.example") && field.contains("mallory@customer.example"),
        "{field}"
    );
    assert!(desk.watchers(&key).await.contains("Bob Customer"));

    let reply =
        |n: usize| format!("In-Reply-To: <people-{n}@customer.example>\nSubject: Re: printer");
    let from_mallory = desk
        .deliver(
            &format!(
                "From: mallory@customer.example\n{}\nCc: Dave <dave@elsewhere.example>",
                reply(3)
            ),
            "A participant may answer even when she may not open issues.",
        )
        .await;
    assert_eq!(from_mallory.status, ResultStatus::Commented);
    assert_eq!(desk.comment_count(&key).await, 1);
    let field = desk.email_field(&key).await;
    assert!(field.ends_with(", dave@elsewhere.example"), "{field}");
    assert_eq!(
        field.matches("mallory@customer.example").count(),
        1,
        "people already on the issue are not added twice: {field}"
    );

    let from_watcher = desk
        .deliver(
            &format!("From: Bob <bob@customer.example>\n{}", reply(3)),
            "A watcher answers.",
        )
        .await;
    assert_eq!(from_watcher.status, ResultStatus::Commented);

    let from_stranger = desk
        .deliver(
            &format!("From: eve@elsewhere.example\n{}", reply(3)),
            "Nobody asked me.",
        )
        .await;
    assert_eq!(from_stranger.status, ResultStatus::Rejected);
    assert_eq!(from_stranger.issue_key.as_deref(), Some(key.as_str()));

    let agent = format!(
        "Authentication-Results: mx.example.com; dkim=pass header.d=example.com; \
         spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com\n\
         From: Agent <{}>\n{}",
        jira_sandbox::AGENT_EMAIL,
        reply(3)
    );
    let from_agent = desk.deliver(&agent, "An agent answers by mail.").await;
    assert_eq!(
        from_agent.status,
        ResultStatus::Commented,
        "an authenticated Jira user is trusted"
    );
    let unauthenticated = agent.lines().skip(1).collect::<Vec<_>>().join("\n");
    let from_agent = desk
        .deliver(&unauthenticated, "Claims to be the agent.")
        .await;
    assert_eq!(from_agent.status, ResultStatus::Rejected);
    assert_eq!(desk.comment_count(&key).await, 3);
}
