//! One conversation, one issue, through the real binary with 4 workers: 50 originals and
//! their replies, written a second apart, imported in one `process` call or sent in one SMTP
//! session, originals first or replies first, on SQLite and on PostgreSQL, make exactly 50
//! issues with exactly one comment each. When everything was taken in before the workers
//! start, each issue is its original's and each comment its reply's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use postroom_store::inbound::ResultStatus;
use serde_json::Value;
use support::{Served, Smtp, at_least, listening};

const PAIRS: usize = 50;

fn original(n: usize) -> String {
    format!(
        "From: Customer {n} <cust{n}@customer.example>\r\nTo: support@example.com\r\n\
         Subject: pair {n:02}\r\nMessage-ID: <orig-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nThe printer on floor {n} is jammed.\r\n"
    )
}

fn reply(n: usize) -> String {
    format!(
        "From: Customer {n} <cust{n}@customer.example>\r\nTo: support@example.com\r\n\
         Subject: Re: pair {n:02}\r\nMessage-ID: <reply-{n}@customer.example>\r\n\
         In-Reply-To: <orig-{n}@customer.example>\r\nReferences: <orig-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:01 +0000\r\n\r\nStill jammed on floor {n}.\r\n"
    )
}

/// Every mail of the run, originals first or replies first.
fn mails(replies_first: bool) -> Vec<String> {
    let mut out = Vec::new();
    for n in 0..PAIRS {
        if replies_first {
            out.extend([reply(n), original(n)]);
        } else {
            out.extend([original(n), reply(n)]);
        }
    }
    out
}

/// A scratch site on `db_url` (SQLite in the directory when `None`).
struct Site {
    dir: tempfile::TempDir,
    db_url: String,
}

impl Site {
    fn new(db_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_url = db_url
            .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("data/postroom.db").display()));
        Self { dir, db_url }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    async fn serve(&self) -> Served {
        Served::start_with_args(
            self.path(),
            &["--sandbox", "--smtp", "127.0.0.1:0"],
            &[
                ("POSTROOM_STORAGE__URL", self.db_url.as_str()),
                ("POSTROOM_INBOUND__WORKERS", "4"),
                ("POSTROOM_JIRA__REQUESTS_PER_SEC", "200"),
            ],
        )
        .await
    }

    /// `postroom process` of the mails as files, in the order given (the file names sort
    /// that way).
    fn import(&self, mails: &[String]) {
        let files = self.path().join("mails");
        std::fs::create_dir_all(&files).unwrap();
        for (i, mail) in mails.iter().enumerate() {
            std::fs::write(files.join(format!("{i:04}.eml")), mail).unwrap();
        }
        let out = support::postroom(self.path())
            .env("POSTROOM_STORAGE__URL", &self.db_url)
            .arg("process")
            .arg(&files)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }

    /// Waits for a result for every mail; returns how many issues and comments were made.
    async fn outcome(&self) -> (usize, usize) {
        let results = at_least(2 * PAIRS, "results", async || {
            support::results(&self.db_url).await
        })
        .await;
        let count = |s: ResultStatus| results.iter().filter(|r| r.status == s).count();
        (count(ResultStatus::Created), count(ResultStatus::Commented))
    }
}

/// The text of an ADF document.
fn text(node: &Value) -> String {
    let mut out = node["text"].as_str().unwrap_or_default().to_owned();
    for child in node["content"].as_array().into_iter().flatten() {
        out.push_str(&text(child));
    }
    out
}

/// 50 issues with one comment each; with `in_order`, each issue is its original's and its
/// comment is the reply's.
async fn assert_one_issue_per_pair(served: &Served, in_order: bool) {
    let issues = all_issues(served).await;
    assert_eq!(issues.len(), PAIRS, "one issue per conversation");
    for (summary, comments) in &issues {
        assert_eq!(comments.len(), 1, "{summary}: {comments:?}");
        let n: usize = summary
            .trim_start_matches("Re: ")
            .trim_start_matches("pair ")
            .parse()
            .unwrap();
        if in_order {
            assert_eq!(summary, &format!("pair {n:02}"));
            assert!(
                comments[0].contains(&format!("Still jammed on floor {n}.")),
                "{comments:?}"
            );
        }
    }
}

async fn imported_in_one_call(db_url: Option<String>, replies_first: bool) {
    let site = Site::new(db_url);
    site.import(&mails(replies_first));
    let served = site.serve().await;
    assert_eq!(site.outcome().await, (PAIRS, PAIRS));
    assert_one_issue_per_pair(&served, true).await;
}

