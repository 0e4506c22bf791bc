//! `postroom process` through the real binary: what scripts see on stdout, stderr and in
//! the exit status.

// Test helpers: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn postroom(args: &[&str], stdin: &[u8]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postroom"))
        .args(args)
        // No config file may be picked up from the environment or the working directory.
        .env_remove("POSTROOM_CONFIG")
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "a dry run wrote files"
    );
    output
}

fn golden_dir() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/golden")
        .to_str()
        .unwrap()
        .to_owned()
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn dry_run_json_prints_one_line_per_message_and_exits_zero() {
    let output = postroom(
        &["process", "--dry-run", "--format", "json", &golden_dir()],
        b"",
    );
    assert!(output.status.success(), "{output:?}");
    let lines = json_lines(&output);
    let emls = std::fs::read_dir(golden_dir())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "eml")
        })
        .count();
    assert_eq!(lines.len(), emls);
    for line in &lines {
        for key in [
            "source",
            "message_id",
            "from",
            "visible_text",
            "action",
            "warnings",
        ] {
            assert!(line.get(key).is_some(), "missing {key}: {line}");
        }
    }
}

#[test]
fn failed_inputs_give_error_lines_and_a_failing_exit_status() {
    let output = postroom(
        &[
            "process",
            "--dry-run",
            "--format",
            "json",
            "/nonexistent/a.eml",
            "-",
        ],
        b"Subject: from stdin\n\nhello\n",
    );
    assert_eq!(output.status.code(), Some(1));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"]["path"], "/nonexistent/a.eml");
    assert!(lines[0]["error"].is_string());
    assert_eq!(lines[1]["subject"], "from stdin");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("dry run finished"), "{stderr}");
    assert!(
        !stderr.contains("from stdin"),
        "a subject reached the log: {stderr}"
    );
}

#[test]
fn text_format_is_readable() {
    let output = postroom(
        &["process", "--dry-run", "-"],
        b"From: Ann <ann@example.com>\nSubject: Hi\n\nBody\n",
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("From:           Ann <ann@example.com>"),
        "{stdout}"
    );
    assert!(stdout.contains("    Body"), "{stdout}");
}

#[test]
fn dry_run_shows_whether_a_refused_sender_gets_a_notice() {
    let profiles = tempfile::tempdir().unwrap();
    let path = profiles.path().join("profile.json");
    std::fs::write(
        &path,
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"},
            "people": {"create": {"deny": ["*@outside.example"]}},
            "notice": {"enabled": true}}"#,
    )
    .unwrap();
    let mail = |extra: &str| {
        format!(
            "From: olga@outside.example\nTo: support@example.com\nSubject: hello\n{extra}\nhi\n"
        )
    };
    let path = path.to_str().unwrap();
    for (extra, notice, line) in [
        ("", true, "notice: the sender is told why (notice.enabled)"),
        (
            "Precedence: bulk\n",
            false,
            "notice: not sent: the mail must get no automatic answer (automatic, bulk or list mail, a null return path or failed authentication)",
        ),
    ] {
        let args = [
            "process",
            "--dry-run",
            "--format",
            "json",
            "--profile",
            path,
            "-",
        ];
        let output = postroom(&args, mail(extra).as_bytes());
        assert!(output.status.success(), "{output:?}");
        let line_json = &json_lines(&output)[0];
        assert_eq!(line_json["action"]["kind"], "reject", "{line_json}");
        assert_eq!(line_json["action"]["notice"], notice, "{line_json}");
        let report: Vec<&str> = line_json["report"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert!(report.contains(&line), "{report:?}");
    }
}
