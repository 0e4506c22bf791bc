//! Fault injection over HTTP, and the counters that make it observable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use std::time::Duration;

use common::{issue_body, start};
use jira_sandbox::FaultConfig;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn rate_limit_answers_429_with_jira_headers() {
    let site = start().await;
    site.sb.handle.set_faults(FaultConfig {
        rate_limit_per_sec: Some(2.0),
        ..Default::default()
    });
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let r = site
            .req(Method::GET, "/rest/api/3/myself")
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        last = Some(r);
    }
    assert_eq!(statuses, vec![200, 200, 429]);
    let r = last.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.headers()["ratelimit-reason"], "jira-burst-based");
    assert!(
        r.headers()["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(site.sb.handle.stats().effect("throttled"), 1);
}

#[tokio::test]
async fn per_issue_write_limit_names_its_reason() {
    let site = start().await;
    let key = site.create("busy").await;
    site.sb.handle.set_faults(FaultConfig {
        issue_writes_per_sec: Some(1.0),
        ..Default::default()
    });
    let path = format!("/rest/api/3/issue/{key}/properties/p");
    assert_eq!(site.send(Method::PUT, &path, Some(json!(1))).await.0, 201);
    let r = site
        .req(Method::PUT, &path)
        .json(&json!(2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-reason"], "jira-per-issue-on-write");
    assert_eq!(
        site.send(Method::GET, &path, None).await.0,
        200,
        "reads are not limited per issue"
    );
}

#[tokio::test]
async fn injected_errors_and_outage() {
    let site = start().await;
    site.sb.handle.set_faults(FaultConfig {
        error_500_rate: 1.0,
        ..Default::default()
    });
    assert_eq!(
        site.send(Method::GET, "/rest/api/3/myself", None).await.0,
        500
    );
    site.sb.handle.set_faults(FaultConfig {
        error_503_rate: 1.0,
        ..Default::default()
    });
    assert_eq!(
        site.send(Method::GET, "/rest/api/3/myself", None).await.0,
        503
    );
    site.sb.handle.set_faults(FaultConfig {
        outage_ms: 150,
        ..Default::default()
    });
    assert_eq!(
        site.send(Method::POST, "/rest/api/3/issue", Some(issue_body("x")))
            .await
            .0,
        503
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        site.send(Method::GET, "/rest/api/3/myself", None).await.0,
        200
    );
    let stats = site.sb.handle.stats();
    assert_eq!(
        (
            stats.effect("fault_500"),
            stats.effect("fault_503"),
            stats.effect("outage_503")
        ),
        (1, 1, 1)
    );
    assert_eq!(stats.effect("issue_created"), 0);
}

#[tokio::test]
async fn dropped_response_still_commits_the_write() {
    let site = start().await;
    site.sb.handle.set_faults(FaultConfig {
        drop_after_commit_rate: 1.0,
        ..Default::default()
    });
    let outcome = site
        .req(Method::POST, "/rest/api/3/issue")
        .json(&issue_body("lost reply"))
        .send()
        .await;
    let body = match outcome {
        Ok(r) => r.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(body.is_err(), "the client must not get a readable answer");
    site.sb.handle.set_faults(FaultConfig::default());
    let stats = site.sb.handle.stats();
    assert_eq!(stats.effect("issue_created"), 1);
    assert_eq!(stats.effect("response_dropped"), 1);
    let (_, found) = site
        .send(
            Method::POST,
            "/rest/api/3/search/jql",
            Some(json!({"jql": "summary ~ \"lost reply\"", "fields": ["summary"]})),
        )
        .await;
    assert_eq!(found["issues"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn latency_and_fault_endpoint_round_trip() {
    let site = start().await;
    let (status, set) = site
        .send(
            Method::PUT,
            "/_sandbox/faults",
            Some(json!({"latency_ms": 30, "index_lag_ms": 5})),
        )
        .await;
    assert_eq!(status, 200, "{set}");
    let (_, got) = site.send(Method::GET, "/_sandbox/faults", None).await;
    assert_eq!(got["latency_ms"], 30);
    let (status, _) = site
        .send(
            Method::PUT,
            "/_sandbox/faults",
            Some(json!({"latency": 30})),
        )
        .await;
    assert_eq!(status, 400, "unknown keys are refused");
    let agent = jira_sandbox::Credentials::agent().basic_header();
    let r = site
        .http
        .get(format!("{}/_sandbox/stats", site.sb.base_url))
        .header("authorization", agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    site.create("counted").await;
    let (_, stats) = site.send(Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(stats["requests"]["POST /rest/api/3/issue"], 1);
    assert_eq!(stats["responses"]["POST /rest/api/3/issue 201"], 1);
}

#[tokio::test]
async fn index_lag_hides_new_issues_from_search() {
    let site = start().await;
    site.sb.handle.set_faults(FaultConfig {
        index_lag_ms: 300,
        ..Default::default()
    });
    site.create("fresh").await;
    let q = json!({"jql": "project = SUP", "fields": ["summary"]});
    let (_, now) = site
        .send(Method::POST, "/rest/api/3/search/jql", Some(q.clone()))
        .await;
    assert_eq!(now["issues"].as_array().unwrap().len(), 0);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let (_, later) = site
        .send(Method::POST, "/rest/api/3/search/jql", Some(q))
        .await;
    assert_eq!(later["issues"].as_array().unwrap().len(), 1);
}
