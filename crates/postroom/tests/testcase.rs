//! Test cases through the binary, on SQLite and PostgreSQL: real mail (files and one taken
//! from the audit) kept with its plan under the imported profile replays unchanged; a
//! candidate profile that sends one recipient's mail to another project shows exactly that
//! change for exactly that case and exits 1, in text and JSON; accepting it makes the run
//! against the candidate pass; removing a case removes it; bad input is refused clearly.
//! Nothing of the mail is stored in clear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::Site;

/// A site with the example profile imported and a candidate beside it.
fn site(db_url: Option<String>) -> Site {
    let profile = std::fs::read_to_string(example("profile.json")).unwrap();
    // The candidate: mail to billing@ goes to FIN instead of BIL; nothing else changes.
    let candidate = profile.replace(r#""project": "BIL""#, r#""project": "FIN""#);
    assert_ne!(candidate, profile);
    let site = Site::new(
        db_url,
        &[("profile.json", &profile), ("candidate.json", &candidate)],
    );
    site.ok(&["profile", "import", "profile.json"]);
    site
}

impl Site {
    /// Runs a command that must fail with `status`; its stderr.
    fn fails(&self, args: &[&str], status: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(status), "{args:?}: {out:?}");
        String::from_utf8(out.stderr).unwrap()
    }

    /// `testcase add ARGS`; the new case's id.
    fn add(&self, args: &[&str]) -> String {
        let mut all = vec!["testcase", "add"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        out.strip_prefix("test case ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{out}"))
            .to_owned()
    }

    /// The names of `testcase list` (header left out).
    fn names(&self) -> Vec<String> {
        self.ok(&["testcase", "list"])
            .lines()
            .skip(1)
            .map(|line| line.split('\t').nth(1).unwrap().to_owned())
            .collect()
    }

    /// `testcase run ARGS --format json`, one object per case, with the exit status.
    fn run_json(&self, args: &[&str]) -> (Option<i32>, Vec<Value>) {
        let mut all = vec!["testcase", "run", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let cases = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        (out.status.code(), cases)
    }
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn mail(name: &str) -> String {
    example(&format!("mail/{name}")).display().to_string()
}

async fn test_cases(db_url: Option<String>) {
    let site = site(db_url);
    let billing = site.add(&[&mail("billing.eml")]);
    let outage = site.add(&[&mail("outage.eml"), "--name", "outage"]);
    let out = site.ok(&["process", &mail("new_request.eml")]);
    assert!(out.contains("1 taken in"), "{out}");
    let audit = site.ok(&["audit", "list"]);
    let audit_id = audit.lines().nth(1).unwrap().split('\t').next().unwrap();
    let request = site.add(&["--from-audit", audit_id]);
    assert_eq!(
        site.names(),
        ["billing.eml", "outage", &format!("audit-{audit_id}")]
    );
    let shown = site.ok(&["testcase", "show", &billing]);
    assert!(shown.contains(r#"action.project: "BIL""#), "{shown}");
    assert!(shown.contains(r#"classification.kind: "human""#), "{shown}");

    // The profile they were recorded with: nothing changed.
    let out = site.ok(&["testcase", "run"]);
    assert!(out.contains("3 test cases, 0 changed"), "{out}");
    assert_eq!(out.matches(": unchanged").count(), 3, "{out}");

    // The candidate moves billing mail, and only billing mail.
    let out = site.run(&["testcase", "run", "--profile", "candidate.json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "== billing.eml ({billing}): 1 field changed\n   action.project: \"BIL\" -> \"FIN\"\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("== outage ({outage}): unchanged")),
        "{text}"
    );
    assert!(text.contains(&format!("({request}): unchanged")), "{text}");
    assert!(text.contains("3 test cases, 1 changed"), "{text}");

    let (status, cases) = site.run_json(&["--profile", "candidate.json"]);
    assert_eq!(status, Some(1));
    let by_id = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(
        by_id(&billing)["changes"],
        json!([{"field": "action.project", "expected": "BIL", "actual": "FIN"}])
    );
    assert_eq!(by_id(&billing)["changed"], true);
    for id in [&outage, &request] {
        assert_eq!(by_id(id)["changed"], false, "{cases:?}");
        assert_eq!(by_id(id)["changes"], json!([]));
    }
    assert_eq!(site.run_json(&[]).0, Some(0));

    // Accepting the candidate's plan: the candidate passes, the stored profile now fails.
    let out = site.ok(&[
        "testcase",
        "accept",
        &billing,
        "--profile",
        "candidate.json",
    ]);
    assert!(
        out.contains(&format!("test case {billing} accepted")),
        "{out}"
    );
    assert_eq!(site.run_json(&["--profile", "candidate.json"]).0, Some(0));
    let (status, cases) = site.run_json(&[]);
    assert_eq!(status, Some(1));
    assert_eq!(
        cases.iter().find(|c| c["id"] == *billing).unwrap()["changes"],
        json!([{"field": "action.project", "expected": "FIN", "actual": "BIL"}])
    );

    // Removing it: gone from the list and from the run.
    site.ok(&["testcase", "remove", &billing]);
    assert_eq!(site.names().len(), 2);
    let out = site.ok(&["testcase", "run"]);
    assert!(out.contains("2 test cases, 0 changed"), "{out}");
    assert!(!out.contains("billing"), "{out}");
}

#[tokio::test]
async fn test_cases_on_sqlite() {
    test_cases(None).await;
}

#[tokio::test]
async fn test_cases_on_postgresql() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    test_cases(Some(url)).await;
}

/// Unknown ids, a malformed candidate profile and a missing or empty mail file each give a
/// clear error and a non-zero status, and change nothing.
#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let site = site(None);
    let id = site.add(&[&mail("billing.eml")]);

    let err = site.fails(&["testcase", "show", "nope"], 1);
    assert!(err.contains(r#"no test case "nope""#), "{err}");
    let err = site.fails(&["testcase", "remove", &id, "nope"], 1);
    assert!(err.contains(r#"no test case "nope""#), "{err}");
    let err = site.fails(&["testcase", "accept", "nope"], 1);
    assert!(err.contains(r#"no test case "nope""#), "{err}");
    let err = site.fails(&["testcase", "add", "--from-audit", "nope"], 1);
    assert!(err.contains(r#"no message "nope" in the audit"#), "{err}");

    std::fs::write(site.path().join("bad.json"), r#"{"own": {"addresses": 5}}"#).unwrap();
    let err = site.fails(&["testcase", "run", "--profile", "bad.json"], 1);
    assert!(err.contains("profile bad.json"), "{err}");
    let err = site.fails(&["testcase", "add", "missing.eml"], 1);
    assert!(err.contains("cannot read missing.eml"), "{err}");
    std::fs::write(site.path().join("empty.eml"), "\n").unwrap();
    let err = site.fails(&["testcase", "add", "empty.eml"], 1);
    assert!(err.contains("empty.eml is empty"), "{err}");

    assert_eq!(site.names(), ["billing.eml"]);
    assert!(
        site.ok(&["testcase", "run"])
            .contains("1 test case, 0 changed")
    );
}

/// The mail and its expected plan are sealed: neither the database nor the blob store
/// holds its sender, subject or body in clear.
#[test]
fn nothing_of_the_mail_is_stored_in_clear() {
    let site = site(None);
    site.add(&[&mail("billing.eml")]);
    let mut stored = Vec::new();
    for entry in walkdir(site.path().join("data")) {
        stored.extend(std::fs::read(entry).unwrap());
    }
    assert!(!stored.is_empty());
    for clear in ["carol@customer.example", "Invoice 2026-11", "charged twice"] {
        assert!(
            !stored.windows(clear.len()).any(|w| w == clear.as_bytes()),
            "{clear:?} stored in clear"
        );
    }
}

/// Every file under `dir`.
fn walkdir(dir: PathBuf) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
