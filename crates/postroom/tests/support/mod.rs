//! Running the `postroom` binary in a scratch directory, as an administrator would.
#![allow(dead_code)]

pub mod imap;
pub mod sandbox;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a mail may take to reach the sandbox on a busy 2-core machine (functional
/// timeout, not a speed claim; see BENCHMARKS.md for that).
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The `http.metrics_token_file` content every [`Served`] is started with.
pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// `postroom` with `dir` as working directory and a clean configuration environment.
pub fn postroom(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_postroom"));
    command.current_dir(dir).env_remove("POSTROOM_CONFIG");
    for (name, _) in std::env::vars() {
        if name.starts_with("POSTROOM_") && name.contains("__") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `postroom ARGS` in `dir` to the end.
pub fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    postroom(dir).args(args).output().unwrap()
}

/// Runs `postroom ARGS` in `dir`, which must succeed; its standard output.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = postroom(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A customer's new mail to `to`, its Message-ID made of `subject`.
pub fn mail(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@customer.example>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0000\r\n\r\n\
         Please help with {subject}.\r\n"
    )
    .into_bytes()
}

/// Writes `json` as `NAME.json` in `dir` and runs `postroom profile import` on it.
pub fn import(dir: &Path, name: &str, json: &str) -> std::process::Output {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, json).unwrap();
    run(dir, &["profile", "import", path.to_str().unwrap()])
}

/// GET `path` of the embedded sandbox's Jira at `site` as its administrator; the JSON
/// answer, which must be a success.
pub async fn sandbox_get(site: &str, path: &str) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(format!("{site}{path}"))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}: {response:?}");
    response.json().await.unwrap()
}

/// The default tenant's processing results in the database at `db_url`, newest first.
pub async fn results(db_url: &str) -> Vec<postroom_store::inbound::InboundResult> {
    let store = postroom_store::Store::open(db_url).await.unwrap();
    store
        .tenant(&postroom_core::tenant::TenantId::default_tenant())
        .await
        .unwrap()
        .recent_results(10_000)
        .await
        .unwrap()
}

