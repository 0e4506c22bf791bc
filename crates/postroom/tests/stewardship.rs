//! The stewardship commands through the real binary: the master key made at first start,
//! API tokens and the access log, key rotation beside a running server, tenant erasure,
//! the data inventory and logs that never show an address or a subject.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use object_store::ObjectStoreExt;
use postroom_core::tenant::TenantId;
use postroom_store::blobs::{self, BlobConfig, BlobKind, TenantBlobs};
use postroom_store::crypto::{CryptoError, KeyVault, Keyring, MasterKeyFile, Place};
use postroom_store::{JiraConnection, Store};
use support::{Served, postroom};

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let output = postroom(dir).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

async fn open_db(dir: &Path) -> Store {
    let url = format!("sqlite:{}", dir.join("data/postroom.db").display());
    let store = Store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

fn keyring(dir: &Path) -> Keyring {
    Keyring::from_file(
        KeyVault::new(dir.join("data/keys")),
        MasterKeyFile::new(dir.join("data/master.key")),
    )
    .unwrap()
    .0
}

#[tokio::test]
async fn first_serve_makes_a_private_master_key_and_says_to_back_it_up() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let key = dir.path().join("data/master.key");
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim().len(), 64, "64 hex digits");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    served.assert_healthy().await;
    assert!(
        served.stderr().iter().any(|l| l.contains("BACK IT UP")),
        "{:?}",
        served.stderr()
    );
    served.stop_gracefully();

    // The second start reads the same key and does not warn again.
    let again = Served::start(dir.path(), &[]).await;
    again.assert_healthy().await;
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);
    assert!(!again.stderr().iter().any(|l| l.contains("BACK IT UP")));
    again.stop_gracefully();
}

#[test]
fn init_also_makes_the_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(dir.path(), &["init"]);
    assert!(out.contains("master.key"), "{out}");
    assert!(dir.path().join("data/master.key").exists());
}

