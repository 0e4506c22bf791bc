//! `profile export` and `profile import` between two sites, through the binary, with the
//! Jira sandbox as Jira: the document travels without secrets, reads back to the same
//! bytes, and an import that finds anything wrong lists every problem and stores nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Output;

use jira_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use postroom_core::tenant::TenantId;
use support::imap::{append, dovecot, taken_in, unique};
use support::{PATIENCE, Served, Site, import, postroom};

const IMAP_PASSWORD: &str = "hunter2-imap-password";

/// The source site: a mailbox in `postroom.toml` with its password inline.
fn source_toml() -> String {
    format!(
        "[[mailboxes]]\nname = \"support\"\nserver = \"imap.example.com\"\n\
         [mailboxes.auth]\nmethod = \"login\"\nuser = \"support@example.com\"\n\
         password = \"{IMAP_PASSWORD}\"\n"
    )
}

/// The target site defines the secret the export names.
const TARGET_TOML: &str = "[secrets]\nimap-support = \"another-password\"\n";

const PROFILE: &str = r#"{
  "own": {"addresses": ["support@example.com"]},
  "rules": [{"name": "urgent", "match": {"subject": "(?i)urgent"},
             "then": {"priority": "High", "fields": {"E-mail participants": "ops@example.com"}}}],
  "default": {"project": "SUP", "issue_type": "Task"},
  "acknowledgement": {"enabled": true, "from_name": "Example Support",
                      "subject": "Re: {{ issue.key }}"},
  "people": {"email_field": "E-mail participants"},
  "threading": {"project_keys": ["SUP"]},
  "notifications": {"rules": [{"name": "tell the customer", "projects": ["SUP"],
                               "events": ["comment_added"], "to": ["reporter"],
                               "subject": "News on {{ issue.key }}"}]}
}"#;

async fn sandbox() -> RunningSandbox {
    Sandbox::start(SandboxConfig::default()).await.unwrap()
}

