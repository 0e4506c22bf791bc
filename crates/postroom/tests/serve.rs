//! The binary as an administrator runs it: init, serve on embedded defaults and on
//! PostgreSQL, health, readiness, metrics, graceful stop, bad configuration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use support::{Served, postroom};

#[test]
fn init_writes_a_starter_file_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = postroom(dir.path()).arg("init").output().unwrap();
    assert!(first.status.success(), "{first:?}");
    let written = std::fs::read_to_string(dir.path().join("postroom.toml")).unwrap();
    assert!(written.contains("[storage]"));

    let second = postroom(dir.path()).arg("init").output().unwrap();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("postroom.toml")).unwrap(),
        written
    );
}

#[tokio::test]
async fn serve_with_no_configuration_runs_on_embedded_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    served.assert_healthy().await;
    assert!(dir.path().join("data/postroom.db").exists());
    served.stop_gracefully();
}

#[tokio::test]
async fn serve_after_init_uses_the_starter_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(postroom(dir.path()).arg("init").status().unwrap().success());
    let served = Served::start(dir.path(), &[]).await;
    served.assert_healthy().await;
    served.stop_gracefully();
}

#[tokio::test]
async fn serve_on_postgresql_from_the_environment() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[("POSTROOM_STORAGE__URL", url.as_str())]).await;
    served.assert_healthy().await;
    assert!(!dir.path().join("data/postroom.db").exists());
    served.stop_gracefully();

    let listed = postroom(dir.path())
        .env("POSTROOM_STORAGE__URL", &url)
        .args(["tenant", "list"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("default\t"));
}

#[test]
fn a_bad_configuration_stops_serve_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("postroom.toml"),
        "[http]\naddr = \"127.0.0.1:0\"\n\n[storage]\nurl = \"mysql://db/x\"\n",
    )
    .unwrap();
    let output = postroom(dir.path()).arg("serve").output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "postroom.toml:5: storage.url: unsupported scheme \"mysql\", expected sqlite: or postgres:"
        ),
        "{stderr}"
    );
}

#[test]
fn migrate_and_tenant_show_work_on_a_fresh_directory() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = postroom(dir.path()).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    let show = postroom(dir.path())
        .args(["tenant", "show"])
        .output()
        .unwrap();
    assert!(!show.status.success(), "no tenant before serve creates it");
    let stderr = String::from_utf8_lossy(&show.stderr);
    assert!(
        stderr.contains("no tenant \"default\" on this instance") && !stderr.contains("TenantId"),
        "the tenant is named in plain words: {stderr}"
    );
}

#[test]
fn every_subcommand_has_help() {
    for command in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["tenant", "--help"],
        vec!["tenant", "list", "--help"],
        vec!["tenant", "show", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_postroom"))
            .args(&command)
            .output()
            .unwrap();
        assert!(output.status.success(), "{command:?}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage"));
    }
}

#[tokio::test]
async fn serve_with_sandbox_mounts_a_persistent_jira_site() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    served.assert_healthy().await;

    let client = reqwest::Client::new();
    let site = format!("{}/sandbox/jira", served.base);
    let unauthenticated = client
        .get(format!("{site}/rest/api/3/myself"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);
    let created = client
        .post(format!("{site}/rest/api/2/issue"))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(&serde_json::json!({"fields": {
            "project": {"key": "SUP"}, "issuetype": {"name": "Task"},
            "summary": "survives a restart", "description": "demo"
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let key = created.json::<serde_json::Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    served.stop_gracefully();
    assert!(dir.path().join("data/sandbox.json").exists());

    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let site = format!("{}/sandbox/jira", served.base);
    let fetched = client
        .get(format!("{site}/rest/api/2/issue/{key}"))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status().as_u16(), 200);
    let body: serde_json::Value = fetched.json().await.unwrap();
    assert_eq!(body["fields"]["summary"], "survives a restart");

    let tenant = postroom(dir.path())
        .args(["tenant", "show"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&tenant.stdout).contains("/sandbox/jira"));
    served.stop_gracefully();
}

#[test]
fn jobs_list_on_a_fresh_tenant_is_empty_and_show_of_a_missing_job_fails() {
    let dir = tempfile::tempdir().unwrap();
    let served = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(Served::start(dir.path(), &[]));
    let list = postroom(dir.path())
        .args(["jobs", "list"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 1);
    let show = postroom(dir.path())
        .args(["jobs", "show", "42"])
        .output()
        .unwrap();
    assert!(!show.status.success());
    served.stop_gracefully();
}