#[tokio::test]
async fn tokens_authenticate_the_api_and_every_call_is_in_the_access_log() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let secret = run_ok(
        dir.path(),
        &[
            "token",
            "create",
            "--account-id",
            "5b10ac8d82e05b22cc7d4ef5",
            "--name",
            "ci",
            "--scope",
            "admin",
        ],
    );
    let secret = secret.trim().to_owned();
    assert!(secret.starts_with("pr_"), "{secret}");
    let listed = run_ok(dir.path(), &["token", "list", "--json"]);
    let info: serde_json::Value = serde_json::from_str(listed.trim()).unwrap();
    assert_eq!(info["account_id"], "5b10ac8d82e05b22cc7d4ef5");
    assert_eq!(info["scope"], "admin");
    assert!(!listed.contains(&secret), "the secret is never listed");

    let client = reqwest::Client::new();
    let whoami = |token: Option<String>| {
        let mut request = client.get(format!("{}/api/v1/whoami", served.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let me = whoami(Some(secret.clone())).await.unwrap();
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["tenant"], "default");
    assert_eq!(me["account_id"], "5b10ac8d82e05b22cc7d4ef5");
    assert_eq!(me["scope"], "admin");
    assert_eq!(me["token_id"], info["id"]);

    for token in [
        None,
        Some("pr_".to_owned() + &"0".repeat(64)),
        Some("garbage".to_owned()),
    ] {
        let refused = whoami(token).await.unwrap();
        assert_eq!(refused.status(), 401);
        assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    }

    let id = info["id"].as_str().unwrap();
    run_ok(dir.path(), &["token", "revoke", id]);
    assert_eq!(
        whoami(Some(secret.clone())).await.unwrap().status(),
        401,
        "revoked at once"
    );
    let again = postroom(dir.path())
        .args(["token", "revoke", id])
        .output()
        .unwrap();
    assert!(!again.status.success(), "revoking twice says so");

    let store = open_db(dir.path()).await;
    let log = store
        .tenant(&TenantId::default_tenant())
        .await
        .unwrap()
        .access_log(10)
        .await
        .unwrap();
    let ok = log
        .iter()
        .find(|e| e.status == 200)
        .expect("the successful call");
    assert_eq!(ok.route, "/api/v1/whoami");
    assert_eq!(ok.method, "GET");
    assert_eq!(ok.account_id.as_deref(), Some("5b10ac8d82e05b22cc7d4ef5"));
    assert_eq!(ok.ip.as_deref(), Some("127.0.0.0/24"));
    let everything = format!("{log:?}");
    assert!(
        !everything.contains(&secret[3..]),
        "no token in the access log"
    );
    served.stop_gracefully();
}

#[tokio::test]
async fn keys_rotate_beside_a_running_server_and_with_a_master_key_value() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let store = open_db(dir.path()).await;
    let tenant = store
        .ensure_tenant(
            &TenantId::parse("acme").unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap();
    let before = keyring(dir.path());
    let place = Place::column("t", "c", "1");
    let sealed = before
        .cipher(&tenant)
        .await
        .unwrap()
        .seal(&place, b"secret")
        .unwrap();
    let old_key = std::fs::read_to_string(dir.path().join("data/master.key")).unwrap();

    let out = run_ok(dir.path(), &["keys", "rotate"]);
    assert!(out.contains("re-wrapped 1 tenant key"), "{out}");
    let new_key = std::fs::read_to_string(dir.path().join("data/master.key")).unwrap();
    assert_ne!(new_key, old_key);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data/master.key.previous")).unwrap(),
        old_key
    );
    // A keyring loaded before the rotation follows it; a fresh one opens with the new key.
    let opened = before
        .existing_cipher(tenant.db(), tenant.id())
        .await
        .unwrap()
        .open(&place, &sealed)
        .unwrap();
    assert_eq!(opened, b"secret");
    let after = keyring(dir.path());
    assert_eq!(
        after
            .existing_cipher(tenant.db(), tenant.id())
            .await
            .unwrap()
            .open(&place, &sealed)
            .unwrap(),
        b"secret"
    );
    served.assert_healthy().await;
    served.stop_gracefully();

    // A master key given as a value: the operator swaps values, rotate re-wraps.
    let value = "ab".repeat(32);
    let rotated = postroom(dir.path())
        .args(["keys", "rotate"])
        .env("POSTROOM_KEYS__MASTER_KEY", &value)
        .env("POSTROOM_KEYS__PREVIOUS_MASTER_KEY", new_key.trim())
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{rotated:?}");
    assert!(String::from_utf8_lossy(&rotated.stdout).contains("re-wrapped 1 tenant key"));
    let wrong = postroom(dir.path())
        .args(["keys", "rotate"])
        .env("POSTROOM_KEYS__MASTER_KEY", "cd".repeat(32))
        .output()
        .unwrap();
    assert!(
        !wrong.status.success(),
        "a vault key no loaded master opens is an error"
    );
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("not loaded"),
        "{wrong:?}"
    );
}

/// The configuration that points the binary at a test blob store.
fn blob_env(config: &BlobConfig, dir: &Path) -> Vec<(String, String)> {
    match config {
        BlobConfig::Local(path) => vec![(
            "POSTROOM_STORAGE__BLOBS_DIR".to_owned(),
            path.display().to_string(),
        )],
        BlobConfig::S3(s3) => {
            let credentials = dir.join("s3-credentials");
            std::fs::write(
                &credentials,
                format!(
                    "access_key_id = {}\nsecret_access_key = {}\n",
                    s3.access_key_id, s3.secret_access_key
                ),
            )
            .unwrap();
            vec![
                ("POSTROOM_STORAGE__S3__BUCKET".to_owned(), s3.bucket.clone()),
                (
                    "POSTROOM_STORAGE__S3__ENDPOINT".to_owned(),
                    s3.endpoint.clone().unwrap(),
                ),
                (
                    "POSTROOM_STORAGE__S3__CREDENTIALS_FILE".to_owned(),
                    credentials.display().to_string(),
                ),
            ]
        }
        BlobConfig::Memory => unreachable!("a separate process cannot share memory"),
    }
}

