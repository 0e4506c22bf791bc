//! Small hardening (issue #24.9), through the binary: a fresh data directory is private,
//! `/metrics` needs its token (or the loopback `http.metrics_addr`), and JSON endpoints
//! refuse a body that does not say it is JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use support::{PATIENCE, Served, postroom};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn a_fresh_data_directory_is_readable_by_its_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    served.assert_healthy().await;
    let data = dir.path().join("data");
    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&data.join("blobs")), 0o700, "the blob directory");
    assert_eq!(mode(&data.join("postroom.db")), 0o600, "the database");
    for side in ["postroom.db-wal", "postroom.db-shm"] {
        let path = data.join(side);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{side}");
        }
    }
    served.stop_gracefully();
}

#[tokio::test]
async fn metrics_answer_401_without_their_token_and_are_open_on_the_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(
        dir.path(),
        &[("POSTROOM_HTTP__METRICS_ADDR", "127.0.0.1:0")],
    )
    .await;
    let client = reqwest::Client::new();
    let url = format!("{}/metrics", served.base);
    assert_eq!(client.get(&url).send().await.unwrap().status(), 401);
    let wrong = client.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(served.metrics().await.contains("postroom_build_info"));

    let start = Instant::now();
    let addr = loop {
        let found = served.stderr().iter().find_map(|l| {
            l.strip_prefix("postroom: metrics listening on ")
                .map(str::to_owned)
        });
        if let Some(addr) = found {
            break addr;
        }
        assert!(start.elapsed() < PATIENCE, "no metrics listener");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let open = client
        .get(format!("http://{}/metrics", addr.trim()))
        .send()
        .await
        .unwrap();
    assert_eq!(open.status(), 200);
    assert!(open.text().await.unwrap().contains("postroom_build_info"));
    served.stop_gracefully();
}

#[test]
fn a_metrics_address_that_is_not_loopback_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = postroom(dir.path())
        .args(["serve", "--http", "127.0.0.1:0"])
        .env("POSTROOM_HTTP__METRICS_ADDR", "0.0.0.0:9100")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("http.metrics_addr"), "{stderr}");
}

#[tokio::test]
async fn json_endpoints_answer_415_to_a_body_that_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let out = postroom(dir.path())
        .args(["token", "create", "--account-id", "557058:f00"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let client = reqwest::Client::new();
    let draft = r#"{"name":"n","body":"b"}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = client
            .post(format!("{}/api/v1/templates", served.base))
            .bearer_auth(&token)
            .body(draft);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 415, "{content_type:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("application/json"),
            "{body}"
        );
    }
    let json = client
        .post(format!("{}/api/v1/templates", served.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(draft)
        .send()
        .await
        .unwrap();
    assert_ne!(json.status(), 415, "a JSON body gets past the check");
    served.stop_gracefully();
}

/// The `tenant` label of the `postroom_jira_configured` gauge in `served`'s metrics.
async fn site_label(served: &Served) -> String {
    let text = served.metrics().await;
    let line = text
        .lines()
        .find(|l| l.starts_with("postroom_jira_configured{"))
        .unwrap_or_else(|| panic!("no postroom_jira_configured in {text}"));
    let label = line
        .split("tenant=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    label.to_owned()
}

#[tokio::test]
async fn per_site_series_name_no_site_unless_asked_and_keep_their_label_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let opaque = site_label(&served).await;
    assert!(opaque.starts_with("site-"), "{opaque}");
    assert!(!served.metrics().await.contains("tenant=\"default\""));
    served.stop_gracefully();

    let again = Served::start(dir.path(), &[]).await;
    assert_eq!(site_label(&again).await, opaque, "stable across restarts");
    again.stop_gracefully();

    let named = Served::start(dir.path(), &[("POSTROOM_HTTP__METRICS_SITE_NAMES", "true")]).await;
    assert_eq!(site_label(&named).await, "default");
    named.stop_gracefully();
}

#[tokio::test]
async fn a_log_that_is_not_a_terminal_carries_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    served.assert_healthy().await;
    let lines = served.stderr();
    assert!(lines.iter().any(|l| l.contains("INFO")), "{lines:?}");
    assert!(
        !lines.iter().any(|l| l.contains('\u{1b}')),
        "escape codes in {lines:?}"
    );
    served.stop_gracefully();
}
