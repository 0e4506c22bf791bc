//! The site mounted under a prefix on someone else's listener, as `serve --sandbox` does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::net::SocketAddr;

use axum::Router;
use jira_sandbox::{Credentials, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

async fn mounted(connect_info: bool, config: SandboxConfig) -> (String, SandboxHandle) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let handle = SandboxHandle::new(config, format!("http://{addr}/sandbox/jira")).unwrap();
    let app = Router::new().nest("/sandbox/jira", handle.router());
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move {
        if connect_info {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .ok()
        } else {
            axum::serve(listener, app).await.ok()
        }
    });
    (format!("http://{addr}/sandbox/jira"), handle)
}

#[tokio::test]
async fn mounted_site_links_under_its_prefix_and_takes_app_tokens_there() {
    let (base, handle) = mounted(true, SandboxConfig::default()).await;
    let http = reqwest::Client::new();
    let auth = Credentials::admin().basic_header();
    let body = json!({"fields": {"project": {"key": "SUP"}, "issuetype": {"id": "10001"}, "summary": "mounted"}});
    let r = http
        .post(format!("{base}/rest/api/3/issue"))
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert!(
        created["self"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{base}/rest/api/3/issue/"))
    );
    assert_eq!(
        handle
            .stats()
            .requests_to("POST /sandbox/jira/rest/api/3/issue"),
        1
    );

    let forge = handle.install_forge_app("ari:cloud:ecosystem::app/mounted");
    assert_eq!(
        forge.api_base_url, base,
        "the app's API base URL is the mounted site"
    );
    let (token, _) = handle
        .grant_forge_token(
            &forge.installation_id,
            None,
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    let r = http
        .get(format!("{base}/rest/api/3/myself"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the app's token works below the mount point"
    );
}

#[tokio::test]
async fn without_peer_address_every_credential_is_refused() {
    let (base, _) = mounted(false, SandboxConfig::default()).await;
    let r = reqwest::Client::new()
        .get(format!("{base}/rest/api/3/myself"))
        .header("authorization", Credentials::admin().basic_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["errorMessages"][0]
            .as_str()
            .unwrap()
            .contains("loopback")
    );
}

#[tokio::test]
async fn registering_the_same_receiver_twice_keeps_one_webhook() {
    let (base, handle) = mounted(true, SandboxConfig::default()).await;
    let first = handle
        .register_webhook(
            "http://127.0.0.1:1/hook",
            &["jira:issue_created"],
            None,
            Some("a"),
        )
        .unwrap();
    let second = handle
        .register_webhook(
            "http://127.0.0.1:1/hook",
            &["jira:issue_created"],
            None,
            Some("b"),
        )
        .unwrap();
    assert_eq!(first, second);
    let list: Value = reqwest::Client::new()
        .get(format!("{base}/rest/webhooks/1.0/webhook"))
        .header("authorization", Credentials::admin().basic_header())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
}