/// A running `postroom serve`, stopped (SIGKILL) when dropped unless stopped gracefully.
pub struct Served {
    child: Option<Child>,
    pub base: String,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Served {
    /// Starts `serve --http 127.0.0.1:0` and waits for the line that says where it listens.
    pub async fn start(dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_with_args(dir, &[], env).await
    }

    /// Like [`Served::start`], with more `serve` options.
    pub async fn start_with_args(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = postroom(dir);
        command
            .args(["serve", "--http", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Every test server asks for a metrics token, as a production one should.
        let token_file = dir.join("metrics.token");
        std::fs::write(&token_file, METRICS_TOKEN).unwrap();
        command.env("POSTROOM_HTTP__METRICS_TOKEN_FILE", &token_file);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("spawn postroom serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let collected = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                collected.lock().unwrap().push(line.clone());
                if let Some(rest) = line.split("serving on ").nth(1) {
                    let base = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send(base);
                }
                eprintln!("[serve] {line}");
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("postroom serve did not say where it listens");
        Self {
            child: Some(child),
            base,
            stderr: lines,
        }
    }

    /// Everything the server wrote on stderr so far.
    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// The Prometheus text of `/metrics`, read with the token, which must answer 200.
    pub async fn metrics(&self) -> String {
        let response = reqwest::Client::new()
            .get(format!("{}/metrics", self.base))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.text().await.unwrap()
    }

    pub async fn assert_healthy(&self) {
        assert_eq!(self.get("/healthz").await.0, 200);
        assert_eq!(self.get("/readyz").await.0, 200);
        assert_eq!(self.get("/metrics").await.0, 401, "metrics need the token");
        let metrics = self.metrics().await;
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with("postroom_build_info")),
            "{metrics}"
        );
        let (status, openapi) = self.get("/api/v1/openapi.json").await;
        assert_eq!(status, 200);
        assert!(openapi.contains("\"openapi\""));
    }

    /// SIGKILL: the crash in the middle of something.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then the process must exit by itself, successfully.
    pub fn stop_gracefully(mut self) {
        let mut child = self.child.take().expect("running");
        let pid = child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        for _ in 0..100 {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "exit after SIGTERM: {status:?}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        panic!("postroom did not stop within 10 s of SIGTERM");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Probes until the list holds at least `count` items (within [`PATIENCE`]).
pub async fn at_least<T>(
    count: usize,
    what: &str,
    mut probe: impl AsyncFnMut() -> Vec<T>,
) -> Vec<T> {
    let start = Instant::now();
    loop {
        let items = probe().await;
        if items.len() >= count {
            return items;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{} of {count} {what} after {PATIENCE:?}",
            items.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The address a `serve` mail listener (`smtp`, `lmtp`) said it listens on.
pub fn listening(served: &Served, name: &str) -> String {
    let prefix = format!("postroom: {name} listening on ");
    served
        .stderr()
        .iter()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
        .expect("the listener's address")
}

/// A plain SMTP line client, one command and its (last) reply line at a time: enough to
/// send a mail, or to stop in the middle of a transfer on purpose.
pub struct Smtp {
    pub reader: BufReader<TcpStream>,
    pub writer: TcpStream,
}

impl Smtp {
    /// Connects and reads the greeting, which must be 220.
    pub fn connect(addr: &str) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut session = Self {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        };
        assert!(session.reply().starts_with("220"));
        session
    }

    /// One complete reply (the last line of a multi-line one).
    pub fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return line;
            }
        }
    }

    pub fn command(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.reply()
    }
}

/// Sends `body` over SMTP from `from` to `to` and returns the server's reply to the data.
pub fn send_smtp(addr: &str, from: &str, to: &str, body: &[u8]) -> String {
    let mut smtp = Smtp::connect(addr);
    assert!(smtp.command("EHLO test.example").starts_with("250"));
    assert!(
        smtp.command(&format!("MAIL FROM:<{from}>"))
            .starts_with("250")
    );
    assert!(smtp.command(&format!("RCPT TO:<{to}>")).starts_with("250"));
    assert!(smtp.command("DATA").starts_with("354"));
    let mut data = String::from_utf8_lossy(body).replace("\r\n", "\n");
    data = data.replace('\n', "\r\n");
    if !data.ends_with("\r\n") {
        data.push_str("\r\n");
    }
    let stuffed = data.replace("\r\n.", "\r\n..");
    let last = smtp.command(&format!("{stuffed}."));
    let _ = smtp.command("QUIT");
    last
}

/// The SMTP listener's answer to `RCPT TO:<to>` (the transaction is then abandoned).
pub fn rcpt(addr: &str, to: &str) -> String {
    let mut smtp = Smtp::connect(addr);
    smtp.command("EHLO test.example");
    smtp.command("MAIL FROM:<ann@customer.example>");
    let answer = smtp.command(&format!("RCPT TO:<{to}>"));
    let _ = smtp.command("QUIT");
    answer
}

/// A scratch installation: its directory and database, shared by `serve` and every command.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub db_url: String,
}

impl Site {
    /// A new directory with `files` (name, content) written into it, on the database
    /// `db_url`, or else on a SQLite file in the directory.
    pub fn new(db_url: Option<String>, files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_url = db_url
            .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("data/postroom.db").display()));
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        Self { dir, db_url }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `postroom ARGS` in the site to the end.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        postroom(self.path())
            .env("POSTROOM_STORAGE__URL", &self.db_url)
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }
}

/// A delivery status notification (RFC 3464) from the customer's server, sent to `to`,
/// saying frank@customer.example does not exist (5.1.1) and quoting `original_id`.
pub fn dsn(to: &str, original_id: &str) -> String {
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\n\
         To: {to}\nSubject: Undelivered Mail Returned to Sender\n\
         Date: Mon, 23 Nov 2026 10:05:00 +0000\nMessage-ID: <dsn-1@mx.customer.example>\n\
         Auto-Submitted: auto-replied\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n\
         --b1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n\
         --b1\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx.customer.example\n\n\
         Final-Recipient: rfc822; frank@customer.example\nAction: failed\nStatus: 5.1.1\n\
         Diagnostic-Code: smtp; 550 5.1.1 no such user\n\n\
         --b1\nContent-Type: text/rfc822-headers\n\n\
         From: Example Support <support@example.com>\nTo: frank@customer.example\n\
         Message-ID: <{original_id}>\nX-Postroom-Loop: default\n\n\
         --b1--\n"
    )
}
