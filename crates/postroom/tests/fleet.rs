#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Two `postroom serve` processes of a fleet: one PostgreSQL database, one S3 bucket (moto),
//! tenant keys kept by KMS (moto's KMS, `POSTROOM_TEST_KMS`), and no directory in common.
//! What one instance changes, the other serves at once, and neither keeps a key on disk.

mod support;

use std::path::Path;

use postroom_store::blobs::BlobConfig;
use reqwest::Method;
use serde_json::{Value, json};
use support::Served;
use support::sandbox::Sandbox;

const MASTER_KEY: &str = "5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5";

/// One instance's directory: its own `postroom.toml` naming the shared database, bucket and
/// KMS, and its own (never shared) data directory.
fn instance(dir: &Path, db_url: &str, bucket: &str, s3: &str, kms: &str) {
    let credentials = dir.join("aws-credentials");
    std::fs::write(
        &credentials,
        "access_key_id = test\nsecret_access_key = test\n",
    )
    .unwrap();
    let toml = format!(
        "[storage]\nurl = \"{db_url}\"\ndata_dir = \"{data}\"\n\n\
         [storage.s3]\nbucket = \"{bucket}\"\nregion = \"us-east-1\"\nendpoint = \"{s3}\"\n\
         credentials_file = \"{creds}\"\n\n\
         [keys]\nmaster_key = \"{MASTER_KEY}\"\n\
         kms = {{ region = \"us-east-1\", endpoint = \"{kms}\", credentials_file = \"{creds}\" }}\n",
        data = dir.join("data").display(),
        creds = credentials.display(),
    );
    std::fs::write(dir.join("postroom.toml"), toml).unwrap();
}

async fn call(
    served: &Served,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}/api/v1{path}", served.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn found(served: &Served, token: &str, word: &str) -> Vec<String> {
    let hits = call(
        served,
        token,
        Method::GET,
        &format!("/templates/search?q={word}"),
        None,
    )
    .await;
    hits.as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_template_changed_through_one_instance_is_found_by_a_search_on_another() {
    let Ok(kms) = std::env::var("POSTROOM_TEST_KMS") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "POSTROOM_TEST_KMS is not set under CI=true: the fleet test must run"
        );
        return;
    };
    let Some(db_url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    let Some(bucket) = postroom_store::blobs::testing::s3().unwrap() else {
        return;
    };
    let BlobConfig::S3(s3) = &bucket.config else {
        unreachable!("an S3 test bucket")
    };
    let s3_endpoint = s3.endpoint.clone().unwrap();
    let jira_dir = tempfile::tempdir().unwrap();
    let jira = Sandbox::start(jira_dir.path());
    let env: Vec<(String, String)> = jira.jira_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [&dir_a, &dir_b] {
        instance(dir.path(), &db_url, &s3.bucket, &s3_endpoint, &kms);
    }
    let a = Served::start(dir_a.path(), &env).await;
    let b = Served::start(dir_b.path(), &env).await;
    let made = support::postroom(dir_a.path())
        .args(["token", "create", "--scope", "agent", "--name", "fleet"])
        .args(["--account-id", jira_sandbox::AGENT_ACCOUNT_ID])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let token = String::from_utf8(made.stdout).unwrap();
    let token = token.lines().last().unwrap().trim().to_owned();

    let body =
        json!({"name": "Printer", "body": "Try the kettle first.", "scope": {"kind": "personal"}});
    let template = call(&a, &token, Method::POST, "/templates", Some(body)).await;
    assert_eq!(found(&b, &token, "kettle").await, ["Printer"]);

    let id = template["id"].as_str().unwrap();
    let change =
        json!({"name": "Printer", "body": "Try the toaster first.", "scope": {"kind": "personal"}});
    call(
        &a,
        &token,
        Method::PUT,
        &format!("/templates/{id}"),
        Some(change),
    )
    .await;
    assert_eq!(found(&b, &token, "toaster").await, ["Printer"]);
    assert!(found(&b, &token, "kettle").await.is_empty());

    // The tenant's key is with KMS: neither instance wrote a key vault.
    for dir in [&dir_a, &dir_b] {
        assert!(
            !dir.path().join("data/keys").exists(),
            "a key vault on disk"
        );
    }
    a.assert_healthy().await;
    b.assert_healthy().await;
}
