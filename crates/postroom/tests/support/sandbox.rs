//! A standalone `postroom sandbox` in its own process, so that it outlives the `serve`
//! processes a test kills, with its fault injection and effect counters.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::postroom;

/// A standalone `postroom sandbox`, killed when dropped.
pub struct Sandbox {
    child: Child,
    pub base: String,
}

impl Sandbox {
    pub fn start(dir: &Path) -> Self {
        let mut child = postroom(dir)
            .args(["sandbox", "--http", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Keep reading: a closed pipe would end the sandbox at its next line of output.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("the sandbox's base URL")
            .trim_end_matches([',', ';', ')'])
            .to_owned();
        Self { child, base }
    }

    /// A call as the site's administrator, which must succeed; its JSON answer.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {response:?}");
        response.json().await.unwrap_or(Value::Null)
    }

    /// Replaces the injected faults.
    pub async fn set_faults(&self, faults: Value) {
        self.call(reqwest::Method::PUT, "/_sandbox/faults", Some(faults))
            .await;
    }

    /// How often the sandbox has had the effect `name` (`issue_created`, ...).
    pub async fn effect(&self, name: &str) -> u64 {
        let stats = self
            .call(reqwest::Method::GET, "/_sandbox/stats", None)
            .await;
        stats["effects"][name].as_u64().unwrap_or(0)
    }

    /// The environment of a `serve` that uses this sandbox as its Jira.
    pub fn jira_env(&self) -> Vec<(String, String)> {
        [
            ("POSTROOM_JIRA__URL", self.base.as_str()),
            ("POSTROOM_JIRA__EMAIL", jira_sandbox::ADMIN_EMAIL),
            ("POSTROOM_JIRA__TOKEN", jira_sandbox::API_TOKEN),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
