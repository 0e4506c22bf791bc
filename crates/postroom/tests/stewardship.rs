#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Black-box tests of the stewardship primitives through the binary: the master key made
//! by the first `serve`, API tokens, the access log, tenant erasure and the data inventory.

mod support;

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use support::{Served, postroom};

fn run_ok(dir: &std::path::Path, args: &[&str]) -> String {
    let out = postroom(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "postroom {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn whoami(served: &Served, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("{}/api/v1/whoami", served.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn first_serve_without_a_key_creates_one_readable_only_by_its_owner_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let key = dir.path().join("data/master.key");
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    served.assert_healthy().await;
    let warned = served
        .stderr
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("BACK IT UP"));
    assert!(
        warned,
        "no backup warning: {:?}",
        served.stderr.lock().unwrap()
    );
    served.stop_gracefully();

    let again = Served::start(dir.path(), &[]).await;
    assert_eq!(
        std::fs::read_to_string(&key).unwrap(),
        text,
        "the key was replaced"
    );
    assert!(
        !again
            .stderr
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("BACK IT UP"))
    );
}

#[tokio::test]
async fn api_tokens_authenticate_and_a_revoked_one_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let token = run_ok(
        dir.path(),
        &[
            "token",
            "create",
            "--account-id",
            "5b10ac8d82e05b22cc7d4ef5",
            "--name",
            "ci",
            "--scope",
            "admin",
        ],
    );
    let token = token.trim();
    assert!(token.starts_with("pr_"), "{token}");

    assert_eq!(whoami(&served, None).await.0, 401);
    assert_eq!(whoami(&served, Some("pr_wrong")).await.0, 401);
    let (status, body) = whoami(&served, Some(token)).await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["tenant"], "default");
    assert_eq!(body["account_id"], "5b10ac8d82e05b22cc7d4ef5");
    assert_eq!(body["scope"], "admin");

    let list = run_ok(dir.path(), &["token", "list"]);
    assert!(!list.contains(token), "token list shows the secret");
    let id = list.split('\t').next().unwrap().to_owned();
    run_ok(dir.path(), &["token", "revoke", &id]);
    assert_eq!(whoami(&served, Some(token)).await.0, 401);

    // The access log has each request, with route, status, tenant, account and a cut IP,
    // and never the token.
    let store = Store::open(&format!(
        "sqlite:{}",
        dir.path().join("data/postroom.db").display()
    ))
    .await
    .unwrap();
    let tenant = store.tenant(&TenantId::default_tenant()).await.unwrap();
    let entries = tenant.access_log(10).await.unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(
        (entry.route.as_str(), entry.status),
        ("/api/v1/whoami", 200)
    );
    assert_eq!(
        entry.account_id.as_deref(),
        Some("5b10ac8d82e05b22cc7d4ef5")
    );
    assert_eq!(entry.ip.as_deref(), Some("127.0.0.0/24"));
    let all = format!("{entries:?}");
    assert!(!all.contains("pr_"), "{all}");
}

#[tokio::test]
async fn tenant_erase_destroys_the_key_and_the_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let token = run_ok(dir.path(), &["token", "create", "--account-id", "acc-1"]);
    assert_eq!(whoami(&served, Some(token.trim())).await.0, 200);
    served.stop_gracefully();
    assert!(dir.path().join("data/keys/default.key").exists());

    let out = run_ok(dir.path(), &["tenant", "erase", "default"]);
    assert!(out.contains("erased tenant default"), "{out}");
    assert!(!dir.path().join("data/keys/default.key").exists());
    let list = postroom(dir.path())
        .args(["token", "list"])
        .output()
        .unwrap();
    assert!(!list.status.success(), "tenant default still exists");
}

#[test]
fn data_inventory_json_lists_every_table_with_its_retention() {
    let dir = tempfile::tempdir().unwrap();
    let json = run_ok(dir.path(), &["data-inventory", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let tables: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert!(!t["kept"].as_str().unwrap().is_empty(), "{t}");
            t["name"].as_str().unwrap()
        })
        .collect();
    for table in ["tenants", "api_tokens", "access_log"] {
        assert!(tables.contains(&table), "{tables:?}");
    }
    let md = run_ok(dir.path(), &["data-inventory"]);
    assert!(
        md.starts_with("| data | where | protection | kept |"),
        "{md}"
    );
}

#[tokio::test]
async fn logs_show_the_jira_account_only_as_a_keyed_hash() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("POSTROOM_JIRA__URL", "https://logs.example.test"),
        ("POSTROOM_JIRA__EMAIL", "Robot.Account@Example.Test"),
        ("POSTROOM_LOG__FORMAT", "json"),
    ];
    let first = Served::start(dir.path(), &env).await;
    first.assert_healthy().await;
    let lines = first.stderr.lock().unwrap().clone();
    first.stop_gracefully();
    let hash_of = |lines: &[String]| {
        let line = lines
            .iter()
            .find(|l| l.contains("Jira site configured"))
            .unwrap_or_else(|| panic!("no Jira line in {lines:?}"))
            .clone();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        json["fields"]["account"].as_str().unwrap().to_owned()
    };
    for line in &lines {
        assert!(
            !line.to_lowercase().contains("robot.account"),
            "address in clear: {line}"
        );
    }
    let hash = hash_of(&lines);
    assert!(hash.starts_with("addr:") && hash.len() == 21, "{hash}");

    let second = Served::start(dir.path(), &env).await;
    let again = second.stderr.lock().unwrap().clone();
    assert_eq!(hash_of(&again), hash, "the same address must hash the same");
}
