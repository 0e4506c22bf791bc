//! `postroom jira check` against the sandbox that `serve --sandbox` mounts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Served, postroom};

#[tokio::test]
async fn jira_check_reports_the_site_and_the_projects_it_can_create_in() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let site = format!("{}/sandbox/jira", served.base);

    let other = tempfile::tempdir().unwrap();
    let output = tokio::task::spawn_blocking({
        let dir = other.path().to_owned();
        move || {
            postroom(&dir)
                .env("POSTROOM_JIRA__URL", &site)
                .env("POSTROOM_JIRA__EMAIL", jira_sandbox::ADMIN_EMAIL)
                .env("POSTROOM_JIRA__TOKEN", jira_sandbox::API_TOKEN)
                .args(["jira", "check", "--json"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report.to_string().contains("SUP"), "{report}");
    served.stop_gracefully();
}

#[test]
fn jira_check_without_a_jira_site_says_what_to_configure() {
    let dir = tempfile::tempdir().unwrap();
    let output = postroom(dir.path())
        .args(["jira", "check"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("jira.url"));
}
