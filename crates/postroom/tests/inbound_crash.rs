//! Exactly once under fire: 1,000 mails in the intake, the worker process killed with
//! SIGKILL at random moments while the sandbox (a separate process, so it survives) answers
//! with 429s, 500s and 503s, drops answers after committing writes and lets search lag.
//! 200 of the mails come with a reply, imported before its original. At the end the
//! sandbox holds exactly one issue per original and one comment per reply, on its
//! original's issue, and every mail has a result.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use postroom_store::inbound::ResultStatus;
use serde_json::json;
use support::sandbox::Sandbox;
use support::{Served, postroom};

const MAILS: usize = 1_000;
const REPLIES: usize = 200;
/// How long the sandbox's search lags behind its writes.
const INDEX_LAG_MS: u64 = 1_500;
/// Generous: the whole run takes well under a minute on an idle machine.
const PATIENCE: Duration = Duration::from_secs(600);

/// Every SUP issue's summary and comment count, through search pages (as Jira pages),
/// once search has caught up with the injected index lag.
async fn issues(sandbox: &Sandbox) -> Vec<(String, String, usize)> {
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
        let page = sandbox.call(reqwest::Method::GET, &path, None).await;
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
async fn faults(sandbox: &Sandbox, on: bool) {
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
    sandbox.set_faults(faults).await;
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
async fn a_thousand_mails_and_replies_through_three_kills_and_a_faulty_jira_make_each_issue_once() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    faults(&sandbox, true).await;
    let profile = dir.path().join("profile.json");
    std::fs::write(
        &profile,
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    )
    .unwrap();
    let db = format!("sqlite:{}", dir.path().join("data/postroom.db").display());
    let mut env = sandbox.jira_env();
    env.extend(
        [
            ("POSTROOM_INBOUND__PROFILE", profile.to_str().unwrap()),
            ("POSTROOM_INBOUND__LEASE_SECONDS", "3"),
            ("POSTROOM_INBOUND__WORKERS", "8"),
            ("POSTROOM_JIRA__REQUESTS_PER_SEC", "100"),
            // Search lags 1.5 s here: a lost create is found well within 15 s, and a worker
            // killed before its create went out does not keep its mail waiting 5 minutes.
            ("POSTROOM_JIRA__UNKNOWN_OUTCOME_MAX_SECS", "15"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let worker = Worker {
        dir: dir.path(),
        env,
    };

    // The first 200 mails come with their replies, each reply's file before its original's:
    // a reply must wait for its original, never open an issue of its own.
    let all = (0..MAILS).flat_map(|n| {
        let reply = (n < REPLIES).then(|| reply_mail(n));
        reply.into_iter().chain(std::iter::once(new_mail(n)))
    });
    let mails = write_mails(dir.path(), "mails", all);
    let imported = postroom(dir.path())
        .arg("process")
        .arg(&mails)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let served = run_with_kills(&worker, &db, MAILS + REPLIES, 3).await;
    drop(served);
    let dropped = sandbox.effect("response_dropped").await;
    let throttled = sandbox.effect("throttled").await;
    faults(&sandbox, false).await;

    let done = results(&db).await;
    assert_eq!(
        done.len(),
        MAILS + REPLIES,
        "every mail has exactly one result"
    );
    let created: Vec<_> = done
        .iter()
        .filter(|(s, _)| *s == ResultStatus::Created)
        .collect();
    assert_eq!(created.len(), MAILS, "no reply opened an issue of its own");
    let keys: BTreeSet<_> = created.iter().filter_map(|(_, k)| k.clone()).collect();
    assert_eq!(keys.len(), MAILS, "one distinct issue per original");
    assert_eq!(
        done.iter()
            .filter(|(s, _)| *s == ResultStatus::Commented)
            .count(),
        REPLIES
    );
    assert_eq!(sandbox.effect("issue_created").await, MAILS as u64);
    assert_eq!(sandbox.effect("comment_created").await, REPLIES as u64);
    let issues = issues(&sandbox).await;
    assert_eq!(issues.len(), MAILS);
    let summaries: BTreeSet<_> = issues.iter().map(|(_, s, _)| s.clone()).collect();
    let expected: BTreeSet<_> = (0..MAILS).map(|n| format!("crash test {n:04}")).collect();
    assert_eq!(summaries, expected, "every issue is its original's");
    let commented: Vec<_> = issues.iter().filter(|(_, _, c)| *c > 0).collect();
    assert_eq!(commented.len(), REPLIES);
    assert!(commented.iter().all(|(_, _, c)| *c == 1));
    let expected: BTreeSet<_> = (0..REPLIES).map(|n| format!("crash test {n:04}")).collect();
    let got: BTreeSet<_> = commented.iter().map(|(_, s, _)| s.clone()).collect();
    assert_eq!(got, expected, "each reply on its own original's issue");
    assert!(
        throttled > 0 && dropped > 0,
        "the faults did fire: {throttled} throttled, {dropped} dropped"
    );
}
