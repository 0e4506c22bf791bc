//! Instruction-count gate for reply extraction (issue 29): timings swing with the load of a
//! shared machine, instruction counts do not. Each test re-runs this test binary under
//! `valgrind --tool=callgrind`, counting only the instructions of one pass of `reply::extract`
//! over a fixed corpus (after a warm-up pass that compiles the patterns), and fails when the
//! count leaves the committed budget by more than [`TOLERANCE`].
//!
//! The counts are of the test build (`cargo test`'s profile, dependencies at opt-level 1),
//! on the project's machine image (valgrind from Debian, rustc 1.95, the locked
//! dependencies): a new toolchain or a new `regex` moves them, and then the budget is set
//! again, in the same commit, with the figure the failure prints. Speed itself is measured
//! by `cargo bench -p postroom-core --bench reply` and `bench/reply_peers.py`.
//!
//! Without valgrind the tests are skipped, except under `CI=true`, where they fail
//! (`scripts/test` installs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test reads fixed files; a panic is the failure report"
)]

mod common;

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use postroom_core::reply::{ReplyInput, extract};
use serde_json::Value;

/// Instructions of one pass over the 62 talon-quotations cases (plain text, with the HTML
/// part of the `.eml` cases alongside).
const BUDGET_TEXT: u64 = 5_796_039;
/// Instructions of one pass over the 16 HTML-only cases of quotequail-replies.
const BUDGET_HTML: u64 = 24_761_204;
/// How far a count may move from its budget, either way, before the test fails: above it is
/// a regression; below it, the budget is lowered so that it keeps guarding the gain.
const TOLERANCE: f64 = 0.10;

/// Set in the child process that valgrind runs: which workload to run instead of the test.
const WORKLOAD_VAR: &str = "POSTROOM_REPLY_INSTRUCTIONS_WORKLOAD";

struct Case {
    text: String,
    html: Option<String>,
    sender: String,
    subject: String,
}

/// The talon-quotations cases, fed as its README says (and as `benches/reply.rs` feeds them).
fn text_cases(dir: &Path) -> Vec<Case> {
    common::cases(dir)
        .iter()
        .map(|case| {
            let fed = common::talon_feed(dir, case["input"].as_str().unwrap());
            Case {
                text: fed.text,
                html: fed.html,
                sender: common::talon_sender(case),
                subject: "Re: corpus case".to_owned(),
            }
        })
        .collect()
}

