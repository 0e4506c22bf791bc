//! `postroom sandbox --http 127.0.0.1:0` as a user runs it: it prints where it serves and
//! the credentials, and the site there behaves like Jira.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// The child process and the directory it runs in, both gone at the end of the test.
struct Running {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> (Running, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_postroom"))
        .args(["sandbox", "--http", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("postroom starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let first = BufReader::new(stdout)
        .lines()
        .next()
        .expect("a banner line")
        .expect("readable");
    let base = first
        .rsplit(' ')
        .next()
        .expect("base URL at the end")
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    (Running { child, _dir: dir }, base)
}

#[tokio::test]
async fn standalone_sandbox_serves_a_jira_site() {
    let (_running, base) = start();
    let http = reqwest::Client::new();
    let issue = json!({"fields": {"project": {"key": "SUP"}, "issuetype": {"name": "Task"}, "summary": "From the CLI test",
        "description": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}]}}});
    let anonymous = http
        .post(format!("{base}/rest/api/3/issue"))
        .json(&issue)
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);
    let created = http
        .post(format!("{base}/rest/api/3/issue"))
        .basic_auth("admin@example.com", Some("sandbox"))
        .json(&issue)
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201);
    let key = created.json::<Value>().await.expect("JSON")["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let got: Value = http
        .get(format!("{base}/rest/api/3/issue/{key}"))
        .basic_auth("admin@example.com", Some("sandbox"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(got["fields"]["summary"], "From the CLI test");
}
