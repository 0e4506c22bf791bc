//! `postroom backup` through the binary, on SQLite and PostgreSQL: a backup made while
//! `serve --sandbox` runs, restored into a fresh site that holds only the master key and
//! the key vault, shows the same audit, templates, profile and thread map under `serve`;
//! `backup verify` finds a flipped byte; a restore into a non-empty place is refused. The
//! scheduled backup is one recurring job per period across instances, keeping the newest
//! `[backup] keep`, driven here by an injected clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use postroom::backup::{BACKUP_JOB, ScheduledBackups, declare};
use postroom::config::Config;
use postroom_store::backup::BackupTarget;
use postroom_store::blobs::BlobConfig;
use support::{Served, Site};

const PATIENCE: Duration = Duration::from_secs(60);

const PROFILE: &str = r#"{"own": {"addresses": ["support@example.com"]},
    "default": {"project": "SUP", "issue_type": "Task"}}"#;

fn mail_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/mail/new_request.eml")
}

impl Site {
    async fn serve(&self) -> Served {
        Served::start_with_args(
            self.path(),
            &["--sandbox"],
            &[("POSTROOM_STORAGE__URL", self.db_url.as_str())],
        )
        .await
    }

    async fn wait_created(&self) -> String {
        let start = Instant::now();
        loop {
            let listed = self.ok(&["audit", "list", "--status", "created"]);
            if let Some(row) = listed.lines().nth(1) {
                return row.split('\t').next().unwrap().to_owned();
            }
            assert!(start.elapsed() < PATIENCE, "no created row: {listed}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Runs `postroom ARGS` against the sandbox Jira of `served` (canned responses need
    /// the site to check who may see them); its stdout.
    fn with_jira(&self, served: &Served, args: &[&str]) -> String {
        let out = support::postroom(self.path())
            .env("POSTROOM_STORAGE__URL", &self.db_url)
            .env(
                "POSTROOM_JIRA__URL",
                format!("{}/sandbox/jira", served.base),
            )
            .env("POSTROOM_JIRA__EMAIL", jira_sandbox::ADMIN_EMAIL)
            .env("POSTROOM_JIRA__TOKEN", jira_sandbox::API_TOKEN)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// What an administrator sees of the site's data, command by command, while `served`
    /// runs.
    fn views(&self, served: &Served, audit_id: &str) -> Vec<String> {
        let mut views: Vec<String> = [
            &["audit", "list"][..],
            &["audit", "show", audit_id],
            &["audit", "raw", audit_id],
            &["profile", "export"],
            &["token", "list"],
        ]
        .iter()
        .map(|args| self.ok(args))
        .collect();
        views.push(self.with_jira(served, &["template", "list"]));
        views
    }
}

async fn api_audit(served: &Served, token: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/audit", served.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Copies what an operator keeps apart from the backups: the master key and the vault.
fn copy_keys(from: &Path, to: &Path) {
    let (from, to) = (from.join("data"), to.join("data"));
    std::fs::create_dir_all(to.join("keys")).unwrap();
    std::fs::copy(from.join("master.key"), to.join("master.key")).unwrap();
    for entry in std::fs::read_dir(from.join("keys")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join("keys").join(entry.file_name())).unwrap();
    }
}

async fn round_trip(db: Option<String>, restored_db: Option<String>, expected_method: &str) {
    let site = Site::new(db, &[("profile.json", PROFILE)]);
    site.ok(&["profile", "import", "profile.json"]);
    let served = site.serve().await;
    let out = site.ok(&["process", mail_file().to_str().unwrap()]);
    assert!(out.contains("1 taken in"), "{out}");
    let audit_id = site.wait_created().await;
    site.with_jira(
        &served,
        &[
            "template",
            "add",
            "--name",
            "Thanks",
            "--body",
            "Thank you!",
        ],
    );
    let token = site
        .ok(&[
            "token",
            "create",
            "--account-id",
            "557058:f00",
            "--scope",
            "admin",
        ])
        .trim()
        .to_owned();
    let (status, api_before) = api_audit(&served, &token).await;
    assert_eq!(status, 200);
    let before = site.views(&served, &audit_id);
    assert!(before[5].contains("Thanks"), "{before:?}");

    // Made while serve runs: the online backup.
    let backups = tempfile::tempdir().unwrap();
    let to = backups.path().to_str().unwrap();
    let made = site.ok(&["backup", "create", "--to", to]);
    assert!(made.contains(expected_method), "{made}");
    let id = made.split_whitespace().nth(1).unwrap().to_owned();
    served.stop_gracefully();
    let listed = site.ok(&["backup", "list", "--from", to]);
    assert!(listed.contains(&id), "{listed}");
    assert!(
        site.ok(&["backup", "verify", &id, "--from", to])
            .contains("intact")
    );

    // A fresh site: nothing but the keys, kept apart from the backup.
    let restored = Site::new(restored_db, &[]);
    let refused = restored.run(&["backup", "restore", &id, "--from", to]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("master key"),
        "{refused:?}"
    );
    copy_keys(site.path(), restored.path());
    let out = restored.ok(&["backup", "restore", &id, "--from", to]);
    assert!(out.contains(&format!("restored backup {id}")), "{out}");
    let again = restored.run(&["backup", "restore", &id, "--from", to]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("is not empty"),
        "{again:?}"
    );
    let served = restored.serve().await;
    assert_eq!(restored.views(&served, &audit_id), before);
    assert_eq!(api_audit(&served, &token).await, (200, api_before));
    served.stop_gracefully();

    // A flipped byte anywhere is found.
    let database = backups.path().join(&id).join("database");
    let mut bytes = std::fs::read(&database).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x04;
    std::fs::write(&database, bytes).unwrap();
    let failed = site.run(&["backup", "verify", &id, "--from", to]);
    assert_eq!(failed.status.code(), Some(1), "{failed:?}");
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("database"),
        "{failed:?}"
    );
}

#[tokio::test]
async fn a_restored_sqlite_site_shows_the_same_data_under_serve() {
    round_trip(None, None, "VACUUM INTO").await;
}

#[tokio::test]
async fn a_restored_postgres_site_shows_the_same_data_under_serve() {
    let Some(db) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    let restored = postroom_store::testing::postgres_url().await.unwrap();
    round_trip(Some(db), restored, "pg_dump").await;
}

const DAY_MS: i64 = 86_400_000;
const T0: i64 = 1_796_302_800_000;

#[tokio::test]
async fn the_weekly_backup_is_one_job_per_week_across_instances_and_keeps_the_newest_eight() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = format!("sqlite:{}", data.join("postroom.db").display());
    let mut config = Config::default();
    config.storage.data_dir = data.clone();
    config.storage.url = url.clone();
    let store = postroom::app::open_store(&config).await.unwrap();
    let tenant = postroom::app::ensure_default_tenant(&store, &config)
        .await
        .unwrap();
    let (keyring, _) = postroom::keys::open_keyring(&config).unwrap();
    let blobs = postroom::keys::open_blobs(&config).unwrap();
    let week = config.backup.period().unwrap().unwrap();
    assert_eq!(week, Duration::from_secs(7 * 86_400), "weekly by default");
    assert_eq!(config.backup.keep, 8);

    // Two instances start and declare the schedule; the second keeps the first's.
    declare(&tenant, week, T0).await.unwrap();
    declare(&tenant, week, T0 + DAY_MS).await.unwrap();
    let queue = store.queue();
    let backups = ScheduledBackups::new(&config, store.clone(), blobs, keyring.clone()).unwrap();
    let mut enqueued = 0;
    for day in 0..=70 {
        let now = T0 + day * DAY_MS;
        // Both instances' tickers run each day; only one enqueues the week's job.
        let (a, b) = tokio::join!(
            queue.enqueue_due_recurring(now),
            queue.enqueue_due_recurring(now)
        );
        let new = a.unwrap() + b.unwrap();
        assert_eq!(new, usize::from(day > 0 && day % 7 == 0), "day {day}");
        enqueued += new;
        if new == 1 {
            backups.make_and_prune(now).await.unwrap();
        }
    }
    assert_eq!(enqueued, 10);
    let jobs = tenant.jobs().list(false, 100).await.unwrap();
    assert_eq!(
        jobs.iter().filter(|j| j.kind == BACKUP_JOB).count(),
        10,
        "{jobs:?}"
    );
    let target = BackupTarget::open(&BlobConfig::Local(data.join("backups")), "").unwrap();
    let kept = target.ids().await.unwrap();
    let expected: Vec<String> = (3..=10)
        .map(|week| postroom_store::backup::id_for(T0 + week * 7 * DAY_MS))
        .collect();
    assert_eq!(kept, expected, "the newest eight, by their weeks");
    for id in &kept {
        target.verify(id, &keyring).await.unwrap();
    }
}
