//! The README's demo, run as a reader would: the server of its set-up command, then the
//! shell blocks marked `sh demo`, in order, in one shell, with the binary this test build
//! made in place of `cargo run --release` and `target/release/postroom`. Twice, each time
//! on a fresh data directory, with the same outcome.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::repo;

const BIN: &str = env!("CARGO_BIN_EXE_postroom");
/// How the README runs the server; the test runs the same arguments.
const SERVE: &str = "cargo run --release -p postroom -- serve --sandbox";

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).unwrap()
}

/// The server's arguments from the README's set-up block.
fn serve_args(readme: &str) -> Vec<String> {
    let line = readme
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(SERVE))
        .unwrap_or_else(|| panic!("the README has no `{SERVE}` line"));
    line.trim_start_matches("cargo run --release -p postroom --")
        .split_whitespace()
        .map(ToOwned::to_owned)
        .collect()
}

/// The fenced blocks whose info string is `sh demo`, indentation removed, in order.
fn demo_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    for line in readme.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match &mut current {
            None if trimmed == "```sh demo" => current = Some((indent, Vec::new())),
            Some(_) if trimmed == "```" => {
                let (_, lines) = current.take().unwrap();
                blocks.push(lines.join("\n"));
            }
            Some((indent, lines)) => {
                lines.push(line.get(*indent..).unwrap_or("").to_owned());
            }
            None => {}
        }
    }
    blocks
}

/// Stops the server when the run ends, also when it fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One run of the demo in a fresh directory: its output, issue keys made generic.
fn run_demo() -> String {
    let readme = readme();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo().join("examples"), dir.path().join("examples")).unwrap();
    let log = dir.path().join("serve.log");
    let mut args = serve_args(&readme);
    for arg in &mut args {
        if arg.starts_with("127.0.0.1:") {
            "127.0.0.1:0".clone_into(arg);
        }
    }
    let child = Command::new(BIN)
        .args(&args)
        .args(["--http", "127.0.0.1:0"])
        .env_remove("POSTROOM_CONFIG")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let _server = Server(child);
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_for("the server to start", Duration::from_secs(60), || {
        read_log().contains("serving on")
    });
    let banner = read_log();
    assert!(
        banner.contains("postroom: console at") && banner.contains("sign in"),
        "no console sign-in link:\n{banner}"
    );
    let addr = banner
        .split("serving on http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();

    let blocks = demo_blocks(&readme);
    assert!(blocks.len() >= 3, "the README has too few `sh demo` blocks");
    let script = blocks
        .join("\n")
        .replace("target/release/postroom", BIN)
        .replace("127.0.0.1:8080", &addr);
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env_remove("POSTROOM_CONFIG")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "the demo failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        read_log()
    );

    // The printer mail made an issue, the reply commented on that same issue, the agent's
    // comment was accepted, and its notification reached the outbox.
    let issue = stdout
        .lines()
        .find_map(|l| l.strip_prefix("the printer on fire is "))
        .unwrap_or_else(|| panic!("no issue named:\n{stdout}"))
        .to_owned();
    assert!(issue.starts_with("SUP-"), "{stdout}");
    assert!(
        stdout.contains(&format!("examples/followup/reply.eml\tcommented\t{issue}")),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l == "201"), "{stdout}");
    let outbox = dir.path().join("data/outbox");
    wait_for(
        "the agent's comment in the outbox",
        Duration::from_secs(60),
        || {
            std::fs::read_dir(&outbox).is_ok_and(|entries| {
                entries.filter_map(Result::ok).any(|e| {
                    std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("We are on it."))
                })
            })
        },
    );
    generic_keys(&stdout)
}

/// `SUP-12` as `SUP-n`: which mail gets which number depends on the workers' order.
fn generic_keys(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("SUP-") {
        out.push_str(&rest[..at + 4]);
        rest = &rest[at + 4..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push('n');
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_readme_demo_runs_twice_from_nothing_with_the_same_outcome() {
    let first = run_demo();
    let second = run_demo();
    assert_eq!(first, second, "the demo's outcome changed between two runs");
}

#[test]
fn demo_blocks_are_found_with_their_indentation_removed() {
    let text = "x\n   ```sh demo\n   a=1\n     b\n   ```\n```sh\nno\n```\n```sh demo\nc\n```\n";
    assert_eq!(
        demo_blocks(text),
        vec!["a=1\n  b".to_owned(), "c".to_owned()]
    );
    assert_eq!(
        generic_keys("SUP-12 and SUP-3, SUP-"),
        "SUP-n and SUP-n, SUP-"
    );
}
