//! Text Jira may refuse never reaches it (issue #24.6): a mail whose body and subject carry
//! NUL, escape and bell characters becomes an issue in the sandbox without any of them,
//! its line breaks intact, and the audit's report says what was removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{PATIENCE, Served, Site};

const PROFILE: &str = r#"{"own": {"addresses": ["support@example.com"]},
    "default": {"project": "SUP", "issue_type": "Task"}}"#;

/// Quoted-printable puts the control characters in the decoded body; the encoded-word puts
/// them in the subject.
const MAIL: &str = "From: Ann Lee <ann@customer.example>\r\nTo: support@example.com\r\n\
    Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <controls-1@customer.example>\r\n\
    Subject: =?utf-8?q?printer=00=1B_on_fire?=\r\nMIME-Version: 1.0\r\n\
    Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
    The printer=00 is on=1B[31m fire.=07\r\n\tSecond line, indented.\r\n";

fn texts(node: &Value, out: &mut Vec<String>) {
    if let Some(text) = node["text"].as_str() {
        out.push(text.to_owned());
    }
    for child in node["content"].as_array().into_iter().flatten() {
        texts(child, out);
    }
}

fn refused(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r' | '\x7f'))
        .collect()
}

#[tokio::test]
async fn control_characters_never_reach_jira_and_the_report_says_so() {
    let site = Site::new(None, &[("profile.json", PROFILE), ("mail.eml", MAIL)]);
    site.ok(&["profile", "import", "profile.json"]);
    let served = Served::start_with_args(
        site.path(),
        &["--sandbox"],
        &[("POSTROOM_STORAGE__URL", site.db_url.as_str())],
    )
    .await;
    let out = site.ok(&["process", "mail.eml"]);
    assert!(out.contains("1 taken in"), "{out}");

    let jira = format!("{}/sandbox/jira", served.base);
    let start = Instant::now();
    let issue = loop {
        let found = support::sandbox_get(
            &jira,
            "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary,description",
        )
        .await;
        if let Some(issue) = found["issues"].as_array().and_then(|a| a.first()) {
            break issue.clone();
        }
        assert!(start.elapsed() < PATIENCE, "no issue: {found}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let summary = issue["fields"]["summary"].as_str().unwrap();
    assert!(refused(summary).is_empty(), "{summary:?}");
    assert!(
        summary.contains("printer") && summary.contains("fire"),
        "{summary:?}"
    );
    let mut description = Vec::new();
    texts(&issue["fields"]["description"], &mut description);
    let description = description.join("\n");
    assert!(refused(&description).is_empty(), "{description:?}");
    assert!(
        description.contains("The printer is on[31m fire."),
        "{description:?}"
    );
    assert!(
        description.contains("Second line, indented."),
        "{description:?}"
    );

    let listed = site.ok(&["audit", "list"]);
    let id = listed
        .lines()
        .nth(1)
        .and_then(|l| l.split('\t').next())
        .unwrap();
    let shown = site.ok(&["audit", "show", id]);
    assert!(
        shown.contains("control character(s) removed from the"),
        "{shown}"
    );
    served.stop_gracefully();
}
