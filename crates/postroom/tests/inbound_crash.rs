//! Exactly once under fire: 1,000 mails in the intake, the worker process killed with
//! SIGKILL at random moments while the sandbox (a separate process, so it survives) answers
//! with 429s, 500s and 503s, drops answers after committing writes and lets search lag.
//! At the end the sandbox holds exactly one issue per mail and one comment per reply, and
//! every mail has a result.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use postroom_store::inbound::ResultStatus;
use serde_json::{Value, json};
use support::{Served, postroom};

const MAILS: usize = 1_000;
const REPLIES: usize = 200;
/// How long the sandbox's search lags behind its writes.
const INDEX_LAG_MS: u64 = 1_500;
/// Generous: the whole run takes well under a minute on an idle machine.
const PATIENCE: Duration = Duration::from_secs(600);

/// A standalone `postroom sandbox`, killed when dropped.
struct Sandbox {
    child: Child,
    base: String,
}

impl Sandbox {
    fn start(dir: &Path) -> Self {
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

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
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

    /// Every SUP issue's summary and comment count, through search pages (as Jira pages),
    /// once search has caught up with the injected index lag.
    async fn issues(&self) -> Vec<(String, String, usize)> {
        tokio::time::sleep(Duration::from_millis(INDEX_LAG_MS + 500)).await;
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path =
                "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary,comment&maxResults=100"
                    .to_owned();
            if let Some(t) = &token {
                path.push_str(&format!("&nextPageToken={t}"));
            }
            let page = self.call(reqwest::Method::GET, &path, None).await;
            for issue in page["issues"].as_array().unwrap() {
                out.push((
                    issue["key"].as_str().unwrap().to_owned(),
                    issue["fields"]["summary"].as_str().unwrap().to_owned(),
                    issue["fields"]["comment"]["total"].as_u64().unwrap_or(0) as usize,
                ));
            }
            match page["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => return out,
            }
        }
    }

    /// The faults of the run, or none (so that the test's own checks get true answers).
    async fn faults(&self, on: bool) {
        let faults = if on {
            json!({
                "rate_limit_per_sec": 40.0,
                "error_500_rate": 0.03,
                "error_503_rate": 0.02,
                "drop_after_commit_rate": 0.05,
                "index_lag_ms": INDEX_LAG_MS
            })
        } else {
            json!({ "index_lag_ms": INDEX_LAG_MS })
        };
        self.call(reqwest::Method::PUT, "/_sandbox/faults", Some(faults))
            .await;
    }

    async fn effect(&self, name: &str) -> u64 {
        let stats = self
            .call(reqwest::Method::GET, "/_sandbox/stats", None)
            .await;
        stats["effects"][name].as_u64().unwrap_or(0)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pseudo-random delay from the clock: where in the work the kill lands.
fn random_ms(min: u64, max: u64) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    min + u64::from(nanos) % (max - min)
}

fn write_mails(dir: &Path, name: &str, mails: impl Iterator<Item = String>) -> std::path::PathBuf {
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    for (i, mail) in mails.enumerate() {
        std::fs::write(out.join(format!("{i:05}.eml")), mail).unwrap();
    }
    out
}

fn new_mail(n: usize) -> String {
    format!(
        "From: Customer {c} <cust{c}@customer.example>\r\nTo: support@example.com\r\n\
         Subject: crash test {n:04}\r\nMessage-ID: <crash-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nProblem number {n}.\r\n",
        c = n % 50
    )
}

fn reply_mail(n: usize) -> String {
    format!(
        "From: Customer {c} <cust{c}@customer.example>\r\nTo: support@example.com\r\n\
         Subject: Re: crash test {n:04}\r\nMessage-ID: <crash-reply-{n}@customer.example>\r\n\
         In-Reply-To: <crash-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 11:00:00 +0000\r\n\r\nStill broken ({n}).\r\n",
        c = n % 50
    )
}

struct Worker<'a> {
    dir: &'a Path,
    env: Vec<(String, String)>,
}

impl Worker<'_> {
    async fn start(&self) -> Served {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Served::start(self.dir, &env).await
    }
}

