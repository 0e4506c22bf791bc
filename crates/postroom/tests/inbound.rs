//! postroom's main job through the real binary: `serve --sandbox --smtp` takes mail over
//! SMTP and the inbound workers turn it into sandbox issues and comments, on SQLite and on
//! PostgreSQL. New mail → one issue; replies by In-Reply-To, References and the key in the
//! subject → one comment each; a duplicate delivery, an auto-reply, a bounce and list mail
//! → nothing in Jira, and a reported result for every mail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use postroom_store::inbound::{InboundResult, ResultStatus};
use serde_json::Value;
use support::{PATIENCE, Served, at_least, import, listening, rcpt, run, send_smtp};

struct Demo {
    served: Served,
    smtp: String,
    db_url: String,
    _dir: tempfile::TempDir,
}

impl Demo {
    async fn start(db_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_url = db_url
            .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("data/postroom.db").display()));
        let served = Served::start_with_args(
            dir.path(),
            &["--sandbox", "--smtp", "127.0.0.1:0"],
            &[("POSTROOM_STORAGE__URL", db_url.as_str())],
        )
        .await;
        let smtp = listening(&served, "smtp");
        Self {
            served,
            smtp,
            db_url,
            _dir: dir,
        }
    }

    fn site(&self) -> String {
        format!("{}/sandbox/jira", self.served.base)
    }

    async fn jira(&self, path: &str) -> Value {
        support::sandbox_get(&self.site(), path).await
    }

    /// The SUP issues, oldest first, with summary, type, description and comments.
    async fn issues(&self) -> Vec<Value> {
        let found = self
            .jira(
                "/rest/api/3/search/jql?jql=project%3DSUP%20ORDER%20BY%20created%20ASC\
                 &fields=summary,issuetype,description,comment&maxResults=100",
            )
            .await;
        found["issues"].as_array().cloned().unwrap_or_default()
    }

    async fn wait_for_issues(&self, count: usize) -> Vec<Value> {
        at_least(count, "issues", async || self.issues().await).await
    }

    async fn comments(&self, key: &str) -> Vec<String> {
        let body = self.jira(&format!("/rest/api/3/issue/{key}/comment")).await;
        body["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| adf_text(&c["body"]))
            .collect()
    }

    async fn wait_for_comments(&self, key: &str, count: usize) -> Vec<String> {
        at_least(count, "comments", async || self.comments(key).await).await
    }

    async fn results(&self) -> Vec<InboundResult> {
        support::results(&self.db_url).await
    }

    async fn wait_for_results(&self, count: usize) -> Vec<InboundResult> {
        at_least(count, "results", async || self.results().await).await
    }

    fn send(&self, mail: &str) {
        let reply = send_smtp(
            &self.smtp,
            "ann@customer.example",
            "support@example.com",
            mail.as_bytes(),
        );
        assert!(reply.starts_with("250"), "{reply}");
    }
}

/// The text of an ADF document, paragraphs on their own lines.
fn adf_text(doc: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        if let Some(text) = node["text"].as_str() {
            out.push_str(text);
        }
        if node["type"] == "mention" {
            out.push_str(node["attrs"]["text"].as_str().unwrap_or_default());
        }
        for child in node["content"].as_array().into_iter().flatten() {
            walk(child, out);
        }
        if node["type"] == "paragraph" {
            out.push('\n');
        }
    }
    let mut out = String::new();
    walk(doc, &mut out);
    out
}

fn mail(headers: &str, body: &str) -> String {
    format!(
        "From: Ann Lee <ann@customer.example>\nTo: support@example.com\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n{headers}\n\n{body}\n"
    )
}

