//! Webhooks: signed deliveries to a loopback receiver, stable identifiers across retries.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::{adf, start_with};
use jira_sandbox::{RetryPolicy, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::mpsc;

struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A receiver that answers 503 to the first `fail_first` requests, then 200.
async fn receiver(fail_first: u32) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let failures = Arc::new(AtomicU32::new(fail_first));
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let tx = tx.clone();
            let failures = failures.clone();
            async move {
                tx.send(Received {
                    headers,
                    body: body.to_vec(),
                })
                .ok();
                let left = failures.load(Ordering::SeqCst);
                if left > 0 {
                    failures.store(left - 1, Ordering::SeqCst);
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, rx)
}

fn fast_retries() -> SandboxConfig {
    SandboxConfig {
        webhook_retry: RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(20),
        },
        ..Default::default()
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("delivery in time")
        .expect("channel open")
}

#[tokio::test]
async fn comment_raises_signed_comment_created_and_issue_updated() {
    let site = start_with(fast_retries()).await;
    let (url, mut rx) = receiver(0).await;
    let hook = json!({"name": "postroom", "url": url, "events": ["comment_created", "jira:issue_updated"],
                      "filters": {"issue-related-events-section": "project = SUP"}, "secret": "s3cret"});
    let (status, _) = site
        .send(Method::POST, "/rest/webhooks/1.0/webhook", Some(hook))
        .await;
    assert_eq!(status, 201);
    let key = site.create("Hooked").await;
    let body = json!({"body": adf("hello"), "properties": [{"key": "sd.public.comment", "value": {"internal": true}}]});
    site.send(
        Method::POST,
        &format!("/rest/api/3/issue/{key}/comment"),
        Some(body),
    )
    .await;

    let mut events = Vec::new();
    for _ in 0..2 {
        let got = next(&mut rx).await;
        let sig = got.headers["x-hub-signature"].to_str().unwrap().to_owned();
        assert_eq!(sig, jira_sandbox::webhook_signature("s3cret", &got.body));
        assert!(!got.headers["x-atlassian-webhook-identifier"].is_empty());
        let payload: Value = serde_json::from_slice(&got.body).unwrap();
        assert_eq!(payload["issue"]["key"], key);
        assert_eq!(payload["comment"]["jsdPublic"], false);
        assert_eq!(
            payload["comment"]["body"], "hello",
            "webhooks use the v2 representation"
        );
        assert_eq!(payload["issue_event_type_name"], "issue_commented");
        events.push(payload["webhookEvent"].as_str().unwrap().to_owned());
    }
    events.sort();
    assert_eq!(events, vec!["comment_created", "jira:issue_updated"]);
}

#[tokio::test]
async fn failed_delivery_is_retried_with_the_same_identifier() {
    let site = start_with(fast_retries()).await;
    let (url, mut rx) = receiver(2).await;
    site.sb
        .handle
        .register_webhook(&url, &["jira:issue_created"], None, None)
        .unwrap();
    site.create("Retry me").await;
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for _ in 0..3 {
            let got = next(&mut rx).await;
            assert!(
                got.headers.get("x-hub-signature").is_none(),
                "no secret, no signature"
            );
            ids.push(
                got.headers["x-atlassian-webhook-identifier"]
                    .to_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        ids
    };
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stats = site.sb.handle.stats();
    assert_eq!(stats.effect("webhook_failed_attempt"), 2);
    assert_eq!(stats.effect("webhook_delivered"), 1);
}

#[tokio::test]
async fn transition_sends_changelog_and_jql_filter_excludes_other_issues() {
    let site = start_with(fast_retries()).await;
    let (url, mut rx) = receiver(0).await;
    let first = site.create("Watched").await;
    let other = site.create("Ignored").await;
    site.sb
        .handle
        .register_webhook(
            &url,
            &["jira:issue_updated"],
            Some(&format!("key = {first}")),
            None,
        )
        .unwrap();
    for key in [&other, &first] {
        site.send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/transitions"),
            Some(json!({"transition": {"id": "11"}})),
        )
        .await;
    }
    let payload: Value = serde_json::from_slice(&next(&mut rx).await.body).unwrap();
    assert_eq!(payload["issue"]["key"], first.as_str());
    assert_eq!(payload["changelog"]["items"][0]["field"], "status");
    assert_eq!(payload["changelog"]["items"][0]["toString"], "In Progress");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rx.recv())
            .await
            .is_err(),
        "no delivery for {other}"
    );
}

#[tokio::test]
async fn non_loopback_receivers_are_refused() {
    let site = start_with(fast_retries()).await;
    let hook =
        json!({"name": "x", "url": "http://example.com/hook", "events": ["jira:issue_created"]});
    let (status, err) = site
        .send(Method::POST, "/rest/webhooks/1.0/webhook", Some(hook))
        .await;
    assert_eq!(status, 400);
    assert!(err["errors"]["url"].is_string());
    assert!(
        site.sb
            .handle
            .register_webhook("http://10.1.2.3/", &["jira:issue_created"], None, None)
            .is_none()
    );
}
