//! Several Jira sites on one postroom, through the binary: two tenants added with
//! `postroom tenant add`, each with its own sandbox Jira, own addresses and webhook secret;
//! mail to each site's address lands in that site's Jira only, a site's secret opens no
//! other site's webhook, and removing one site leaves the other working.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use support::sandbox::Sandbox;
use support::{PATIENCE, Served, listening, mail, ok, postroom, rcpt, send_smtp};

/// A tenant's profile: mail to `help@NAME.example` becomes an issue in SUP (and bounces to
/// `bounces@NAME.example` come back to the site), and a comment
/// is told to the issue's customers (Jira hides a customer's address; postroom keeps it in
/// the issue's participants field), from the site's own address.
fn profile(name: &str) -> String {
    format!(
        r#"{{"own": {{"addresses": ["help@{name}.example", "bounces@{name}.example"]}},
            "people": {{"email_field": "E-mail participants"}},
            "default": {{"project": "SUP", "issue_type": "Task"}},
            "notifications": {{"from_name": "{name} support", "rules": [
              {{"name": "customers", "events": ["comment_added"], "to": ["reporter", "participants"]}}]}}}}"#
    )
}

/// The summaries of the issues in the sandbox's project SUP.
async fn summaries(jira: &Sandbox) -> Vec<String> {
    let found = jira
        .call(
            reqwest::Method::GET,
            "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary",
            None,
        )
        .await;
    found["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["fields"]["summary"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn wait_for_summary(jira: &Sandbox, subject: &str) {
    let start = Instant::now();
    while !summaries(jira).await.iter().any(|s| s == subject) {
        assert!(
            start.elapsed() < PATIENCE,
            "no issue {subject:?} in {}",
            jira.base
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn add_tenant(dir: &std::path::Path, name: &str, jira: &Sandbox) {
    let out = ok(
        dir,
        &[
            "tenant",
            "add",
            name,
            "--jira-url",
            &jira.base,
            "--auth",
            "api_token",
            "--email",
            jira_sandbox::ADMIN_EMAIL,
            "--token-file",
            "token",
        ],
    );
    assert!(out.contains(&format!("added tenant {name}")), "{out}");
    std::fs::write(dir.join(format!("{name}.json")), profile(name)).unwrap();
    let imported = ok(
        dir,
        &[
            "--tenant",
            name,
            "profile",
            "import",
            &format!("{name}.json"),
        ],
    );
    assert!(imported.contains("version 1"), "{imported}");
}

/// The `.eml` files of the file transport once there are at least `count`.
async fn outbox(dir: &std::path::Path, count: usize) -> Vec<String> {
    support::at_least(count, "sent mails", async || {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default()
    })
    .await
}

async fn webhook(served: &Served, tenant: &str, secret: &str) -> u16 {
    let body = br#"{"webhookEvent":"jira:issue_updated","timestamp":1}"#;
    reqwest::Client::new()
        .post(format!("{}/webhooks/jira/{tenant}", served.base))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature",
            postroom_core::notify::signature::sign(secret.as_bytes(), body),
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn two_sites_are_served_side_by_side_and_one_can_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let jira_a = Sandbox::start(dir.path());
    let jira_b = Sandbox::start(dir.path());
    std::fs::write(
        dir.path().join("token"),
        format!("{}\n", jira_sandbox::API_TOKEN),
    )
    .unwrap();
    add_tenant(dir.path(), "acme", &jira_a);
    add_tenant(dir.path(), "globex", &jira_b);

    // The credential is sealed in the store: neither the configuration nor the database
    // file holds it in clear.
    let db = std::fs::read(dir.path().join("data/postroom.db")).unwrap();
    assert!(
        !db.windows(jira_sandbox::API_TOKEN.len())
            .any(|w| w == jira_sandbox::API_TOKEN.as_bytes())
    );
    let list = ok(dir.path(), &["tenant", "list"]);
    for (name, jira) in [("acme", &jira_a), ("globex", &jira_b)] {
        let line = list.lines().find(|l| l.starts_with(name)).unwrap();
        assert_eq!(line, format!("{name}\t{}\tapi_token\tready", jira.base));
    }

    // An own address belongs to one site only.
    std::fs::write(dir.path().join("steal.json"), profile("acme")).unwrap();
    let stolen = postroom(dir.path())
        .args(["--tenant", "globex", "profile", "import", "steal.json"])
        .output()
        .unwrap();
    assert_eq!(stolen.status.code(), Some(2), "{stolen:?}");
    let said = String::from_utf8_lossy(&stolen.stderr);
    assert!(
        said.contains("help@acme.example belongs to tenant acme"),
        "{said}"
    );

    // acme sends under its own bounce address; an unknown DKIM key name is refused.
    let set = ok(
        dir.path(),
        &[
            "tenant",
            "set",
            "acme",
            "--bounce-address",
            "bounces@acme.example",
        ],
    );
    assert!(set.contains("bounce address bounces@acme.example"), "{set}");
    let no_key = postroom(dir.path())
        .args(["tenant", "set", "acme", "--dkim-key", "nosuch"])
        .output()
        .unwrap();
    assert!(!no_key.status.success(), "{no_key:?}");
    assert!(String::from_utf8_lossy(&no_key.stderr).contains("dkim_keys"));

    let secret_a = ok(dir.path(), &["tenant", "webhook-secret", "acme"]);
    let secret_a = secret_a.trim();
    let again = postroom(dir.path())
        .args(["tenant", "webhook-secret", "acme"])
        .output()
        .unwrap();
    assert!(!again.status.success(), "shown once: {again:?}");

    std::fs::write(
        dir.path().join("postroom.toml"),
        "[outbound]\ntransport = \"file\"\ndir = \"outbox\"\n",
    )
    .unwrap();
    let served = Served::start_with_args(dir.path(), &["--smtp", "127.0.0.1:0"], &[]).await;
    let smtp = listening(&served, "smtp");
    for (from, to, subject) in [
        ("ann@customer.example", "help@acme.example", "acme-printer"),
        ("bob@other.example", "help@globex.example", "globex-invoice"),
    ] {
        let answer = send_smtp(&smtp, from, to, &mail(from, to, subject));
        assert!(answer.starts_with("250"), "{answer}");
    }
    wait_for_summary(&jira_a, "acme-printer").await;
    wait_for_summary(&jira_b, "globex-invoice").await;
    assert_eq!(summaries(&jira_a).await, ["acme-printer"]);
    assert_eq!(summaries(&jira_b).await, ["globex-invoice"]);

    // A's secret opens A's webhook and no other.
    assert_eq!(webhook(&served, "globex", secret_a).await, 401);
    assert_eq!(webhook(&served, "nosuch", secret_a).await, 401);
    // Past the signature: what is left to say is about the body, not the secret.
    assert_ne!(webhook(&served, "acme", secret_a).await, 401);

    // Both sites have an issue SUP-1; a comment on acme's is told to acme's reporter only,
    // from acme's address: the notifier asks acme's Jira, never globex's.
    let issue = jira_a
        .call(reqwest::Method::GET, "/rest/api/2/issue/SUP-1", None)
        .await;
    let body = serde_json::to_vec(&serde_json::json!({
        "timestamp": 2, "webhookEvent": "comment_created",
        "user": {"accountId": "agent-1", "displayName": "Agent"},
        "issue": issue,
        "comment": {"id": "10001", "body": "We are on it", "jsdPublic": true},
    }))
    .unwrap();
    let delivered = reqwest::Client::new()
        .post(format!("{}/webhooks/jira/acme", served.base))
        .header("content-type", "application/json")
        .header("x-atlassian-webhook-identifier", "acme-comment-1")
        .header(
            "x-hub-signature",
            postroom_core::notify::signature::sign(secret_a.as_bytes(), &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(delivered.status().as_u16(), 202, "{delivered:?}");
    let sent = outbox(&dir.path().join("outbox"), 1).await;
    let header = |mail: &str, name: &str| {
        mail.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header(&sent[0], "From:").contains("help@acme.example"),
        "{}",
        sent[0]
    );
    assert!(
        header(&sent[0], "To:").contains("ann@customer.example"),
        "{}",
        sent[0]
    );
    assert!(!sent.iter().any(|m| m.contains("bob@other.example")));

    let removed = ok(dir.path(), &["tenant", "remove", "globex", "--yes"]);
    assert!(removed.contains("removed tenant globex"), "{removed}");
    let start = Instant::now();
    while rcpt(&smtp, "help@globex.example").starts_with("250") {
        assert!(
            start.elapsed() < PATIENCE,
            "the removed site's address is still taken"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let answer = send_smtp(
        &smtp,
        "ann@customer.example",
        "help@acme.example",
        &mail("ann@customer.example", "help@acme.example", "acme-after"),
    );
    assert!(answer.starts_with("250"), "{answer}");
    wait_for_summary(&jira_a, "acme-after").await;
    let list = ok(dir.path(), &["tenant", "list"]);
    assert!(
        list.contains("acme\t") && !list.contains("globex"),
        "{list}"
    );
    served.stop_gracefully();
}

/// `postroom tenant add acme --jira-url URL --auth AUTH`, for more options to follow.
fn add_acme(dir: &std::path::Path, url: &str, auth: &str) -> std::process::Command {
    let mut command = postroom(dir);
    command.args(["tenant", "add", "acme", "--jira-url", url, "--auth", auth]);
    command
}

#[test]
fn a_credential_is_never_taken_from_the_command_line_and_bad_sites_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let no_file = add_acme(dir.path(), "https://acme.example", "pat")
        .output()
        .unwrap();
    assert!(!no_file.status.success());
    assert!(String::from_utf8_lossy(&no_file.stderr).contains("--token-file"));
    let token_flag = postroom(dir.path())
        .args(["tenant", "add", "acme", "--token", "secret"])
        .output()
        .unwrap();
    assert!(!token_flag.status.success(), "there is no --token option");

    std::fs::write(dir.path().join("token"), "pat-value\n").unwrap();
    for (url, auth, why) in [
        ("ftp://acme.example", "pat", "must be an http(s) URL"),
        ("acme.example", "pat", "must be an http(s) URL"),
        ("https://acme.example", "api_token", "needs --email"),
    ] {
        let out = add_acme(dir.path(), url, auth)
            .args(["--token-file", "token"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(why),
            "{out:?}"
        );
    }

    // From standard input, then a second add of the same name is refused.
    let mut child = add_acme(dir.path(), "https://acme.example/", "pat")
        .args(["--token-file", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"pat-from-stdin\n")
            .unwrap();
    }
    assert!(child.wait_with_output().unwrap().status.success());
    let twice = add_acme(dir.path(), "https://acme.example", "pat")
        .args(["--token-file", "token"])
        .output()
        .unwrap();
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));

    let show = ok(dir.path(), &["tenant", "show", "acme"]);
    assert!(
        show.contains("jira url:       https://acme.example\n"),
        "{show}"
    );
    assert!(show.contains("jira auth:      pat"), "{show}");
    assert!(!show.contains("pat-from-stdin"), "{show}");

    let unknown = postroom(dir.path())
        .args(["tenant", "set", "nosuch", "--auth", "pat"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no tenant \"nosuch\""));
}