async fn the_main_job(db_url: Option<String>) {
    let demo = Demo::start(db_url).await;
    demo.served.assert_healthy().await;

    demo.send(&mail(
        "Subject: Re: Printer on the 3rd floor is on fire\nMessage-ID: <new-1@customer.example>\n\
         Cc: Bob <bob@customer.example>, carl@elsewhere.example",
        "Hello,\n\nthe printer on the 3rd floor is smoking.\n\n-- \nAnn Lee\nCustomer Inc.",
    ));
    let issues = demo.wait_for_issues(1).await;
    let issue = &issues[0];
    let key = issue["key"].as_str().unwrap().to_owned();
    assert_eq!(
        issue["fields"]["summary"], "Printer on the 3rd floor is on fire",
        "reply prefix stripped"
    );
    assert_eq!(issue["fields"]["issuetype"]["name"], "Task");
    let description = adf_text(&issue["fields"]["description"]);
    assert!(
        description.starts_with("From Ann Lee <ann@customer.example>:"),
        "{description}"
    );
    assert!(description.contains("the printer on the 3rd floor is smoking."));
    assert!(!description.contains("Customer Inc."), "signature removed");
    // People: Ann and Carl have no Jira account, Bob has one.
    let people = demo
        .jira(&format!(
            "/rest/api/3/issue/{key}?fields={}",
            jira_sandbox::EMAIL_PARTICIPANTS_FIELD
        ))
        .await;
    assert_eq!(
        people["fields"][jira_sandbox::EMAIL_PARTICIPANTS_FIELD],
        "Ann Lee <ann@customer.example>, carl@elsewhere.example"
    );
    let watchers = demo
        .jira(&format!("/rest/api/3/issue/{key}/watchers"))
        .await;
    let names: Vec<&str> = watchers["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["displayName"].as_str())
        .collect();
    assert!(names.contains(&"Bob Customer"), "{watchers}");

    demo.send(&mail(
        "Subject: Re: Printer\nMessage-ID: <reply-1@customer.example>\nIn-Reply-To: <new-1@customer.example>",
        "It is out now.\n\nOn Monday Ann wrote:\n> the printer on the 3rd floor is smoking.",
    ));
    let comments = demo.wait_for_comments(&key, 1).await;
    assert!(comments[0].starts_with("From Ann Lee"), "{}", comments[0]);
    assert!(comments[0].contains("It is out now."));
    assert!(!comments[0].contains("> the printer"), "quote removed");

    demo.send(&mail(
        "Subject: more\nMessage-ID: <reply-2@customer.example>\nReferences: <unknown@elsewhere.example> <reply-1@customer.example>",
        "Thanks to the fire brigade.",
    ));
    let comments = demo.wait_for_comments(&key, 2).await;
    assert!(comments[1].contains("Thanks to the fire brigade."));

    demo.send(&mail(
        &format!("Subject: Re: [{key}] printer\nMessage-ID: <reply-3@customer.example>"),
        "Subject key only.",
    ));
    let comments = demo.wait_for_comments(&key, 3).await;
    assert!(comments[2].contains("Subject key only."));

    // A second delivery of the first mail (another relay added trace headers) is taken in
    // as a duplicate and does nothing.
    demo.send(&format!(
        "Received: from mx2.customer.example by mx.example.com\nDelivered-To: support@example.com\n{}",
        mail(
            "Subject: Re: Printer on the 3rd floor is on fire\nMessage-ID: <new-1@customer.example>\n\
             Cc: Bob <bob@customer.example>, carl@elsewhere.example",
            "Hello,\n\nthe printer on the 3rd floor is smoking.\n\n-- \nAnn Lee\nCustomer Inc.",
        )
    ));
    demo.send(&mail(
        "Subject: Automatic reply: Printer\nMessage-ID: <ooo-1@customer.example>\nAuto-Submitted: auto-replied\nIn-Reply-To: <nothing@postroom.example>",
        "I am out of the office until Monday.",
    ));
    demo.send(&mail(
        "Subject: Weekly digest\nMessage-ID: <list-1@lists.example>\nList-Id: <digest.lists.example>\nPrecedence: list",
        "This week on the list.",
    ));
    demo.send(
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\nTo: support@example.com\n\
         Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn-1@mx.customer.example>\n\
         Auto-Submitted: auto-replied\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
         --b\nContent-Type: text/plain\n\nThe mail could not be delivered.\n\
         --b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.customer.example\n\n\
         Final-Recipient: rfc822; gone@customer.example\nAction: failed\nStatus: 5.1.1\n\n--b--\n",
    );
    // Multipart: the text, a PDF the sender attached, a small inline logo and a PGP
    // signature; only the PDF is uploaded.
    demo.send(&mail(
        "Subject: Second request\nMessage-ID: <new-2@customer.example>\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"m\"",
        "--m\nContent-Type: multipart/related; boundary=\"r\"\n\n\
         --r\nContent-Type: text/plain\n\nA new problem.\n\
         --r\nContent-Type: image/png\nContent-Disposition: inline; filename=\"logo.png\"\n\
         Content-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--r--\n\
         --m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"invoice.pdf\"\n\
         Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJcfsj6IK\n\
         --m\nContent-Type: application/pgp-signature; name=\"signature.asc\"\n\n\
         -----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n--m--",
    ));
    // Eight mails were taken in (the duplicate was not): every one gets a result.
    let results = demo.wait_for_results(8).await;
    let issues = demo.wait_for_issues(2).await;
    assert_eq!(issues.len(), 2, "only the second request made an issue");
    assert_eq!(issues[1]["fields"]["summary"], "Second request");
    let second = issues[1]["key"].as_str().unwrap();
    let files = demo
        .jira(&format!("/rest/api/3/issue/{second}?fields=attachment"))
        .await;
    let names: Vec<&str> = files["fields"]["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["invoice.pdf"], "logo and signature left out");
    assert_eq!(demo.comments(&key).await.len(), 3, "nothing else commented");
    let count = |s: ResultStatus| results.iter().filter(|r| r.status == s).count();
    assert_eq!(count(ResultStatus::Created), 2);
    assert_eq!(count(ResultStatus::Commented), 3);
    assert_eq!(count(ResultStatus::Ignored), 3, "auto-reply, list, bounce");
    assert_eq!(results.len(), 8);
    assert!(results.iter().all(|r| !r.report.is_empty()));
    let commented: Vec<_> = results
        .iter()
        .filter(|r| r.status == ResultStatus::Commented)
        .collect();
    assert!(
        commented
            .iter()
            .all(|r| r.issue_key.as_deref() == Some(key.as_str()) && r.comment_id.is_some())
    );
    // Nothing personal in the server's log.
    let log = demo.served.stderr().join("\n");
    for secret in ["ann@customer.example", "Printer on the 3rd", "fire brigade"] {
        assert!(!log.contains(secret), "{secret} logged in clear");
    }
}

#[tokio::test]
async fn mail_becomes_issues_and_comments_on_sqlite() {
    the_main_job(None).await;
}

#[tokio::test]
async fn mail_becomes_issues_and_comments_on_postgresql() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    the_main_job(Some(url)).await;
}

/// A profile Jira refuses (an unknown project) parks the mail as dead with Jira's reason;
/// after the profile is fixed, `jobs retry` replays it into exactly one issue.
#[tokio::test]
async fn a_refusal_by_jira_parks_the_mail_until_the_profile_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let imported = import(
        dir.path(),
        "bad",
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "NOPE", "issue_type": "Task"}}"#,
    );
    assert!(imported.status.success(), "{imported:?}");
    assert!(String::from_utf8_lossy(&imported.stdout).contains("version 1"));

    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let process = run(
        dir.path(),
        &[
            "process",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/mail/new_request.eml")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(process.status.success(), "{process:?}");

    let start = Instant::now();
    let dead = loop {
        let out = run(dir.path(), &["jobs", "list", "--dead"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(line) = text.lines().find(|l| l.contains("inbound.mail")) {
            break line.to_owned();
        }
        assert!(start.elapsed() < PATIENCE, "no dead job: {text}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(dead.contains("NOPE") || dead.contains("project"), "{dead}");
    let id = dead.split('\t').next().unwrap().to_owned();

    let fixed = import(
        dir.path(),
        "good",
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    );
    assert!(String::from_utf8_lossy(&fixed.stdout).contains("version 2"));
    assert!(run(dir.path(), &["jobs", "retry", &id]).status.success());

    let site = format!("{}/sandbox/jira", served.base);
    let start = Instant::now();
    loop {
        let found: Value = reqwest::Client::new()
            .get(format!(
                "{site}/rest/api/3/search/jql?jql=project%3DSUP&fields=summary"
            ))
            .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let issues = found["issues"].as_array().unwrap();
        if !issues.is_empty() {
            assert_eq!(issues.len(), 1);
            break;
        }
        assert!(start.elapsed() < PATIENCE, "the retried mail made no issue");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let show = run(dir.path(), &["profile", "show"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("\"SUP\""));
}

#[test]
fn profile_import_refuses_an_invalid_profile_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = import(
        dir.path(),
        "bad",
        r#"{"own": {"addresses": ["support@example.com"]},
            "rules": [{"match": {"subject": "(unclosed"}, "then": {"project": "SUP"}}]}"#,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rules[0]") || err.contains("rules.0"), "{err}");
    let show = run(dir.path(), &["profile", "show"]);
    assert_eq!(show.status.code(), Some(1), "nothing stored: {show:?}");

    let dry = run(
        dir.path(),
        &[
            "profile",
            "import",
            "--dry-run",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/profile.json")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(dry.status.success(), "{dry:?}");
    assert!(String::from_utf8_lossy(&dry.stdout).contains("nothing stored"));
    assert_eq!(run(dir.path(), &["profile", "show"]).status.code(), Some(1));
}

#[tokio::test]
async fn without_jira_serve_says_what_to_configure() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    served.assert_healthy().await;
    let log = served.stderr().join("\n");
    assert!(log.contains("no Jira site is configured"), "{log}");
    assert!(log.contains("--sandbox"), "{log}");
    served.stop_gracefully();
}

/// `reporter: sender`: an authenticated sender who is a Jira user reports the issue; the
/// same sender without authentication only watches it.
#[tokio::test]
async fn an_authenticated_jira_user_reports_the_issue() {
    let dir = tempfile::tempdir().unwrap();
    let imported = import(
        dir.path(),
        "profile",
        r#"{"own": {"addresses": ["support@example.com"]},
            "trusted_authserv_id": "mx.example.com",
            "default": {"project": "SUP", "issue_type": "Task", "reporter": "sender"}}"#,
    );
    assert!(imported.status.success(), "{imported:?}");
    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let mails = dir.path().join("mails");
    std::fs::create_dir(&mails).unwrap();
    for (n, auth) in [
        (
            1,
            "Authentication-Results: mx.example.com; dkim=pass header.d=customer.example; \
             spf=pass smtp.mailfrom=customer.example; dmarc=pass header.from=customer.example\n",
        ),
        (2, ""),
    ] {
        std::fs::write(
            mails.join(format!("{n}.eml")),
            format!(
                "{auth}From: Alice Customer <alice@customer.example>\nTo: support@example.com\n\
                 Subject: reporter test {n}\nMessage-ID: <reporter-{n}@customer.example>\n\n\
                 Please help ({n}).\n"
            ),
        )
        .unwrap();
    }
    assert!(
        run(dir.path(), &["process", mails.to_str().unwrap()])
            .status
            .success()
    );
    let site = format!("{}/sandbox/jira", served.base);
    let get = |path: String| {
        let site = site.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{site}{path}"))
                .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let start = Instant::now();
    let issues = loop {
        let found =
            get("/rest/api/3/search/jql?jql=project%3DSUP&fields=summary,reporter".to_owned())
                .await;
        let mut issues = found["issues"].as_array().cloned().unwrap_or_default();
        if issues.len() == 2 {
            issues.sort_by_key(|i| i["fields"]["summary"].as_str().map(str::to_owned));
            break issues;
        }
        assert!(start.elapsed() < PATIENCE, "{found}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(issues[0]["fields"]["summary"], "reporter test 1");
    assert_eq!(
        issues[0]["fields"]["reporter"]["displayName"], "Alice Customer",
        "authenticated: Alice reports"
    );
    assert_ne!(
        issues[1]["fields"]["reporter"]["displayName"], "Alice Customer",
        "unauthenticated: postroom reports"
    );
    let key = issues[1]["key"].as_str().unwrap();
    let watchers = get(format!("/rest/api/3/issue/{key}/watchers")).await;
    assert!(
        watchers.to_string().contains("Alice Customer"),
        "{watchers}"
    );
}

/// A reply to a resolved issue: `on_closed: reopen` comments and reopens it; with
/// `on_closed: new_issue` the next reply opens a new issue linked to it instead.
#[tokio::test]
async fn a_reply_to_a_resolved_issue_reopens_it_or_opens_a_linked_one() {
    let dir = tempfile::tempdir().unwrap();
    let on_closed = |rule: &str| {
        let out = import(
            dir.path(),
            rule,
            &format!(
                r#"{{"own": {{"addresses": ["support@example.com"]}},
                    "default": {{"project": "SUP", "issue_type": "Task", "on_closed": "{rule}"}}}}"#
            ),
        );
        assert!(out.status.success(), "{out:?}");
    };
    on_closed("reopen");
    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let site = format!("{}/sandbox/jira", served.base);
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = client
            .request(method, format!("{site}{path}"))
            .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN));
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            assert!(response.status().is_success(), "{response:?}");
            response.json::<Value>().await.unwrap_or(Value::Null)
        }
    };
    let deliver = |n: usize, headers: &str| {
        let path = dir.path().join(format!("mail-{n}.eml"));
        std::fs::write(
            &path,
            format!(
                "From: Ann Lee <ann@customer.example>\nTo: support@example.com\n\
                 Subject: closed test\nMessage-ID: <closed-{n}@customer.example>\n{headers}\n\
                 Mail number {n}.\n"
            ),
        )
        .unwrap();
        let out = run(dir.path(), &["process", path.to_str().unwrap()]);
        assert!(out.status.success(), "{out:?}");
    };
    let wait = |what: &'static str, jql: &'static str, want: usize| {
        let call = &call;
        async move {
            let start = Instant::now();
            loop {
                let found = call(
                    reqwest::Method::GET,
                    format!(
                        "/rest/api/3/search/jql?jql={jql}&fields=summary,status,comment,issuelinks"
                    ),
                    None,
                )
                .await;
                let issues = found["issues"].as_array().cloned().unwrap_or_default();
                if issues.len() >= want {
                    return issues;
                }
                assert!(start.elapsed() < PATIENCE, "{what}: {found}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    };
    deliver(1, "");
    let issues = wait("the first issue", "project%3DSUP", 1).await;
    let key = issues[0]["key"].as_str().unwrap().to_owned();
    let resolve = || {
        call(
            reqwest::Method::POST,
            format!("/rest/api/3/issue/{key}/transitions"),
            Some(serde_json::json!({ "transition": { "id": "41" } })),
        )
    };
    let status = |key: String| async move {
        let issue = call(
            reqwest::Method::GET,
            format!("/rest/api/3/issue/{key}?fields=status,comment"),
            None,
        )
        .await;
        (
            issue["fields"]["status"]["name"]
                .as_str()
                .unwrap()
                .to_owned(),
            issue["fields"]["comment"]["total"].as_u64().unwrap(),
        )
    };
    resolve().await;
    assert_eq!(status(key.clone()).await.0, "Resolved");

    deliver(2, "In-Reply-To: <closed-1@customer.example>");
    let start = Instant::now();
    while status(key.clone()).await != ("Open".to_owned(), 1) {
        assert!(start.elapsed() < PATIENCE, "not commented and reopened");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    on_closed("new_issue");
    resolve().await;
    deliver(3, "In-Reply-To: <closed-1@customer.example>");
    let issues = wait("the linked issue", "project%3DSUP", 2).await;
    let new = issues
        .iter()
        .find(|i| i["key"] != key.as_str())
        .expect("a second issue");
    let links = new["fields"]["issuelinks"].to_string();
    assert!(links.contains(&key), "{links}");
    assert_eq!(
        status(key.clone()).await,
        ("Resolved".to_owned(), 1),
        "the resolved issue is left alone"
    );
}

/// A profile imported while `serve` runs changes what the listener accepts, without a
/// restart.
#[tokio::test]
async fn the_listener_follows_a_profile_imported_while_serving() {
    let demo = Demo::start(None).await;
    assert!(rcpt(&demo.smtp, "help@example.com").starts_with("550"));
    assert!(rcpt(&demo.smtp, "support@example.com").starts_with("250"));
    let out = import(
        demo._dir.path(),
        "more",
        r#"{"own": {"addresses": ["help@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    );
    assert!(out.status.success(), "{out:?}");
    let start = Instant::now();
    while !rcpt(&demo.smtp, "help@example.com").starts_with("250") {
        assert!(
            start.elapsed() < PATIENCE,
            "the listener kept the old profile"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(rcpt(&demo.smtp, "support@example.com").starts_with("550"));
}
