//! The processing audit through the binary, on SQLite and PostgreSQL: a mail taken in and
//! processed by `serve --sandbox` is listed (senders only as hashes), shown with its
//! report, given back byte for byte, reprocessed as a new attempt, flagged for support with
//! and without redaction, served under `/api/v1/audit` to admin tokens only, and purged by
//! retention as of an injected day. With `store_raw = false` the report stays and the raw
//! mail goes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::Value;
use support::{Served, Site};

/// How long a mail may take to be processed on a busy 2-core machine (functional timeout).
const PATIENCE: Duration = Duration::from_secs(60);

const DAY_MS: i64 = 86_400_000;

const PROFILE: &str = r#"{"own": {"addresses": ["support@example.com"]},
    "default": {"project": "SUP", "issue_type": "Task"}}"#;

/// A site with the test profile imported and `config` as its `postroom.toml`.
fn site(db_url: Option<String>, config: &str) -> Site {
    let site = Site::new(
        db_url,
        &[("postroom.toml", config), ("profile.json", PROFILE)],
    );
    site.ok(&["profile", "import", "profile.json"]);
    site
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

    /// Takes `file` in with `postroom process`.
    fn process(&self, file: &Path) {
        let out = self.ok(&["process", file.to_str().unwrap()]);
        assert!(out.contains("1 taken in"), "{out}");
    }

    /// The audit list's rows (header left out) for `args`.
    fn list(&self, args: &[&str]) -> Vec<Vec<String>> {
        let mut all = vec!["audit", "list"];
        all.extend_from_slice(args);
        self.ok(&all)
            .lines()
            .skip(1)
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect()
    }

    /// Waits until `audit list --status STATUS` has `count` rows.
    async fn wait_for(&self, status: &str, count: usize) -> Vec<Vec<String>> {
        let start = Instant::now();
        loop {
            let rows = self.list(&["--status", status]);
            if rows.len() >= count {
                return rows;
            }
            assert!(start.elapsed() < PATIENCE, "{rows:?} after {PATIENCE:?}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// The raw-mail blobs left in the local blob store.
    fn raw_blobs(&self) -> usize {
        let dir = self.path().join("data/blobs/default/inbound");
        std::fs::read_dir(dir).map_or(0, |d| d.count())
    }

    fn token(&self, scope: &str) -> String {
        let out = self.ok(&[
            "token",
            "create",
            "--account-id",
            "557058:f00",
            "--scope",
            scope,
        ]);
        out.trim().to_owned()
    }
}

fn mail_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/mail/new_request.eml")
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

async fn call(method: reqwest::Method, url: String, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn the_audit(db_url: Option<String>) {
    let site = site(db_url, "");
    let served = site.serve().await;
    site.process(&mail_file());
    let rows = site.wait_for("created", 1).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let id = rows[0][0].clone();
    let (issue, sender) = (rows[0][4].clone(), rows[0][5].clone());
    assert!(issue.starts_with("SUP-"), "{rows:?}");
    assert!(sender.starts_with("addr:"), "{rows:?}");
    let listed = site.ok(&["audit", "list"]);
    assert!(
        !listed.contains("ann@"),
        "the list names no address: {listed}"
    );

    // Filters: by address (hashed to match), by hash, by another sender, by status, by time.
    assert_eq!(site.list(&["--from", "ann@customer.example"]).len(), 1);
    assert_eq!(site.list(&["--from", &sender]).len(), 1);
    assert!(site.list(&["--from", "bob@customer.example"]).is_empty());
    assert!(site.list(&["--status", "failed"]).is_empty());
    assert_eq!(site.list(&["--since", "1h"]).len(), 1);
    assert!(site.list(&["--since", "2999-01-01"]).is_empty());
    let bad = site.run(&["audit", "list", "--status", "done"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("pending, refused"),
        "{bad:?}"
    );

    let shown = site.ok(&["audit", "show", &id]);
    assert!(shown.contains("status:      created\n"), "{shown}");
    assert!(
        shown.contains(&format!("issue:       {issue}\n")),
        "{shown}"
    );
    assert!(
        shown.contains("from:        ann@customer.example"),
        "{shown}"
    );
    assert!(shown.contains("what happened:"), "{shown}");
    let raw = site.run(&["audit", "raw", &id]);
    assert!(raw.status.success());
    assert_eq!(
        raw.stdout,
        std::fs::read(mail_file()).unwrap(),
        "the original bytes"
    );
    let unknown = site.run(&["audit", "show", "nosuch"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no message \"nosuch\""));

    // Reprocess: a new attempt, which creates a second issue and replaces the result.
    let queued = site.ok(&["audit", "reprocess", &id]);
    assert!(queued.contains("a new attempt"), "{queued}");
    let start = Instant::now();
    let again = loop {
        let shown = site.ok(&["audit", "show", &id]);
        if shown.contains("reprocess:") && shown.contains("status:      created") {
            break shown;
        }
        assert!(start.elapsed() < PATIENCE, "not reprocessed: {shown}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(
        !again.contains(&format!("issue:       {issue}\n")),
        "a new issue: {again}"
    );
    assert!(
        again.contains(&format!("the earlier result was created ({issue})")),
        "{again}"
    );

    flag(&site, &id);
    api(&site, &served, &id).await;
    let metrics = served.metrics().await;
    assert!(
        metrics.contains("postroom_purge_last_run_timestamp_seconds"),
        "{metrics}"
    );
    drop(served);

    // Retention as of an injected day: 29 days on, everything stays; 31 days on, it is gone.
    let day = |n: i64| postroom::app::format_ms(now_ms() + n * DAY_MS);
    let stays = site.ok(&["audit", "purge", "--now", &day(29)]);
    assert!(
        stays.starts_with(
            "purged 0 intake record(s) and 0 raw mail(s) older than 30 days, 0 report(s)"
        ),
        "{stays}"
    );
    assert_eq!(site.list(&[]).len(), 1);
    assert_eq!(site.raw_blobs(), 1);
    let gone = site.ok(&["audit", "purge", "--now", &day(31)]);
    assert!(
        gone.starts_with(
            "purged 1 intake record(s) and 1 raw mail(s) older than 30 days, 1 report(s)"
        ),
        "{gone}"
    );
    assert!(site.list(&[]).is_empty());
    assert_eq!(site.raw_blobs(), 0);
    assert!(!site.run(&["audit", "show", &id]).status.success());
}

/// `audit flag`: one bundle; with `--redact` no address or name is left, and the same
/// person has the same placeholder in the raw mail and the report.
fn flag(site: &Site, id: &str) {
    site.ok(&["audit", "flag", id, "--out", "plain.json"]);
    let plain: Value =
        serde_json::from_slice(&std::fs::read(site.path().join("plain.json")).unwrap()).unwrap();
    assert_eq!(plain["format"], "postroom-support-bundle");
    assert_eq!(plain["redacted"], false);
    let raw = base64::engine::general_purpose::STANDARD
        .decode(plain["raw_mail"]["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(raw, std::fs::read(mail_file()).unwrap());
    assert_eq!(plain["report"]["from"], "ann@customer.example");
    assert_eq!(plain["profile"]["document"]["default"]["project"], "SUP");
    assert_eq!(plain["message"]["status"], "created");
    let again = site.run(&["audit", "flag", id, "--out", "plain.json"]);
    assert!(!again.status.success(), "a bundle is never overwritten");

    site.ok(&["audit", "flag", id, "--redact", "--out", "redacted.json"]);
    let text = std::fs::read_to_string(site.path().join("redacted.json")).unwrap();
    let bundle: Value = serde_json::from_str(&text).unwrap();
    let raw = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(bundle["raw_mail"]["base64"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    for original in [
        "ann@customer.example",
        "bob@customer.example",
        "support@example.com",
        "Ann Lee",
    ] {
        assert!(!text.contains(original), "{original} in the bundle");
        assert!(!raw.contains(original), "{original} in the raw mail: {raw}");
    }
    let from = bundle["report"]["from"].as_str().unwrap();
    assert!(
        from.starts_with("person") && from.ends_with("@example.invalid"),
        "{from}"
    );
    assert!(raw.contains(&format!("From: Person 1 <{from}>")), "{raw}");
    assert!(raw.contains("Cc: Person 2 <"), "{raw}");
    let own = bundle["profile"]["document"]["own"]["addresses"][0]
        .as_str()
        .unwrap();
    assert!(
        raw.contains(&format!("To: {own}")),
        "the same placeholder: {raw}"
    );
    assert!(raw.contains("\n\nHello,"), "the body is kept: {raw}");
    assert!(
        raw.trim_end().ends_with("Person 1"),
        "the signature's name: {raw}"
    );
}

/// `/api/v1/audit…`: admin tokens only, 404 for unknown ids, 400 for bad filters.
async fn api(site: &Site, served: &Served, id: &str) {
    let admin = site.token("admin");
    let agent = site.token("agent");
    let base = format!("{}/api/v1/audit", served.base);
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    assert_eq!(call(get.clone(), base.clone(), None).await.0, 401);
    for (method, url) in [
        (get.clone(), base.clone()),
        (get.clone(), format!("{base}/{id}")),
        (get.clone(), format!("{base}/{id}/raw")),
        (post.clone(), format!("{base}/{id}/reprocess")),
        (post.clone(), format!("{base}/{id}/release")),
    ] {
        assert_eq!(
            call(method, url.clone(), Some(&agent)).await.0,
            403,
            "{url}"
        );
    }
    for (method, url) in [
        (get.clone(), format!("{base}/nosuch")),
        (get.clone(), format!("{base}/nosuch/raw")),
        (post.clone(), format!("{base}/nosuch/reprocess")),
        (post.clone(), format!("{base}/nosuch/release")),
    ] {
        assert_eq!(
            call(method, url.clone(), Some(&admin)).await.0,
            404,
            "{url}"
        );
    }
    let (status, body) = call(
        get.clone(),
        format!("{base}?status=created&from=ann@customer.example"),
        Some(&admin),
    )
    .await;
    assert_eq!(status, 200);
    let list: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(list["entries"][0]["id"], id, "{list}");
    assert!(
        !String::from_utf8_lossy(&body).contains("ann@"),
        "no address in the list"
    );
    for bad in [
        "?status=done",
        "?since=yesterday",
        "?limit=0",
        "?limit=x",
        "?from=ann",
    ] {
        let (status, body) = call(get.clone(), format!("{base}{bad}"), Some(&admin)).await;
        assert_eq!(status, 400, "{bad}: {}", String::from_utf8_lossy(&body));
    }
    let (status, body) = call(post.clone(), format!("{base}/{id}/release"), Some(&admin)).await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 409, "a created issue is not held: {body}");
    assert!(body.contains("it is created, not held"), "{body}");
    let (status, body) = call(get.clone(), format!("{base}/{id}"), Some(&admin)).await;
    assert_eq!(status, 200);
    let detail: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(detail["status"], "created");
    assert_eq!(detail["report"]["from"], "ann@customer.example");
    let (status, raw) = call(get, format!("{base}/{id}/raw"), Some(&admin)).await;
    assert_eq!(status, 200);
    assert_eq!(raw, std::fs::read(mail_file()).unwrap());
    let (_, openapi) = served.get("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/audit\"",
        "/api/v1/audit/{id}\"",
        "/api/v1/audit/{id}/raw\"",
        "/api/v1/audit/{id}/reprocess\"",
        "/api/v1/audit/{id}/release\"",
    ] {
        assert!(openapi.contains(path), "{path} in the OpenAPI document");
    }
}

#[tokio::test]
async fn the_audit_on_sqlite() {
    the_audit(None).await;
}

#[tokio::test]
async fn the_audit_on_postgresql() {
    let Some(url) = postroom_store::testing::postgres_url().await.unwrap() else {
        return;
    };
    the_audit(Some(url)).await;
}

/// `store_raw = false`: a file import and an upload are processed, their reports kept, their
/// raw mail deleted; the audit says why there is no raw mail, and a reprocess is refused
/// for the same reason.
#[tokio::test]
async fn without_raw_storage_the_report_stays_and_the_mail_goes() {
    let site = site(None, "[inbound]\nstore_raw = false\n");
    let inventory = site.ok(&["data-inventory"]);
    assert!(
        inventory.contains("uploads and file imports (inbound.store_raw)"),
        "{inventory}"
    );
    assert!(
        inventory.contains("| 30 days | `inbound.retention_days` |"),
        "{inventory}"
    );
    let served = site.serve().await;
    site.process(&mail_file());
    // An upload follows the same setting.
    let uploaded = reqwest::Client::new()
        .post(format!("{}/api/v1/mail", served.base))
        .bearer_auth(site.token("agent"))
        .header("content-type", "message/rfc822")
        .body(
            std::fs::read_to_string(mail_file())
                .unwrap()
                .replace("<new-1@customer.example>", "<upload-1@customer.example>"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 202);
    let rows = site.wait_for("created", 2).await;
    let id = rows[1][0].clone();
    let start = Instant::now();
    while site.raw_blobs() > 0 {
        assert!(start.elapsed() < PATIENCE, "the raw mail was kept");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let shown = site.ok(&["audit", "show", &id]);
    assert!(
        shown.contains("deleted once processed (store_raw = false)"),
        "{shown}"
    );
    assert!(
        shown.contains("from:        ann@customer.example"),
        "the report: {shown}"
    );
    let raw = site.run(&["audit", "raw", &id]);
    assert!(!raw.status.success());
    assert!(
        String::from_utf8_lossy(&raw.stderr).contains("store_raw = false"),
        "{raw:?}"
    );
    assert!(!site.run(&["audit", "reprocess", &id]).status.success());
    site.ok(&["audit", "flag", &id, "--out", "b.json"]);
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(site.path().join("b.json")).unwrap()).unwrap();
    assert!(
        bundle["raw_mail"]["missing"]
            .as_str()
            .unwrap()
            .contains("store_raw")
    );
    assert_eq!(bundle["report"]["from"], "ann@customer.example");
}

/// A site's own opt-out (`tenant set --store-raw false`) wins over its sources: its raw
/// mail goes once processed; opting in again keeps the next one; the inventory says so.
#[tokio::test]
async fn a_site_that_opts_out_keeps_no_raw_mail_whatever_its_sources_say() {
    let site = site(None, "");
    let said = site.ok(&["tenant", "set", "default", "--store-raw", "false"]);
    assert!(said.contains("keeps no raw mail"), "{said}");
    let shown = site.ok(&["tenant", "show", "default"]);
    assert!(shown.contains("raw mail:       not kept"), "{shown}");
    let inventory = site.ok(&["data-inventory"]);
    assert!(
        inventory
            .contains("| default | 30 days | 30 days | 30 days | not kept (the site opted out) |"),
        "{inventory}"
    );
    let _served = site.serve().await;
    site.process(&mail_file());
    let rows = site.wait_for("created", 1).await;
    let start = Instant::now();
    while site.raw_blobs() > 0 {
        assert!(start.elapsed() < PATIENCE, "the raw mail was kept");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let raw = site.run(&["audit", "raw", &rows[0][0]]);
    assert!(!raw.status.success(), "{raw:?}");

    site.ok(&["tenant", "set", "default", "--store-raw", "true"]);
    let again = site.path().join("again.eml");
    std::fs::write(
        &again,
        std::fs::read_to_string(mail_file())
            .unwrap()
            .replace("<new-1@customer.example>", "<new-2@customer.example>"),
    )
    .unwrap();
    site.process(&again);
    let rows = site.wait_for("created", 2).await;
    assert_eq!(site.raw_blobs(), 1, "the second mail keeps its raw mail");
    let newest = &rows[0][0];
    assert!(site.run(&["audit", "raw", newest]).status.success());
    let json: Value =
        serde_json::from_str(&site.ok(&["data-inventory", "--format", "json"])).unwrap();
    assert_eq!(json["tenants"][0]["raw_mail_kept"], true, "{json}");
}

#[test]
fn data_inventory_shows_the_configured_retention() {
    let site = site(None, "[inbound]\nretention_days = 45\n");
    let json: Value =
        serde_json::from_str(&site.ok(&["data-inventory", "--format", "json"])).unwrap();
    assert_eq!(json["in_force"]["retention_days"], 45);
    assert_eq!(json["in_force"]["raw_mail_not_kept"], serde_json::json!([]));
    std::fs::write(
        site.path().join("zero.toml"),
        "[inbound]\nretention_days = 0\n",
    )
    .unwrap();
    let zero = site.run(&["--config", "zero.toml", "data-inventory"]);
    assert!(!zero.status.success());
    assert!(
        String::from_utf8_lossy(&zero.stderr).contains("inbound.retention_days"),
        "{zero:?}"
    );
}
