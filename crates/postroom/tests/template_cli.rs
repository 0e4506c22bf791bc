//! `postroom template …` as an administrator runs it, beside a `serve --sandbox` whose
//! sandbox Jira it uses: starter import, list, add with a validation error, render, apply,
//! export and re-import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Output;

use postroom_core::tenant::TenantId;
use postroom_core::usage::UsageFlag;
use postroom_store::usage::Usage;
use postroom_store::{Store, TenantStore};
use support::{Served, postroom};

/// The default tenant of the database `serve` keeps under `dir`.
async fn tenant_store(dir: &Path) -> TenantStore {
    let url = format!("sqlite:{}", dir.join("data/postroom.db").display());
    let store = Store::open(&url).await.unwrap();
    store.tenant(&TenantId::default_tenant()).await.unwrap()
}

fn template(dir: &Path, jira: &str, args: &[&str]) -> Output {
    postroom(dir)
        .arg("template")
        .args(args)
        .env("POSTROOM_JIRA__URL", jira)
        .env("POSTROOM_JIRA__EMAIL", jira_sandbox::ADMIN_EMAIL)
        .env("POSTROOM_JIRA__TOKEN", jira_sandbox::API_TOKEN)
        .output()
        .unwrap()
}

fn ok(dir: &Path, jira: &str, args: &[&str]) -> String {
    let out = template(dir, jira, args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn template_commands_work_against_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let jira = format!("{}/sandbox/jira", served.base);
    let d = dir.path();

    let imported = ok(d, &jira, &["import", "--starter", "en"]);
    assert_eq!(imported.lines().count(), 5, "{imported}");
    let listed = ok(d, &jira, &["list", "--search", "more information"]);
    let first = listed.lines().next().unwrap();
    assert!(first.ends_with("\tNeed more information"), "{listed}");
    let id = first.split('\t').next().unwrap();

    let bad = template(
        d,
        &jira,
        &["add", "--name", "x", "--body", "{{ reporter.frist_name }}"],
    );
    assert!(!bad.status.success());
    let said = String::from_utf8(bad.stderr).unwrap();
    assert!(
        said.contains("body: unknown variable reporter.frist_name"),
        "{said}"
    );

    let issue: serde_json::Value = reqwest::Client::new()
        .post(format!("{jira}/rest/api/3/issue"))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(&serde_json::json!({"fields": {"project": {"key": "SUP"}, "issuetype": {"name": "Task"}, "summary": "CLI"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = issue["key"].as_str().unwrap();
    let text = ok(d, &jira, &["render", id, "--issue", key]);
    assert!(text.starts_with("Hello Sandbox,"), "{text}");
    assert!(text.contains(key), "{text}");
    let applied = ok(
        d,
        &jira,
        &[
            "apply",
            id,
            "--issue",
            key,
            "--internal",
            "--transition",
            "Wait for customer",
        ],
    );
    assert!(applied.starts_with("comment "), "{applied}");
    let shown: serde_json::Value = serde_json::from_str(&ok(d, &jira, &["show", id])).unwrap();
    assert_eq!(shown["usage_count"], 1);
    // Counted for Insights like a post through the API, as postroom's own account.
    let usage = Usage::new(tenant_store(d).await);
    let now = postroom::app::now_ms();
    let weeks = usage.weeks(now).await.unwrap();
    assert_eq!(weeks.len(), 1, "{weeks:?}");
    assert_eq!(
        (
            weeks[0].template_id.as_str(),
            weeks[0].inserted,
            weeks[0].posted
        ),
        (id, 0, 1)
    );
    assert_eq!(weeks[0].account_id, jira_sandbox::ADMIN_ACCOUNT_ID);
    let flags = usage.flags(now).await.unwrap();
    assert!(flags.contains(&(UsageFlag::CommentPosted, 1)), "{flags:?}");

    let file = d.join("export.json");
    ok(d, &jira, &["export", "--output", file.to_str().unwrap()]);
    let again = ok(d, &jira, &["import", file.to_str().unwrap()]);
    assert_eq!(again.lines().count(), 5);
    let missing = template(d, &jira, &["import", "--starter", "xx"]);
    assert!(!missing.status.success());
    served.stop_gracefully();
}
