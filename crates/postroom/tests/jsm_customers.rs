//! Jira Service Management customers (`people.jsm_customers`), through the real binary and
//! the Jira sandbox: an outsider's mail to a service project makes them a customer and
//! raises the request on their behalf (they are its reporter); an outsider on Cc becomes a
//! customer and a request participant; a later reply's new Cc does too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../../mail/tests/support/mod.rs"]
mod smtp_peer;

mod desk;

use std::time::{Duration, Instant};

use desk::Desk;
use serde_json::Value;
use support::PATIENCE;

const PROFILE: &str = r#"{
  "own": { "addresses": ["support@example.com"], "domains": ["mail.example.com"] },
  "people": { "jsm_customers": true, "email_field": "E-mail participants" },
  "default": { "project": "SUP", "issue_type": "Task", "request_type": "10003" },
  "threading": { "project_keys": ["SUP"] }
}"#;

/// The display names of the request participants of `key`.
async fn participants(desk: &Desk, key: &str) -> Vec<String> {
    let page = desk
        .jira(&format!("/rest/servicedeskapi/request/{key}/participant"))
        .await;
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["displayName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outsiders_mail_raises_a_request_on_their_behalf_with_cc_as_participants() {
    let Some(desk) = Desk::start(PROFILE).await else {
        return;
    };
    desk.write(
        "Olga Outsider <olga@outside.example>",
        "olga-1@outside.example",
        "VPN down",
        "Cc: pete@outside.example\n",
    );
    desk.processed(1).await;
    let issues = desk.issues().await;
    assert_eq!(issues.len(), 1);
    let key = issues[0]["key"].as_str().unwrap().to_owned();
    let issue = desk
        .jira(&format!(
            "/rest/api/3/issue/{key}?fields=reporter,creator,issuetype,description,summary,{}",
            jira_sandbox::EMAIL_PARTICIPANTS_FIELD
        ))
        .await;
    let fields = &issue["fields"];
    assert_eq!(fields["summary"], "VPN down");
    assert_eq!(fields["reporter"]["displayName"], "Olga Outsider");
    let reporter = fields["reporter"]["accountId"].as_str().unwrap();
    assert!(
        reporter.starts_with("qm:"),
        "a customer account: {reporter}"
    );
    assert_ne!(
        fields["creator"]["accountId"],
        fields["reporter"]["accountId"]
    );
    assert_eq!(
        fields["issuetype"]["id"], "10003",
        "the request type's issue type"
    );
    assert!(
        fields["description"]
            .to_string()
            .contains("Hello, VPN down."),
        "the description is the mail's text: {}",
        fields["description"]
    );
    assert_eq!(participants(&desk, &key).await, ["pete@outside.example"]);
    assert!(
        fields[jira_sandbox::EMAIL_PARTICIPANTS_FIELD].is_null(),
        "customers are on the request, not in the e-mail field: {fields}"
    );

    // Olga answers with a new colleague on Cc: the colleague joins as a participant.
    desk.write(
        "Olga Outsider <olga@outside.example>",
        "olga-2@outside.example",
        &format!("Re: [{key}] VPN down"),
        "Cc: pete@outside.example, Quinn <quinn@outside.example>\n",
    );
    let start = Instant::now();
    loop {
        let now = participants(&desk, &key).await;
        if now.len() == 2 {
            assert_eq!(now, ["pete@outside.example", "quinn@outside.example"]);
            break;
        }
        assert!(start.elapsed() < PATIENCE, "participants: {now:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let comments = desk.issues().await[0]["fields"]["comment"]["total"].clone();
    assert_eq!(comments, Value::from(1));
}