async fn results(db: &str) -> Vec<(ResultStatus, Option<String>)> {
    let store = Store::open(db).await.unwrap();
    let tenant = store.tenant(&TenantId::default_tenant()).await.unwrap();
    tenant
        .recent_results(100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.status, r.issue_key))
        .collect()
}

/// Kills the worker `kills` times at random moments, restarting it each time, then lets
/// it run until `want` results exist.
async fn run_with_kills(worker: &Worker<'_>, db: &str, want: usize, kills: usize) -> Served {
    let mut served = worker.start().await;
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(random_ms(500, 3_000))).await;
        served.kill();
        served = worker.start().await;
    }
    let start = Instant::now();
    loop {
        let done = results(db).await.len();
        if done >= want {
            return served;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{done} of {want} mails processed"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_thousand_mails_through_three_kills_and_a_faulty_jira_make_each_issue_once() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    sandbox.faults(true).await;
    let profile = dir.path().join("profile.json");
    std::fs::write(
        &profile,
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    )
    .unwrap();
    let db = format!("sqlite:{}", dir.path().join("data/postroom.db").display());
    let worker = Worker {
        dir: dir.path(),
        env: [
            ("POSTROOM_JIRA__URL", sandbox.base.as_str()),
            ("POSTROOM_JIRA__EMAIL", jira_sandbox::ADMIN_EMAIL),
            ("POSTROOM_JIRA__TOKEN", jira_sandbox::API_TOKEN),
            ("POSTROOM_INBOUND__PROFILE", profile.to_str().unwrap()),
            ("POSTROOM_INBOUND__LEASE_SECONDS", "3"),
            ("POSTROOM_INBOUND__WORKERS", "8"),
            ("POSTROOM_JIRA__REQUESTS_PER_SEC", "100"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect(),
    };

    let mails = write_mails(dir.path(), "new", (0..MAILS).map(new_mail));
    let imported = postroom(dir.path())
        .arg("process")
        .arg(&mails)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let served = run_with_kills(&worker, &db, MAILS, 3).await;
    drop(served);
    let dropped = sandbox.effect("response_dropped").await;
    let throttled = sandbox.effect("throttled").await;
    sandbox.faults(false).await;

    let done = results(&db).await;
    assert_eq!(done.len(), MAILS, "every mail has exactly one result");
    assert!(done.iter().all(|(s, _)| *s == ResultStatus::Created));
    let keys: BTreeSet<_> = done.iter().filter_map(|(_, k)| k.clone()).collect();
    assert_eq!(keys.len(), MAILS, "one distinct issue per mail");
    assert_eq!(sandbox.effect("issue_created").await, MAILS as u64);
    let issues = sandbox.issues().await;
    assert_eq!(issues.len(), MAILS);
    let summaries: BTreeSet<_> = issues.iter().map(|(_, s, _)| s.clone()).collect();
    let expected: BTreeSet<_> = (0..MAILS).map(|n| format!("crash test {n:04}")).collect();
    assert_eq!(summaries, expected);

    // Replies to the first 200: one comment each, through one more kill.
    let replies = write_mails(dir.path(), "replies", (0..REPLIES).map(reply_mail));
    let imported = postroom(dir.path())
        .arg("process")
        .arg(&replies)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    sandbox.faults(true).await;
    let served = run_with_kills(&worker, &db, MAILS + REPLIES, 1).await;
    drop(served);
    sandbox.faults(false).await;
    let done = results(&db).await;
    assert_eq!(
        done.iter()
            .filter(|(s, _)| *s == ResultStatus::Commented)
            .count(),
        REPLIES
    );
    assert_eq!(sandbox.effect("comment_created").await, REPLIES as u64);
    let issues = sandbox.issues().await;
    let commented: Vec<_> = issues.iter().filter(|(_, _, c)| *c > 0).collect();
    assert_eq!(commented.len(), REPLIES);
    assert!(commented.iter().all(|(_, _, c)| *c == 1));
    let expected: BTreeSet<_> = (0..REPLIES).map(|n| format!("crash test {n:04}")).collect();
    let got: BTreeSet<_> = commented.iter().map(|(_, s, _)| s.clone()).collect();
    assert_eq!(got, expected, "each reply on its own issue");
    assert!(
        throttled > 0 && dropped > 0,
        "the faults did fire: {throttled} throttled, {dropped} dropped"
    );
}