async fn sent_in_one_session(db_url: Option<String>, replies_first: bool) {
    let site = Site::new(db_url);
    let served = site.serve().await;
    let mut smtp = Smtp::connect(&listening(&served, "smtp"));
    assert!(smtp.command("EHLO test.example").starts_with("250"));
    for mail in mails(replies_first) {
        assert!(
            smtp.command("MAIL FROM:<relay@customer.example>")
                .starts_with("250")
        );
        assert!(
            smtp.command("RCPT TO:<support@example.com>")
                .starts_with("250")
        );
        assert!(smtp.command("DATA").starts_with("354"));
        let answer = smtp.command(&format!("{mail}."));
        assert!(answer.starts_with("250"), "{answer}");
    }
    let _ = smtp.command("QUIT");
    assert_eq!(site.outcome().await, (PAIRS, PAIRS));
    // Sent original first, a second apart in their Date, each reply waits for its original.
    assert_one_issue_per_pair(&served, !replies_first).await;
}

#[tokio::test]
async fn replies_imported_before_their_originals_still_make_one_issue_each() {
    imported_in_one_call(None, true).await;
}

#[tokio::test]
async fn pairs_sent_in_one_smtp_session_make_one_issue_each() {
    sent_in_one_session(None, false).await;
}

#[tokio::test]
async fn replies_sent_before_their_originals_make_one_issue_each() {
    sent_in_one_session(None, true).await;
}

#[tokio::test]
async fn conversations_stay_whole_on_postgresql() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    imported_in_one_call(Some(url), false).await;
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    sent_in_one_session(Some(url), true).await;
}

/// What the README demo leaves behind: every issue's summary with its comments, and every
/// mail in the outbox as (To, Subject), issue keys replaced by their issue's summary (keys
/// are handed out in the order issues happen to be created).
async fn demo_outcome(workers: &str) -> (Vec<(String, Vec<String>)>, Vec<(String, String)>) {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let site = Site::new(None);
    let served = Served::start_with_args(
        site.path(),
        &["--sandbox"],
        &[
            ("POSTROOM_STORAGE__URL", site.db_url.as_str()),
            ("POSTROOM_INBOUND__WORKERS", workers),
        ],
    )
    .await;
    let mut taken = 0;
    for dir in ["mail", "followup"] {
        let out = support::postroom(site.path())
            .env("POSTROOM_STORAGE__URL", &site.db_url)
            .arg("process")
            .arg(examples.join(dir))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        taken += std::fs::read_dir(examples.join(dir)).unwrap().count();
        at_least(taken, "results", async || {
            support::results(&site.db_url).await
        })
        .await;
    }
    let mut issues = all_issues(&served).await;
    issues.sort();
    // The outbox is written by the send jobs after the results: wait until it is still.
    let outbox = site.path().join("data/outbox");
    let mut seen = usize::MAX;
    let mut still = 0;
    while still < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let now = std::fs::read_dir(&outbox).map(Iterator::count).unwrap_or(0);
        still = if now == seen { still + 1 } else { 0 };
        seen = now;
    }
    let keys = support::sandbox_get(
        &format!("{}/sandbox/jira", served.base),
        "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary&maxResults=200",
    )
    .await;
    let mut mails = Vec::new();
    for entry in std::fs::read_dir(&outbox).unwrap() {
        let raw = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let header = |name: &str| {
            raw.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_default()
                .to_owned()
        };
        let mut subject = header("Subject");
        for issue in keys["issues"].as_array().unwrap() {
            let key = format!("[{}]", issue["key"].as_str().unwrap());
            let summary = format!("[{}]", issue["fields"]["summary"].as_str().unwrap());
            subject = subject.replace(&key, &summary);
        }
        mails.push((header("To"), subject));
    }
    mails.sort();
    (issues, mails)
}

#[tokio::test]
async fn the_demo_ends_the_same_with_one_worker_or_eight() {
    let one = demo_outcome("1").await;
    let eight = demo_outcome("8").await;
    assert!(!one.0.is_empty() && !one.1.is_empty(), "{one:?}");
    let printer: Vec<_> = one.0.iter().filter(|(_, c)| !c.is_empty()).collect();
    assert!(!printer.is_empty(), "the follow-up is a comment: {one:?}");
    assert_eq!(one, eight);
}

