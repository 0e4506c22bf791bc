//! What each mail costs in Jira requests, pinned against the sandbox's request counters
//! through the real binary: under a rate limit every request is a mail postroom cannot
//! carry, so a change that adds one per mail must show up here (and in docs/operations.md,
//! which lists the same numbers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;

use support::{Served, at_least, listening, send_smtp};

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"] },
  "default": { "project": "SUP", "issue_type": "Task" },
  "threading": { "project_keys": ["SUP"] }
}"#;

struct Site {
    served: Served,
    smtp: String,
    db_url: String,
    dir: tempfile::TempDir,
}

impl Site {
    async fn start() -> Self {
        Self::start_with(PROFILE).await
    }

    async fn start_with(profile: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("profile.json"), profile).unwrap();
        std::fs::write(
            dir.path().join("postroom.toml"),
            "[inbound]\nprofile = \"profile.json\"\n",
        )
        .unwrap();
        let db_url = format!("sqlite:{}", dir.path().join("data/postroom.db").display());
        let served = Self::serve(dir.path()).await;
        let smtp = listening(&served, "smtp");
        Self {
            served,
            smtp,
            db_url,
            dir,
        }
    }

    async fn serve(dir: &std::path::Path) -> Served {
        Served::start_with_args(dir, &["--sandbox", "--smtp", "127.0.0.1:0"], &[]).await
    }

    /// Stops `serve` and starts it again on the same data (the sandbox starts afresh).
    async fn restart(&mut self) {
        self.served.kill();
        self.served = Self::serve(self.dir.path()).await;
        self.smtp = listening(&self.served, "smtp");
    }

    /// The requests the sandbox received so far, by `METHOD route`.
    async fn requests(&self) -> BTreeMap<String, u64> {
        let site = format!("{}/sandbox/jira", self.served.base);
        let stats = support::sandbox_get(&site, "/_sandbox/stats").await;
        stats["requests"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| !k.contains("/_sandbox/"))
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect()
    }

    /// Sends `mail` and returns the requests it cost once its result is recorded (the
    /// `nth` result of the site).
    async fn cost(&self, to: &str, mail: &str, nth: usize) -> BTreeMap<String, u64> {
        let before = self.requests().await;
        let reply = send_smtp(&self.smtp, "sender@customer.example", to, mail.as_bytes());
        assert!(reply.starts_with("250"), "{reply}");
        let results = at_least(nth, "results", async || {
            support::results(&self.db_url).await
        })
        .await;
        assert!(
            results.iter().all(|r| r.issue_key.is_some()),
            "every mail made an issue or a comment: {results:?}"
        );
        let after = self.requests().await;
        after
            .into_iter()
            .filter_map(|(k, n)| {
                let spent = n - before.get(&k).copied().unwrap_or(0);
                (spent > 0).then_some((k, spent))
            })
            .collect()
    }
}