/// On the local directory and on an S3-compatible server (moto).
#[tokio::test]
async fn tenant_erase_shreds_the_key_so_blobs_and_old_copies_stay_unreadable() {
    for backend in blobs::testing::all_backends().unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let env = blob_env(&backend.config, dir.path());
        run_ok(dir.path(), &["migrate"]);
        let store = open_db(dir.path()).await;
        let acme = TenantId::parse("acme").unwrap();
        let tenant = store
            .ensure_tenant(&acme, &JiraConnection::default(), 1)
            .await
            .unwrap();
        let keys = keyring(dir.path());
        let cipher = keys.cipher(&tenant).await.unwrap();
        let tenant_blobs = TenantBlobs::new(backend.store.clone(), cipher.clone());
        tenant_blobs
            .put(BlobKind::InboundMail, "m1", b"From: a@example.com")
            .await
            .unwrap();
        let raw_key = tenant_blobs.key(BlobKind::InboundMail, "m1").unwrap();
        let raw_blob = backend
            .store
            .raw()
            .get(&object_store::path::Path::from(raw_key.as_str()))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let backup_value = cipher.seal(&Place::column("t", "c", "1"), b"row").unwrap();

        let refused = postroom(dir.path())
            .args(["tenant", "erase", "acme"])
            .envs(env.clone())
            .output()
            .unwrap();
        assert!(!refused.status.success(), "no terminal, no --yes: refused");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("--yes"));

        let erased = postroom(dir.path())
            .args(["tenant", "erase", "acme", "--yes"])
            .envs(env.clone())
            .output()
            .unwrap();
        assert!(erased.status.success(), "{erased:?}");
        let out = String::from_utf8_lossy(&erased.stdout);
        assert!(
            out.contains("data key destroyed") && out.contains("1 blob(s)"),
            "{out}"
        );
        assert!(matches!(
            keys.existing_cipher(store.db(), &acme).await,
            Err(CryptoError::NoKey(_))
        ));
        assert!(tenant_blobs.keys().await.unwrap().is_empty());
        // Even under a fresh key for the same name, the old ciphertexts do not open.
        let reborn = store
            .ensure_tenant(&acme, &JiraConnection::default(), 2)
            .await
            .unwrap();
        let new_cipher = keyring(dir.path()).cipher(&reborn).await.unwrap();
        assert!(
            new_cipher
                .open(&Place::column("t", "c", "1"), &backup_value)
                .is_err()
        );
        assert!(new_cipher.open(&Place::blob(&raw_key), &raw_blob).is_err());

        let unknown = postroom(dir.path())
            .args(["tenant", "erase", "nosuch", "--yes"])
            .output()
            .unwrap();
        assert!(!unknown.status.success());
    }
}

#[tokio::test]
async fn data_inventory_lists_every_migrated_table_with_its_retention() {
    let dir = tempfile::tempdir().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&run_ok(dir.path(), &["data-inventory", "--format", "json"])).unwrap();
    assert!(
        !dir.path().join("data").exists(),
        "the inventory needs no database"
    );
    let declared: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert!(t["kept"].as_str().is_some_and(|k| !k.is_empty()), "{t}");
            t["name"].as_str().unwrap()
        })
        .collect();
    run_ok(dir.path(), &["migrate"]);
    let store = open_db(dir.path()).await;
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(store.db().pool())
    .await
    .unwrap();
    assert!(!rows.is_empty());
    for (table,) in rows {
        assert!(
            declared.contains(&table.as_str()),
            "{table} is not in the inventory"
        );
    }
    let markdown = run_ok(dir.path(), &["data-inventory"]);
    assert!(markdown.starts_with("| data | where | protection | kept |"));
}

#[test]
fn dry_run_logs_senders_and_subjects_only_as_keyed_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/golden");
    let output = postroom(dir.path())
        .args([
            "--log-format",
            "json",
            "process",
            "--dry-run",
            "--format",
            "json",
        ])
        .arg(&corpus)
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let results: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let logged: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &serde_json::Value| l["fields"]["message"] == "message read")
        .collect();
    assert_eq!(logged.len(), results.len(), "one log line per message");
    assert!(logged.iter().any(|l| {
        l["fields"]["from"]
            .as_str()
            .is_some_and(|f| f.starts_with("addr:"))
    }));
    let mut checked = 0;
    for result in &results {
        for personal in [&result["from"]["address"], &result["subject"]] {
            if let Some(text) = personal.as_str().filter(|t| t.len() >= 6) {
                assert!(!stderr.contains(text), "{text:?} appears in the log");
                checked += 1;
            }
        }
    }
    assert!(
        checked >= results.len(),
        "the corpus has addresses and subjects to look for"
    );
}
