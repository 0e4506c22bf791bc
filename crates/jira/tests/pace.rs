//! The pace against the sandbox, read from its request log: no request goes in a scope
//! Jira paused before the pause is over, and the other scopes go on meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up

mod common;

use std::collections::HashSet;

use futures::future::join_all;
use jira_sandbox::{FaultConfig, LoggedRequest};
use postroom_core::adf;
use postroom_core::ports::tracker::{
    Dialect, IdempotencyKey, IssueTypeRef, NewComment, NewIssue, Priority, Tracker,
};
use postroom_jira::{JiraClient, Politeness};
use serde_json::Map;

fn issue(n: usize) -> NewIssue {
    NewIssue {
        project: "SUP".into(),
        issue_type: IssueTypeRef::Id("10001".into()),
        summary: format!("Paced {n}"),
        description: Some(adf::from_text("body")),
        reporter: None,
        fields: Map::new(),
        properties: Vec::new(),
        idempotency_key: IdempotencyKey::parse(&format!("<pace-{n}@mail.test>")).unwrap(),
        may_exist: false,
        unknown_since_ms: None,
    }
}

fn comment(text: &str) -> NewComment {
    NewComment {
        body: adf::from_text(text),
        visibility: None,
        public: None,
        properties: Vec::new(),
    }
}

async fn client(site: &common::Site) -> JiraClient {
    let politeness = Politeness {
        start_rate: 50.0,
        max_concurrency: 8,
        ..common::fast()
    };
    common::client(site, Dialect::CloudV3, common::api_token(), politeness).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_per_issue_limit_pauses_writes_to_that_issue_only() {
    let site = common::start("").await;
    let jira = client(&site).await;
    let busy = jira.create_issue(&issue(1)).await.unwrap().issue.key;
    let quiet: Vec<String> = join_all((2..6).map(|n| {
        let jira = jira.clone();
        async move { jira.create_issue(&issue(n)).await.unwrap().issue.key }
    }))
    .await;
    site.handle.reset_stats();
    site.handle.set_faults(FaultConfig {
        issue_writes_per_sec: Some(2.0),
        ..FaultConfig::default()
    });
    let on_busy = join_all((0..12).map(|n| {
        let jira = jira.clone();
        let key = busy.clone();
        async move { jira.add_comment(&key, &comment(&format!("busy {n}"))).await }
    }));
    let elsewhere = join_all(quiet.iter().flat_map(|key| {
        (0..2).map(|n| {
            let jira = jira.clone();
            let key = key.clone();
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(300 * n)).await;
                jira.add_comment(&key, &comment("quiet")).await
            }
        })
    }));
    let (busy_done, quiet_done) = tokio::join!(on_busy, elsewhere);
    assert!(busy_done.iter().all(Result::is_ok), "{busy_done:?}");
    assert!(quiet_done.iter().all(Result::is_ok), "{quiet_done:?}");
    let log = site.handle.requests();
    let pauses = common::pauses(&log);
    assert!(
        pauses
            .iter()
            .any(|(scope, ..)| *scope == format!("issue {busy}")),
        "the busy issue must have been limited"
    );
    assert_eq!(
        common::early(&log),
        Vec::<String>::new(),
        "requests inside a pause"
    );
    // The other issues were written while the busy one was paused.
    let during: HashSet<&str> = log
        .iter()
        .filter(|r| r.status == 201 && r.issue_write.as_deref() != Some(busy.as_str()))
        .filter(|r| {
            pauses
                .iter()
                .any(|(_, from, until)| r.received_ms > *from && r.received_ms < *until)
        })
        .map(|r| r.path.as_str())
        .collect();
    assert!(
        !during.is_empty(),
        "a per-issue pause must not hold the other issues"
    );
    assert!(jira.pace().throttled > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_limit_pauses_its_endpoint_and_a_quota_limit_the_whole_site() {
    let site = common::start("").await;
    let jira = client(&site).await;
    let key = jira.create_issue(&issue(10)).await.unwrap().issue.key;
    site.handle.reset_stats();
    site.handle.set_faults(FaultConfig {
        rate_limit_per_sec: Some(4.0),
        ..FaultConfig::default()
    });
    let creates = join_all((11..31).map(|n| {
        let jira = jira.clone();
        async move { jira.create_issue(&issue(n)).await }
    }));
    let reads = join_all((0..20).map(|n| {
        let jira = jira.clone();
        let key = key.clone();
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(100 * n)).await;
            jira.get_issue(&key, &["summary"]).await
        }
    }));
    let (created, read) = tokio::join!(creates, reads);
    assert!(created.iter().all(Result::is_ok));
    assert!(read.iter().all(Result::is_ok));
    let log = site.handle.requests();
    assert!(
        log.iter()
            .any(|r| r.status == 429 && r.reason.as_deref() == Some("jira-burst-based")),
        "the burst limit must have fired"
    );
    assert_eq!(
        common::early(&log),
        Vec::<String>::new(),
        "requests inside a pause"
    );

    // The site's quota: 10 requests in a 3-second window, then nothing until it ends.
    site.handle.reset_stats();
    site.handle.set_faults(FaultConfig {
        quota_requests: Some(10),
        quota_window_ms: 3_000,
        ..FaultConfig::default()
    });
    let reads = join_all((0..25).map(|_| {
        let jira = jira.clone();
        let key = key.clone();
        async move { jira.get_issue(&key, &["summary"]).await }
    }))
    .await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");
    let log = site.handle.requests();
    let quota: Vec<&LoggedRequest> = log
        .iter()
        .filter(|r| r.reason.as_deref() == Some("jira-quota-tenant-based"))
        .collect();
    assert!(!quota.is_empty(), "the quota must have been reached");
    assert_eq!(
        common::early(&log),
        Vec::<String>::new(),
        "requests inside the quota pause"
    );
    assert!(jira.pace().throttled > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interactive_request_overtakes_queued_bulk_requests() {
    let site = common::start("").await;
    let politeness = Politeness {
        start_rate: 5.0,
        requests_per_sec: Some(5.0),
        max_concurrency: 1,
        ..common::fast()
    };
    let jira = common::client(&site, Dialect::CloudV3, common::api_token(), politeness).await;
    let key = jira.create_issue(&issue(40)).await.unwrap().issue.key;
    site.handle.reset_stats();
    let bulk = {
        let jira = jira.clone();
        let key = key.clone();
        tokio::spawn(Priority::Bulk.scope(async move {
            join_all((0..20).map(|n| {
                let jira = jira.clone();
                let key = key.clone();
                async move {
                    jira.add_comment(&key, &comment(&format!("import {n}")))
                        .await
                }
            }))
            .await
        }))
    };
    // Let the import queue up, then an agent asks for one issue.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let asked = site.handle.requests().len();
    Priority::Interactive
        .scope(jira.get_issue(&key, &["summary"]))
        .await
        .unwrap();
    let log = site.handle.requests();
    let agent = log
        .iter()
        .position(|r| r.method == "GET" && r.path.ends_with(&key))
        .expect("the agent's read reached the site");
    assert!(
        agent <= asked + 1,
        "the agent's read must be the next request sent (at most one bulk request was \
         already on its way): it came {} requests after it was asked",
        agent - asked
    );
    let done = bulk.await.unwrap();
    assert!(done.iter().all(Result::is_ok));
}