fn mail(from: &str, id: &str, subject: &str, extra: &str) -> String {
    format!(
        "From: {from}\r\nTo: support@example.com\r\nSubject: {subject}\r\n\
         Message-ID: <{id}>\r\n{extra}\r\nHello.\r\n"
    )
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_outcome_costs_the_documented_jira_requests() {
    let site = Site::start().await;
    let alice = "Alice <alice@customer.example>";
    let first = site
        .cost(
            "support@example.com",
            &mail(alice, "a1@c.example", "One", ""),
            1,
        )
        .await;
    let again = site
        .cost(
            "support@example.com",
            &mail(alice, "a2@c.example", "Two", ""),
            2,
        )
        .await;
    let stranger = site
        .cost(
            "support@example.com",
            &mail("Bob <bob@customer.example>", "b1@c.example", "Three", ""),
            3,
        )
        .await;
    let reply = site
        .cost(
            "support@example.com",
            &mail(
                alice,
                "a3@c.example",
                "Re: Two",
                "In-Reply-To: <a2@c.example>\r\n",
            ),
            4,
        )
        .await;
    let attachment = site
        .cost(
            "support@example.com",
            &format!(
                "From: {alice}\r\nTo: support@example.com\r\nSubject: With a file\r\n\
                 Message-ID: <a4@c.example>\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
                 --b\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n\
                 --b\r\nContent-Type: text/plain; name=\"log.txt\"\r\n\
                 Content-Disposition: attachment; filename=\"log.txt\"\r\n\r\nlog line\r\n--b--\r\n"
            ),
            5,
        )
        .await;
    let p = |route: &str| format!("/sandbox/jira/rest/api/3/issue{route}");
    let create = format!("POST {}", p(""));
    let watch = format!("POST {}", p("/{key}/watchers"));
    let lookup = "GET /sandbox/jira/rest/api/3/user/search";
    // The site's first mail also asks which Jira it is (once per site and process).
    assert_eq!(
        first,
        counts(&[
            ("GET /sandbox/jira/rest/api/2/serverInfo", 1),
            (lookup, 1),
            (&create, 1),
            (&watch, 1),
        ])
    );
    // A known sender's account is remembered: one create, and the sender as a watcher.
    assert_eq!(again, counts(&[(&create, 1), (&watch, 1)]));
    assert_eq!(stranger, counts(&[(lookup, 1), (&create, 1), (&watch, 1)]));
    // The reply of the customer whose mail opened the issue, copying nobody new, is on the
    // issue by postroom's own record: the comment alone.
    assert_eq!(
        reply,
        counts(&[(&format!("POST {}", p("/{key}/comment")), 1)])
    );
    // Each attachment is one upload after the create.
    assert_eq!(
        attachment,
        counts(&[
            (&create, 1),
            (&format!("POST {}", p("/{key}/attachments")), 1),
            (&watch, 1),
        ])
    );
    // Anyone else's reply, or one that copies someone new, reads who is on the issue
    // (reporter, watchers, request participants) to decide whether the sender may comment
    // and who joins, then comments.
    let copying = site
        .cost(
            "support@example.com",
            &mail(
                alice,
                "a5@c.example",
                "Re: Two",
                "In-Reply-To: <a2@c.example>\r\nCc: Carol <carol@customer.example>\r\n",
            ),
            6,
        )
        .await;
    for read in [
        format!("GET {}", p("/{key}")),
        format!("GET {}", p("/{key}/watchers")),
        "GET /sandbox/jira/rest/servicedeskapi/request/{key}/participant".to_owned(),
        format!("POST {}", p("/{key}/comment")),
    ] {
        assert_eq!(copying.get(&read), Some(&1), "{read}: {copying:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_senders_account_is_remembered_across_a_restart() {
    let mut site = Site::start().await;
    let alice = "Alice <alice@customer.example>";
    let lookup = "GET /sandbox/jira/rest/api/3/user/search";
    let first = site
        .cost(
            "support@example.com",
            &mail(alice, "r1@c.example", "One", ""),
            1,
        )
        .await;
    assert_eq!(first.get(lookup), Some(&1), "{first:?}");
    site.restart().await;
    let after = site
        .cost(
            "support@example.com",
            &mail(alice, "r2@c.example", "Two", ""),
            2,
        )
        .await;
    assert_eq!(
        after.get(lookup),
        None,
        "looked up again after a restart: {after:?}"
    );
    assert_eq!(
        after.get("POST /sandbox/jira/rest/api/3/issue/{key}/watchers"),
        Some(&1),
        "the remembered account is still made a watcher: {after:?}"
    );
    // The lookup is in the database, sealed: the address appears nowhere in it.
    let store = postroom_store::Store::open(&site.db_url).await.unwrap();
    let rows: Vec<(String, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT address_hash, account FROM sender_accounts")
            .fetch_all(store.db().pool())
            .await
            .unwrap();
    assert!(!rows.is_empty());
    for (hash, account) in rows {
        assert!(!hash.contains("alice"), "{hash}");
        let sealed = account.unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&sealed).contains("Alice"),
            "the account is sealed"
        );
    }
}

const SERVICE_PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"] },
  "people": { "jsm_customers": true },
  "default": { "project": "SUP", "issue_type": "Task", "request_type": "10003" },
  "threading": { "project_keys": ["SUP"] }
}"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_service_request_for_an_outsider_costs_the_documented_jira_requests() {
    let site = Site::start_with(SERVICE_PROFILE).await;
    let olga = "Olga <olga@outside.example>";
    let first = site
        .cost(
            "support@example.com",
            &mail(olga, "o1@o.example", "VPN down", ""),
            1,
        )
        .await;
    let again = site
        .cost(
            "support@example.com",
            &mail(olga, "o2@o.example", "VPN still down", ""),
            2,
        )
        .await;
    let steady = [
        ("GET /sandbox/jira/rest/api/3/user/search", 1),
        ("POST /sandbox/jira/rest/servicedeskapi/customer", 1),
        ("POST /sandbox/jira/rest/servicedeskapi/request", 1),
        ("PUT /sandbox/jira/rest/api/3/issue/{key}", 1),
        (
            "PUT /sandbox/jira/rest/api/3/issue/{key}/properties/{prop}",
            1,
        ),
    ];
    // The first also asks which Jira it is and lists the service desks (once each).
    let mut once = steady.to_vec();
    once.extend([
        ("GET /sandbox/jira/rest/api/2/serverInfo", 1),
        ("GET /sandbox/jira/rest/servicedeskapi/servicedesk", 1),
    ]);
    assert_eq!(first, counts(&once));
    // A customer made or found in the last hour is remembered: the request raised on their
    // behalf, then the fields the request form cannot carry and the idempotency mark.
    assert_eq!(again, counts(&steady[2..]));
}