const THREADS: usize = 300;
const PER_THREAD: usize = 7;

/// Mail `i` of conversation `t`: the original (`i = 0`) or the reply to mail `i - 1`, with
/// the whole chain in `References` and a Date a minute after the one before.
fn chained(t: usize, i: usize) -> String {
    let own = format!("<t{t}-m{i}@customer.example>");
    let mut headers = format!("Message-ID: {own}\nSubject: ");
    if i == 0 {
        headers.push_str(&format!("thread {t:03}\n"));
    } else {
        let refs: Vec<String> = (0..i)
            .map(|j| format!("<t{t}-m{j}@customer.example>"))
            .collect();
        headers.push_str(&format!(
            "Re: thread {t:03}\nIn-Reply-To: {}\nReferences: {}\n",
            refs[i - 1],
            refs.join(" ")
        ));
    }
    format!(
        "From: Customer {t} <cust{t}@customer.example>\nTo: support@example.com\n\
         Date: Mon, 23 Nov 2026 {:02}:{:02}:00 +0000\n{headers}\nStep {i} of thread {t}.\n",
        8 + (t * PER_THREAD + i) / 60,
        (t * PER_THREAD + i) % 60
    )
}

/// A whole mailbox as one mbox file, its mails in a scrambled order (a fixed permutation,
/// so that a failure can be replayed).
fn scrambled_mbox() -> String {
    let total = THREADS * PER_THREAD;
    let mut order: Vec<usize> = (0..total).collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..total).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, usize::try_from(state % (i as u64 + 1)).unwrap());
    }
    let mut out = String::new();
    for n in order {
        out.push_str("From cust@customer.example Mon Nov 23 10:00:00 2026\n");
        out.push_str(&chained(n / PER_THREAD, n % PER_THREAD));
        out.push('\n');
    }
    out
}

/// Every SUP issue through search pages: its summary and its comments' text, in the order
/// Jira keeps them.
async fn all_issues(served: &Served) -> Vec<(String, Vec<String>)> {
    let site = format!("{}/sandbox/jira", served.base);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path =
            "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary&maxResults=100".to_owned();
        if let Some(t) = &token {
            path.push_str(&format!("&nextPageToken={t}"));
        }
        let page = support::sandbox_get(&site, &path).await;
        for issue in page["issues"].as_array().unwrap() {
            let key = issue["key"].as_str().unwrap();
            let comments = support::sandbox_get(
                &site,
                &format!("/rest/api/3/issue/{key}/comment?maxResults=100"),
            )
            .await;
            let texts = comments["comments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| text(&c["body"]))
                .collect();
            out.push((
                issue["fields"]["summary"].as_str().unwrap().to_owned(),
                texts,
            ));
        }
        match page["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => return out,
        }
    }
}

#[tokio::test]
async fn a_scrambled_mailbox_import_keeps_every_conversation_whole_and_in_order() {
    let site = Site::new(None);
    let mbox = site.path().join("mailbox.mbox");
    std::fs::write(&mbox, scrambled_mbox()).unwrap();
    let out = support::postroom(site.path())
        .env("POSTROOM_STORAGE__URL", &site.db_url)
        .arg("process")
        .arg(&mbox)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let summary = String::from_utf8_lossy(&out.stdout);
    let total = THREADS * PER_THREAD;
    assert!(
        summary.contains(&format!("{total} taken in"))
            && summary.contains(&format!("{THREADS} conversation(s)")),
        "{summary}"
    );
    let served = site.serve().await;
    let start = std::time::Instant::now();
    loop {
        let done = support::results(&site.db_url).await.len();
        if done >= total {
            break;
        }
        // Functional patience for a busy 2-core machine, not a speed claim.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(900),
            "{done} of {total} mails processed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let issues = all_issues(&served).await;
    assert_eq!(issues.len(), THREADS, "one issue per conversation");
    for (summary, comments) in &issues {
        let t: usize = summary
            .trim_start_matches("thread ")
            .parse()
            .unwrap_or_else(|_| {
                panic!("an issue that is not a conversation's original: {summary}")
            });
        assert_eq!(comments.len(), PER_THREAD - 1, "{summary}: {comments:?}");
        for (i, comment) in comments.iter().enumerate() {
            assert!(
                comment.contains(&format!("Step {} of thread {t}.", i + 1)),
                "{summary}: comment {i} out of order: {comments:?}"
            );
        }
    }
}