/// `postroom ARGS` in `site`, with the sandbox (or `jira_url`) as the Jira of `[jira]`.
fn cli(site: &Site, jira_url: &str, args: &[&str]) -> Output {
    postroom(site.path())
        .env("POSTROOM_STORAGE__URL", &site.db_url)
        .env("POSTROOM_JIRA__URL", jira_url)
        .env("POSTROOM_JIRA__EMAIL", jira_sandbox::ADMIN_EMAIL)
        .env("POSTROOM_JIRA__TOKEN", jira_sandbox::API_TOKEN)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A site whose tenant `default` imported [`PROFILE`] (version 1), on `db_url` or SQLite.
fn source(jira: &str, db_url: Option<String>) -> Site {
    let site = Site::new(
        db_url,
        &[("postroom.toml", &source_toml()), ("profile.json", PROFILE)],
    );
    let imported = cli(&site, jira, &["profile", "import", "profile.json"]);
    assert!(imported.status.success(), "{imported:?}");
    assert!(
        !text(&imported.stderr).contains("not checked"),
        "Jira was asked: {imported:?}"
    );
    site
}

async fn version(site: &Site) -> Option<i64> {
    let store = postroom_store::Store::open(&site.db_url).await.unwrap();
    store
        .tenant(&TenantId::default_tenant())
        .await
        .unwrap()
        .profile_version()
        .await
        .unwrap()
}

/// The kept versions of the site's profile, newest first: number and who saved it.
async fn kept(site: &Site) -> Vec<(i64, String)> {
    let store = postroom_store::Store::open(&site.db_url).await.unwrap();
    let tenant = store.tenant(&TenantId::default_tenant()).await.unwrap();
    let mut kept = Vec::new();
    for v in tenant.profile_versions().await.unwrap() {
        let (_, document) = tenant
            .profile_version_document(v.version)
            .await
            .unwrap()
            .unwrap();
        assert!(document.starts_with('{'), "{document}");
        kept.push((v.version, v.saved_by));
    }
    kept
}

async fn export_import_export(db_url: Option<String>) {
    let jira = sandbox().await;
    let from = source(&jira.base_url, None);
    let exported = cli(
        &from,
        &jira.base_url,
        &["profile", "export", "--out", "export.json"],
    );
    assert!(exported.status.success(), "{exported:?}");
    assert!(
        text(&exported.stderr).contains("[secrets] of its postroom.toml: imap-support"),
        "{exported:?}"
    );
    let document = std::fs::read_to_string(from.path().join("export.json")).unwrap();
    assert!(!document.contains(IMAP_PASSWORD), "{document}");
    assert!(
        document.contains(r#""secret_ref": "imap-support""#),
        "{document}"
    );
    assert!(document.contains("\"version\": 1"), "{document}");
    assert!(
        document.contains("Re: {{ issue.key }}"),
        "templates travel: {document}"
    );
    assert!(
        document.contains("News on {{ issue.key }}"),
        "notifications travel: {document}"
    );
    let to_stdout = cli(&from, &jira.base_url, &["profile", "export"]);
    assert_eq!(text(&to_stdout.stdout), document);

    let to = Site::new(
        db_url,
        &[("postroom.toml", TARGET_TOML), ("export.json", &document)],
    );
    let imported = cli(&to, &jira.base_url, &["profile", "import", "export.json"]);
    assert!(imported.status.success(), "{imported:?}");
    let again = cli(&to, &jira.base_url, &["profile", "export"]);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(text(&again.stdout), document, "export → import → export");

    // Back into the site it came from: postroom.toml's mailbox wins over its copy.
    let back = cli(&from, &jira.base_url, &["profile", "import", "export.json"]);
    assert!(back.status.success(), "{back:?}");
    assert!(
        text(&back.stderr).contains("also in [[mailboxes]]"),
        "{back:?}"
    );
    let round = cli(&from, &jira.base_url, &["profile", "export"]);
    assert_eq!(text(&round.stdout), document);
    // Every import kept its version, saved by the command line.
    assert_eq!(kept(&to).await, vec![(1, "cli".to_owned())]);
    assert_eq!(
        kept(&from).await,
        vec![(2, "cli".to_owned()), (1, "cli".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_into_an_empty_site_and_export_again_gives_the_same_document() {
    export_import_export(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_export_is_the_same_document_on_postgresql() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    export_import_export(Some(url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_with_a_secret_value_is_refused_and_nothing_changes() {
    let jira = sandbox().await;
    let site = source(&jira.base_url, None);
    let exported = cli(&site, &jira.base_url, &["profile", "export"]);
    let mut leaky: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    leaky["profile"]["mailboxes"][0]["auth"]["password"] = "pasted-password".into();
    std::fs::write(site.path().join("leaky.json"), leaky.to_string()).unwrap();
    let before = cli(&site, &jira.base_url, &["profile", "show"]);

    let refused = cli(&site, &jira.base_url, &["profile", "import", "leaky.json"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("profile.mailboxes[0].auth.password: a secret value"),
        "{stderr}"
    );
    assert!(stderr.contains("secret_ref"), "{stderr}");
    assert!(!stderr.contains("pasted-password"), "{stderr}");
    assert_eq!(version(&site).await, Some(1));
    assert_eq!(
        cli(&site, &jira.base_url, &["profile", "show"]).stdout,
        before.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_document_lists_every_problem_and_changes_nothing() {
    let jira = sandbox().await;
    let site = source(&jira.base_url, None);
    let invalid = r#"{"version": 1, "profile": {
      "own": {"addresses": ["support@example.com"]},
      "rules": [{"match": {"subject": "(unclosed"}},
                {"then": {"project": "NOPE"}}],
      "default": {"project": "SUP", "issue_type": "Task", "fields": {"No such field": 1}},
      "mailboxes": [{"name": "sales", "server": "imap.example.com",
        "auth": {"method": "login", "user": "sales@example.com",
                 "password": {"secret_ref": "imap-sales"}}}]
    }}"#;
    std::fs::write(site.path().join("invalid.json"), invalid).unwrap();
    for args in [
        &["profile", "import", "invalid.json"][..],
        &["profile", "import", "--dry-run", "invalid.json"][..],
    ] {
        let refused = cli(&site, &jira.base_url, args);
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        let stderr = text(&refused.stderr);
        for (path, problem) in [
            ("profile.rules[0].match.subject", "invalid regex"),
            (
                "profile.rules[1].then.project",
                "Jira has no project \"NOPE\"",
            ),
            (
                "profile.default.fields.No such field",
                "Jira has no field \"No such field\"",
            ),
            (
                "profile.mailboxes[0].auth.password",
                "secret \"imap-sales\" is not defined in [secrets]",
            ),
        ] {
            assert!(
                stderr.contains(&format!("{path}: {problem}")),
                "{path} in {stderr}"
            );
        }
        assert!(stderr.contains("(4 errors)"), "{stderr}");
    }
    assert_eq!(version(&site).await, Some(1), "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_says_when_jira_cannot_be_asked_and_offline_skips_only_that() {
    let jira = sandbox().await;
    let site = source(&jira.base_url, None);
    let closed = "http://127.0.0.1:9";
    let unreachable = cli(&site, closed, &["profile", "import", "profile.json"]);
    assert_eq!(unreachable.status.code(), Some(1), "{unreachable:?}");
    assert!(
        text(&unreachable.stderr).contains("--offline"),
        "{unreachable:?}"
    );
    assert_eq!(version(&site).await, Some(1));

    let offline = cli(
        &site,
        closed,
        &["profile", "import", "--offline", "profile.json"],
    );
    assert!(offline.status.success(), "{offline:?}");
    assert!(text(&offline.stderr).contains("not checked against Jira"));
    assert_eq!(version(&site).await, Some(2));
}

/// `serve` polls the profile's mailboxes with the passwords of `[secrets]`, and names the
/// one whose secret this site no longer defines instead of failing.
#[tokio::test]
async fn serve_polls_the_mailboxes_of_the_profile() {
    let Some((host, port)) = dovecot() else {
        return;
    };
    let folder = unique("profile");
    append(&host, &port, &folder, &["pm1"]);
    let dir = tempfile::tempdir().unwrap();
    let mailbox = |name: &str, secret: &str| {
        format!(
            r#"{{"name": "{name}", "server": "{host}", "port": {port}, "security": "plain",
                "folder": "{folder}", "poll_interval_secs": 1,
                "auth": {{"method": "login", "user": "alice@example.test",
                         "password": {{"secret_ref": "{secret}"}}}}}}"#
        )
    };
    let profile = format!(
        r#"{{"own": {{"addresses": ["support@example.com"]}},
            "default": {{"project": "SUP", "issue_type": "Task"}},
            "mailboxes": [{}, {}]}}"#,
        mailbox("support", "imap-alice"),
        mailbox("gone", "imap-gone")
    );
    let secrets = "[secrets]\nimap-alice = \"secret\"\n";
    std::fs::write(
        dir.path().join("postroom.toml"),
        format!("{secrets}imap-gone = \"x\"\n"),
    )
    .unwrap();
    let imported = import(dir.path(), "profile", &profile);
    assert!(imported.status.success(), "{imported:?}");
    std::fs::write(dir.path().join("postroom.toml"), secrets).unwrap();

    // The administrator's view: the usable profile mailbox is listed and connects.
    let listed = support::run(dir.path(), &["mailbox", "list"]);
    assert!(listed.status.success(), "{listed:?}");
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(
        listed.contains(&format!("support\t{host}:{port}\t{folder}")),
        "{listed}"
    );
    assert!(!listed.contains("gone"), "{listed}");
    let tested = support::run(dir.path(), &["mailbox", "test", "support"]);
    assert!(tested.status.success(), "{tested:?}");
    assert!(String::from_utf8_lossy(&tested.stdout).contains("authenticated"));

    let served = Served::start(dir.path(), &[]).await;
    let start = std::time::Instant::now();
    while taken_in(dir.path()).await < 1 {
        assert!(
            start.elapsed() < PATIENCE,
            "nothing taken in from the profile's mailbox"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let log = served.stderr().join("\n");
    assert!(
        log.contains("mailboxes[1].auth.password: secret \"imap-gone\" is not defined"),
        "{log}"
    );
    served.stop_gracefully();
}

#[test]
fn the_help_documents_profile_export() {
    let dir = tempfile::tempdir().unwrap();
    let help = postroom(dir.path())
        .args(["profile", "--help"])
        .output()
        .unwrap();
    let help = text(&help.stdout);
    assert!(help.contains("export"), "{help}");
    let manual = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/commands.md"),
    )
    .unwrap();
    assert!(manual.contains("postroom profile export [--out FILE]"));
}

/// `[inbound] profile` takes the document `profile export` writes, not only a bare profile.
#[tokio::test]
async fn serve_takes_an_exported_document_as_its_inbound_profile() {
    let bare = r#"{"own": {"addresses": ["support@example.com"]},
        "default": {"project": "SUP", "issue_type": "Task"}}"#;
    let from = Site::new(None, &[("profile.json", bare)]);
    from.ok(&["profile", "import", "--offline", "profile.json"]);
    from.ok(&["profile", "export", "--out", "export.json"]);
    let document = from.path().join("export.json");
    let text = std::fs::read_to_string(&document).unwrap();
    assert!(text.contains("\"version\""), "an export document: {text}");
    let to = Site::new(None, &[]);
    let served = Served::start_with_args(
        to.path(),
        &["--smtp", "127.0.0.1:0"],
        &[
            ("POSTROOM_STORAGE__URL", to.db_url.as_str()),
            ("POSTROOM_INBOUND__PROFILE", document.to_str().unwrap()),
        ],
    )
    .await;
    let smtp = support::listening(&served, "smtp");
    let answer = support::rcpt(&smtp, "support@example.com");
    assert!(
        answer.starts_with("250"),
        "the export's own address: {answer}"
    );
    served.stop_gracefully();
}
