//! IMAP mailboxes through the real binary against a real Dovecot (`POSTROOM_TEST_IMAP`,
//! started by scripts/test): `mailbox test` says what is there or what is wrong, and
//! `serve` takes each message in once, marking it only after the intake committed it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use support::imap::{append, dovecot, imap, taken_in, taken_in_at, unique};
use support::{Served, postroom};

fn seen(host: &str, port: &str, folder: &str) -> usize {
    let out = imap(
        host,
        port,
        &format!("m.select('{folder}')\nprint(len(m.search(None, 'SEEN')[1][0].split()))"),
    );
    out.trim().parse().unwrap()
}

fn config(dir: &Path, host: &str, port: &str, folder: &str, password: &str) {
    config_after(dir, host, port, folder, password, "");
}

/// `after` is an extra `[mailboxes.after]` table, or empty for the default (flag).
fn config_after(dir: &Path, host: &str, port: &str, folder: &str, password: &str, after: &str) {
    std::fs::write(
        dir.join("postroom.toml"),
        format!(
            "[[mailboxes]]\nname = \"support\"\nserver = \"{host}\"\nport = {port}\n\
             security = \"plain\"\nfolder = \"{folder}\"\npoll_interval_secs = 1\n\
             [mailboxes.auth]\nmethod = \"login\"\nuser = \"alice@example.test\"\npassword = \"{password}\"\n{after}"
        ),
    )
    .unwrap();
}

#[test]
fn mailbox_test_lists_folders_or_names_the_failing_step() {
    let Some((host, port)) = dovecot() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = unique("probe");
    append(&host, &port, &folder, &["p1"]);
    config(dir.path(), &host, &port, &folder, "secret");
    let ok = postroom(dir.path())
        .args(["mailbox", "test", "support"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        text.contains("authenticated") && text.contains(&folder),
        "{text}"
    );
    assert!(
        text.contains(&format!("1 message(s) waiting in {folder}")),
        "{text}"
    );

    config(dir.path(), &host, &port, &folder, "wrong-password");
    let refused = postroom(dir.path())
        .args(["mailbox", "test", "support"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("authentication refused"), "{stderr}");
    assert!(
        !stderr.contains("wrong-password"),
        "the password is never shown"
    );

    let unknown = postroom(dir.path())
        .args(["mailbox", "test", "nosuch"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("\"support\""));
}

#[tokio::test]
async fn serve_takes_each_message_in_once_and_then_flags_it() {
    let Some((host, port)) = dovecot() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = unique("serve");
    append(&host, &port, &folder, &["s1", "s2"]);
    config(dir.path(), &host, &port, &folder, "secret");
    let served = Served::start(dir.path(), &[]).await;
    let mut waited = 0;
    while taken_in(dir.path()).await < 2 && waited < 600 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(taken_in(dir.path()).await, 2);
    let mut waited = 0;
    while seen(&host, &port, &folder) < 2 && waited < 600 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(seen(&host, &port, &folder), 2, "flagged after intake");
    served.stop_gracefully();

    // A restart rereads nothing; a new message is taken in.
    append(&host, &port, &folder, &["s3"]);
    let served = Served::start(dir.path(), &[]).await;
    let mut waited = 0;
    while taken_in(dir.path()).await < 3 && waited < 600 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(taken_in(dir.path()).await, 3);
    served.stop_gracefully();
}

fn count(host: &str, port: &str, folder: &str) -> usize {
    let out = imap(
        host,
        port,
        &format!("typ, data = m.select('{folder}')\nprint(int(data[0]) if typ == 'OK' else 0)"),
    );
    out.trim().parse().unwrap()
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..1200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The poller process killed with SIGKILL three times while it works through 1,000
/// messages: at the end each is in intake exactly once, and every message that left the
/// folder was committed first (moved count == intake count, nothing left behind).
#[tokio::test]
async fn a_thousand_messages_survive_three_kills_of_the_poller() {
    let Some((host, port)) = dovecot() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = unique("kill");
    let done = format!("{folder}-done");
    let ids: Vec<String> = (0..1000).map(|i| format!("k{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    append(&host, &port, &folder, &refs);
    imap(&host, &port, &format!("m.create('{done}')"));
    let after = format!("[mailboxes.after]\naction = \"move\"\nfolder = \"{done}\"\n");
    config_after(dir.path(), &host, &port, &folder, "secret", &after);
    for round in 0..3 {
        let mut served = Served::start(dir.path(), &[]).await;
        let before = taken_in(dir.path()).await;
        wait_for("progress before the kill", async || {
            taken_in(dir.path()).await > before
        })
        .await;
        tokio::time::sleep(Duration::from_millis(150 * round)).await;
        served.kill();
        let moved = count(&host, &port, &done);
        let taken = taken_in(dir.path()).await;
        assert!(
            moved <= taken,
            "moved {moved} before committing them ({taken})"
        );
    }
    let served = Served::start(dir.path(), &[]).await;
    wait_for("all 1,000 in intake", async || {
        taken_in(dir.path()).await == 1000
    })
    .await;
    wait_for("the folder emptied", async || {
        count(&host, &port, &folder) == 0
    })
    .await;
    assert_eq!(count(&host, &port, &done), 1000);
    assert_eq!(taken_in(dir.path()).await, 1000);
    served.stop_gracefully();
}

/// Two instances on one PostgreSQL database (sharing the key vault and blob directory,
/// as a scale-out install must): the lease lets one poll at a time; each message once.
#[tokio::test]
async fn two_instances_on_postgresql_take_each_message_once() {
    let Some((host, port)) = dovecot() else {
        return;
    };
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = unique("pair");
    let done = format!("{folder}-done");
    let ids: Vec<String> = (0..200).map(|i| format!("p{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    append(&host, &port, &folder, &refs);
    imap(&host, &port, &format!("m.create('{done}')"));
    let after = format!("[mailboxes.after]\naction = \"move\"\nfolder = \"{done}\"\n");
    config_after(dir.path(), &host, &port, &folder, "secret", &after);
    let env = [("POSTROOM_STORAGE__URL", url.as_str())];
    let first = Served::start(dir.path(), &env).await;
    let second = Served::start(dir.path(), &env).await;
    wait_for("all 200 in intake", async || taken_in_at(&url).await == 200).await;
    wait_for("the folder emptied", async || {
        count(&host, &port, &folder) == 0
    })
    .await;
    assert_eq!(count(&host, &port, &done), 200, "each moved once");
    let store = Store::open(&url).await.unwrap();
    let jobs = store
        .tenant(&TenantId::default_tenant())
        .await
        .unwrap()
        .jobs()
        .list(false, 1000)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 200, "one job per message");
    first.stop_gracefully();
    second.stop_gracefully();
}