/// The HTML bodies of the quotequail-replies `.eml` cases, with no text alternative (as
/// `benches/reply_html.rs` feeds them).
fn html_cases(dir: &Path) -> Vec<Case> {
    common::cases(dir)
        .iter()
        .filter_map(|case: &Value| case["input"].as_str().map(|i| dir.join(i)))
        .filter(|path| path.extension().is_some_and(|e| e == "eml"))
        .filter_map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            let message = mail_parser::MessageParser::default().parse(&bytes)?;
            Some(Case {
                text: String::new(),
                html: Some(message.body_html(0)?.into_owned()),
                sender: "Customer".to_owned(),
                subject: message.subject().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

fn extract_all(cases: &[Case]) {
    for case in cases {
        black_box(extract(black_box(&ReplyInput {
            text: &case.text,
            html: case.html.as_deref(),
            sender_name: Some(&case.sender),
            subject: Some(&case.subject),
        })));
    }
}

/// The measured pass: callgrind collects only inside this function (`--toggle-collect`).
#[inline(never)]
fn measured_reply_workload(cases: &[Case]) {
    extract_all(cases);
}

/// Runs in the child under valgrind: a warm-up pass (pattern compilation, the lazy DFAs'
/// first states), then the measured one.
fn run_workload(cases: &[Case]) {
    extract_all(cases);
    measured_reply_workload(cases);
}

/// Instructions callgrind counted in [`measured_reply_workload`] when the child runs
/// `test` with the workload `name`; `None` when valgrind is missing outside CI.
fn count_instructions(test: &str, name: &str) -> Option<u64> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "valgrind is missing under CI (scripts/test installs Debian's valgrind)"
        );
        eprintln!("skipping: valgrind not found");
        return None;
    }
    let out = std::env::temp_dir().join(format!(
        "postroom-reply-callgrind-{name}-{}.out",
        std::process::id()
    ));
    let exe = std::env::current_exe().unwrap();
    let run = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--collect-atstart=no")
        .arg("--toggle-collect=*measured_reply_workload*")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(&exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(WORKLOAD_VAR, name)
        .output()
        .expect("valgrind runs");
    assert!(
        run.status.success(),
        "valgrind failed on {}: {}\n{}",
        exe.display(),
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    let report = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let total = report
        .lines()
        .find_map(|l| l.strip_prefix("totals:"))
        .or_else(|| report.lines().find_map(|l| l.strip_prefix("summary:")))
        .expect("callgrind wrote its totals");
    let instructions: u64 = total.split_whitespace().next().unwrap().parse().unwrap();
    assert!(
        instructions > 0,
        "callgrind counted nothing in measured_reply_workload (symbol not found?)"
    );
    Some(instructions)
}

/// Fails when `count` is more than [`TOLERANCE`] away from `budget`.
fn check(what: &str, constant: &str, count: u64, budget: u64) {
    let ratio = count as f64 / budget as f64;
    eprintln!(
        "{what}: {count} instructions, budget {budget} ({:+.1} %)",
        (ratio - 1.0) * 100.0
    );
    assert!(
        ratio <= 1.0 + TOLERANCE,
        "{what} took {count} instructions, {:.1} % over the budget of {budget} (tolerance {:.0} %). \
         Find the regression (`cargo bench -p postroom-core --bench reply`, or callgrind on this test); \
         if the cost is intended, set {constant} = {count} in crates/core/tests/reply_instructions.rs \
         and say why in the commit.",
        (ratio - 1.0) * 100.0,
        TOLERANCE * 100.0
    );
    assert!(
        ratio >= 1.0 - TOLERANCE,
        "{what} took {count} instructions, {:.1} % under the budget of {budget}: lower it, \
         set {constant} = {count} in crates/core/tests/reply_instructions.rs, so that the \
         gate keeps the gain.",
        (1.0 - ratio) * 100.0
    );
}

/// One gate: the workload in the child under valgrind, the comparison in the parent.
struct Gate {
    /// The test's own name, which the child runs.
    test: &'static str,
    corpus: &'static str,
    load: fn(&Path) -> Vec<Case>,
    what: &'static str,
    constant: &'static str,
    budget: u64,
}

impl Gate {
    fn run(&self) {
        let Some(dir) = common::corpus_dir(self.corpus) else {
            return;
        };
        if std::env::var_os(WORKLOAD_VAR).is_some() {
            let cases = (self.load)(&dir);
            assert!(!cases.is_empty(), "no cases in {}", dir.display());
            run_workload(&cases);
            return;
        }
        if let Some(count) = count_instructions(self.test, self.corpus) {
            check(self.what, self.constant, count, self.budget);
        }
    }
}

#[test]
fn plain_text_reply_extraction_stays_within_its_instruction_budget() {
    Gate {
        test: "plain_text_reply_extraction_stays_within_its_instruction_budget",
        corpus: "talon-quotations",
        load: text_cases,
        what: "plain-text reply extraction (talon-quotations, 62 cases)",
        constant: "BUDGET_TEXT",
        budget: BUDGET_TEXT,
    }
    .run();
}

#[test]
fn html_reply_extraction_stays_within_its_instruction_budget() {
    Gate {
        test: "html_reply_extraction_stays_within_its_instruction_budget",
        corpus: "quotequail-replies",
        load: html_cases,
        what: "HTML reply extraction (quotequail-replies, 16 HTML-only cases)",
        constant: "BUDGET_HTML",
        budget: BUDGET_HTML,
    }
    .run();
}
