//! postroom as the Forge app's remote backend, through the binary: the sandbox plays the
//! Forge platform and two Jira Cloud sites. Each installation is a tenant of its own whose
//! mail and events stay in its site; forged or misused invocation tokens are refused and
//! change nothing; work waits while no system token is valid and is then done exactly once;
//! an uninstalled site's mail is refused, a reinstall brings everything back, and after the
//! keeping period the site is crypto-shredded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use jira_sandbox::{
    EVENTS_PATH, ForgePlatform, ForgeSite, LIFECYCLE_PATH, RunningSandbox, SCHEDULE_PATH, Sandbox,
    SandboxConfig,
};
use postroom_core::tenant::TenantId;
use serde_json::{Value, json};
use sqlx::Row;
use support::{PATIENCE, Served, listening, mail, ok, rcpt, send_smtp};

/// The sites, the platform and postroom serving them.
struct World {
    dir: tempfile::TempDir,
    sites: Vec<RunningSandbox>,
    platform: ForgePlatform,
    served: Served,
}

async fn world(sites: usize, env: &[(&str, &str)]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut running = Vec::new();
    for i in 0..sites {
        let config = SandboxConfig {
            cloud_id: format!("0b5e0000-c10d-4000-8000-00000000010{i}"),
            ..SandboxConfig::default()
        };
        running.push(Sandbox::start(config).await.unwrap());
    }
    let platform = ForgePlatform::new("http://127.0.0.1:9").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_url = format!("http://{}", listener.local_addr().unwrap());
    let router = platform.router();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok()
    });
    platform.set_own_url(&platform_url);
    // The default tenant's own address, so that the SMTP listener has something to serve
    // before any site installs the app.
    std::fs::write(dir.path().join("default.json"), profile("default")).unwrap();
    ok(
        dir.path(),
        &["profile", "import", "--offline", "default.json"],
    );
    let jwks = format!("{platform_url}/.well-known/jwks.json");
    let mut all_env = vec![
        ("POSTROOM_FORGE__APP_ID", platform.app_id()),
        ("POSTROOM_FORGE__JWKS_URL", jwks.as_str()),
        ("POSTROOM_JIRA__REQUESTS_PER_SEC", "400"),
    ];
    all_env.extend_from_slice(env);
    let served = Served::start_with_args(dir.path(), &["--smtp", "127.0.0.1:0"], &all_env).await;
    platform.set_remote(&served.base);
    World {
        dir,
        sites: running,
        platform,
        served,
    }
}

/// Mail to `help@NAME.example` becomes an issue in SUP; a comment is told to the reporter.
fn profile(name: &str) -> String {
    format!(
        r#"{{"own": {{"addresses": ["help@{name}.example"]}},
            "default": {{"project": "SUP", "issue_type": "Task"}},
            "notifications": {{"rules": [
              {{"name": "customers", "events": ["comment_added"], "to": ["reporter"]}}]}}}}"#
    )
}

fn tenant_of(site: &ForgeSite) -> String {
    let uuid = site.installation_id.rsplit('/').next().unwrap();
    format!("forge-{uuid}")
}

impl World {
    /// Installs the app on site `i`, gives its tenant the profile `name` and waits until
    /// its address is served.
    async fn install(&self, i: usize, name: &str) -> ForgeSite {
        let (site, delivery) = self.platform.install(&self.sites[i].handle).await.unwrap();
        assert_eq!(delivery.status, Some(200), "{delivery:?}");
        assert!(delivery.body.contains("installed"), "{delivery:?}");
        let tenant = tenant_of(&site);
        std::fs::write(self.dir.path().join(format!("{name}.json")), profile(name)).unwrap();
        ok(
            self.dir.path(),
            &[
                "--tenant",
                &tenant,
                "profile",
                "import",
                "--offline",
                &format!("{name}.json"),
            ],
        );
        self.wait_rcpt(&format!("help@{name}.example"), "250").await;
        site
    }

    /// An API token of `tenant` acting as `account`, with `scope` (`agent` or `admin`).
    fn api_token(&self, tenant: &str, account: &str, scope: &str) -> String {
        let args = [
            "--tenant",
            tenant,
            "token",
            "create",
            "--account-id",
            account,
            "--scope",
            scope,
        ];
        ok(self.dir.path(), &args).trim().to_owned()
    }

    fn smtp(&self) -> String {
        listening(&self.served, "smtp")
    }

    async fn wait_rcpt(&self, address: &str, code: &str) -> String {
        let smtp = self.smtp();
        let start = Instant::now();
        loop {
            let answer = rcpt(&smtp, address);
            if answer.starts_with(code) {
                return answer;
            }
            assert!(start.elapsed() < PATIENCE, "{address}: {answer}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn db_url(&self) -> String {
        format!(
            "sqlite:{}",
            self.dir.path().join("data/postroom.db").display()
        )
    }

    /// A valid invocation token for `site`, with `change` applied to its claims.
    fn token(&self, site: &ForgeSite, change: impl FnOnce(&mut Value)) -> String {
        let mut claims = self.platform.claims(site, "test", None);
        change(&mut claims);
        self.platform.sign(&claims).unwrap()
    }

    /// `GET path` with an invocation token, as the console's pages inside Jira call it.
    async fn get(&self, path: &str, bearer: &str) -> (u16, Value) {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.served.base))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// An invocation token of the console's admin page on `site`, for `account` (`None`: a
    /// trigger's, naming nobody); signed whether or not the app is installed there.
    fn person(&self, site: &ForgeSite, account: Option<&str>) -> String {
        let claims = self.platform.claims(site, "postroom-admin", account);
        self.platform.sign(&claims).unwrap()
    }

    async fn post(&self, path: &str, bearer: Option<&str>, body: &Value) -> (u16, String) {
        let mut request = reqwest::Client::new()
            .post(format!("{}{path}", self.served.base))
            .json(body);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

/// The summaries of the issues of a sandbox site.
async fn summaries(site: &RunningSandbox) -> Vec<String> {
    let found: Value = support::sandbox_get(
        &site.base_url,
        "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary&maxResults=1000",
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

async fn wait_for_issues(site: &RunningSandbox, count: usize, patience: Duration) -> Vec<String> {
    let start = Instant::now();
    loop {
        let found = summaries(site).await;
        if found.len() >= count {
            return found;
        }
        assert!(
            start.elapsed() < patience,
            "{} of {count} issues in {}",
            found.len(),
            site.base_url
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Every row of every table as text, and every blob's bytes.
type Snapshot = (BTreeMap<String, Vec<String>>, BTreeMap<PathBuf, Vec<u8>>);

/// What "nothing changed" is measured by.
async fn snapshot(world: &World) -> Snapshot {
    let pool = sqlx::SqlitePool::connect(&world.db_url()).await.unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut rows = BTreeMap::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let expr = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let mut found: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {expr} FROM \"{table}\""
        )))
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        found.sort();
        rows.insert(table, found);
    }
    pool.close().await;
    let mut blobs = BTreeMap::new();
    let mut stack = vec![world.dir.path().join("data/blobs")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                blobs.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    (rows, blobs)
}

async fn webhook_events(world: &World, tenant: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&world.db_url()).await.unwrap();
    let n = sqlx::query("SELECT COUNT(*) FROM webhook_events WHERE tenant_id = ?")
        .bind(tenant)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get::<i64, _>(0);
    pool.close().await;
    n
}

#[tokio::test]
async fn two_sites_install_and_their_mail_and_events_stay_in_their_own_site() {
    let world = world(2, &[]).await;
    let a = world.install(0, "acme").await;
    let b = world.install(1, "globex").await;
    let smtp = world.smtp();
    for (to, subject) in [
        ("help@acme.example", "printer-a"),
        ("help@globex.example", "printer-b"),
    ] {
        let said = send_smtp(
            &smtp,
            "alice@customer.example",
            to,
            &mail("alice@customer.example", to, subject),
        );
        assert!(said.starts_with("250"), "{said}");
    }
    let in_a = wait_for_issues(&world.sites[0], 1, PATIENCE).await;
    let in_b = wait_for_issues(&world.sites[1], 1, PATIENCE).await;
    assert_eq!(in_a, vec!["printer-a"]);
    assert_eq!(in_b, vec!["printer-b"]);
    // The issues were made by the app's own account, with the system token Forge handed over.
    for (site, forge) in [(&world.sites[0], &a), (&world.sites[1], &b)] {
        let issue: Value = support::sandbox_get(
            &site.base_url,
            "/rest/api/3/search/jql?jql=project%3DSUP&fields=reporter,creator",
        )
        .await;
        assert_eq!(
            issue["issues"][0]["fields"]["creator"]["accountId"],
            forge.app_account_id.as_str()
        );
    }

    // An agent's comment in site A reaches postroom as a Forge event of A only.
    let key: Value = support::sandbox_get(
        &world.sites[0].base_url,
        "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary",
    )
    .await;
    let key = key["issues"][0]["key"].as_str().unwrap().to_owned();
    let commented = reqwest::Client::new()
        .post(format!("{}/rest/api/3/issue/{key}/comment", world.sites[0].base_url))
        .basic_auth(jira_sandbox::AGENT_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(&json!({"body": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "On it"}]}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(commented.status(), 201);
    let start = Instant::now();
    while webhook_events(&world, &tenant_of(&a)).await == 0 {
        assert!(start.elapsed() < PATIENCE, "no event stored for site A");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(webhook_events(&world, &tenant_of(&b)).await, 0);

    // A redelivered Jira event (same payload) is recognised; a repeated install event
    // (same id) changes nothing.
    let event = json!({
        "eventType": "avi:jira:commented:issue",
        "atlassianId": jira_sandbox::AGENT_ACCOUNT_ID,
        "issue": {"id": "99999", "key": "SUP-999", "fields": {"summary": "x"}},
        "comment": {"id": "77", "updated": "2026-12-07T10:00:00.000+0000", "body": "again"},
    });
    let first = world
        .platform
        .deliver(&a.installation_id, EVENTS_PATH, "t", &event)
        .await;
    let again = world
        .platform
        .deliver(&a.installation_id, EVENTS_PATH, "t", &event)
        .await;
    assert!(first.ok() && again.ok(), "{first:?} {again:?}");
    assert!(
        first.body.contains("stored") && again.body.contains("duplicate"),
        "{again:?}"
    );
    let install = json!({"eventType": "avi:forge:installed:app", "id": "same-event"});
    let once = world
        .platform
        .deliver(&a.installation_id, LIFECYCLE_PATH, "t", &install)
        .await;
    let twice = world
        .platform
        .deliver(&a.installation_id, LIFECYCLE_PATH, "t", &install)
        .await;
    assert!(
        once.body.contains("unchanged") && twice.body.contains("unchanged"),
        "{twice:?}"
    );
    let list = ok(world.dir.path(), &["tenant", "list"]);
    assert_eq!(
        list.lines().filter(|l| l.starts_with("forge-")).count(),
        2,
        "{list}"
    );
}

#[tokio::test]
async fn forged_or_misused_tokens_are_refused_and_change_nothing() {
    let world = world(2, &[]).await;
    let a = world.install(0, "acme").await;
    let b = world.install(1, "globex").await;
    let stranger = ForgePlatform::new("http://127.0.0.1:9").unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let stranger_claims = world.platform.claims(&a, "test", None);
    let forged: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("not a JWT", Some("garbage".to_owned())),
        (
            "expired",
            Some(world.token(&a, |c| {
                c["iat"] = json!(now - 700);
                c["nbf"] = json!(now - 700);
                c["exp"] = json!(now - 600);
            })),
        ),
        (
            "not yet valid",
            Some(world.token(&a, |c| {
                c["nbf"] = json!(now + 600);
                c["exp"] = json!(now + 700);
            })),
        ),
        (
            "wrong audience",
            Some(world.token(&a, |c| {
                c["aud"] = json!("ari:cloud:ecosystem::app/someone-else")
            })),
        ),
        (
            "wrong issuer",
            Some(world.token(&a, |c| c["iss"] = json!("forge/somebody"))),
        ),
        (
            "another app's key",
            Some(stranger.sign(&stranger_claims).unwrap()),
        ),
        (
            "HS256",
            Some(
                jsonwebtoken::encode(
                    &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
                    &stranger_claims,
                    &jsonwebtoken::EncodingKey::from_secret(b"guess"),
                )
                .unwrap(),
            ),
        ),
        (
            "http API base URL elsewhere",
            Some(world.token(&a, |c| {
                c["app"]["apiBaseUrl"] = json!("http://evil.example/")
            })),
        ),
    ];
    let before = snapshot(&world).await;
    for (what, token) in &forged {
        for (path, body) in [
            (
                LIFECYCLE_PATH,
                json!({"eventType": "avi:forge:uninstalled:app", "id": format!("forged-{what}")}),
            ),
            (
                EVENTS_PATH,
                json!({"eventType": "avi:jira:created:issue", "issue": {"id": "1", "fields": {}}}),
            ),
            (SCHEDULE_PATH, json!({})),
            // The console's calls through the bridge take the same tokens.
            ("/api/v1/session/signout", json!({})),
        ] {
            let (status, said) = world.post(path, token.as_deref(), &body).await;
            assert_eq!(status, 401, "{what} on {path}: {said}");
        }
    }
    // Requests to /api/v1 are written to the access log, refused ones too (that is what an
    // administrator looks for after an attack): it alone may grow, by 401s only.
    let (mut after, blobs) = snapshot(&world).await;
    let logged = after.remove("access_log").unwrap_or_default();
    let (mut expected, blobs_before) = before;
    let logged_before = expected.remove("access_log").unwrap_or_default();
    assert!(
        expected == after && blobs_before == blobs,
        "a refused call changed the database or the blobs"
    );
    let new: Vec<&String> = logged
        .iter()
        .filter(|r| !logged_before.contains(r))
        .collect();
    assert_eq!(new.len(), forged.len(), "{new:?}");
    assert!(new.iter().all(|r| r.contains("|401|")), "{new:?}");
    assert_eq!(
        rcpt(&world.smtp(), "help@acme.example").get(..3),
        Some("250")
    );

    // Tokens naming keys the JWKS does not have: at most one fetch a minute, however many.
    let fetched = world.platform.jwks_fetches();
    for i in 0..40 {
        let token = world
            .platform
            .sign_with_kid(
                &world.platform.claims(&a, "test", None),
                Some(&format!("unknown-{i}")),
            )
            .unwrap();
        let (status, _) = world.post(SCHEDULE_PATH, Some(&token), &json!({})).await;
        assert_eq!(status, 401);
    }
    assert!(world.platform.jwks_fetches() - fetched <= 1);

    // After a rotation tokens are signed with the key published ahead: already held.
    world.platform.rotate_key().unwrap();
    let rotated = world.platform.schedule(&a.installation_id).await;
    assert_eq!(rotated.status, Some(200), "{rotated:?}");

    // A's token with B's ids in the body acts on A only: nothing of B changes.
    let b_tenant = tenant_of(&b);
    let b_rows = |snap: &Snapshot| {
        snap.0
            .values()
            .flatten()
            .filter(|row| row.contains(&b_tenant) || row.contains(&b.installation_id))
            .cloned()
            .collect::<Vec<_>>()
    };
    let before_b = b_rows(&snapshot(&world).await);
    let misused = json!({
        "eventType": "avi:forge:uninstalled:app",
        "id": "misused",
        "installationId": b.installation_id,
        "context": {"cloudId": b.cloud_id},
    });
    let token = world.token(&a, |_| {});
    let (status, _) = world.post(LIFECYCLE_PATH, Some(&token), &misused).await;
    assert_eq!(status, 200);
    assert_eq!(before_b, b_rows(&snapshot(&world).await));
    world.wait_rcpt("help@acme.example", "550").await;
    assert!(rcpt(&world.smtp(), "help@globex.example").starts_with("250"));
}

#[tokio::test]
async fn work_waits_while_no_system_token_is_valid_and_then_every_mail_is_done_once() {
    let world = world(1, &[]).await;
    let a = world.install(0, "acme").await;
    let tenant = tenant_of(&a);
    let api_token = world.api_token(&tenant, "557058:f00", "agent");
    let upload_all = |range: std::ops::Range<usize>| {
        let url = format!("{}/api/v1/mail", world.served.base);
        let token = api_token.clone();
        async move {
            let http = reqwest::Client::new();
            let mut tasks = tokio::task::JoinSet::new();
            for n in range {
                let (http, url, token) = (http.clone(), url.clone(), token.clone());
                tasks.spawn(async move {
                    let body = mail(
                        "alice@customer.example",
                        "help@acme.example",
                        &format!("mail-{n:03}"),
                    );
                    http.post(url)
                        .bearer_auth(token)
                        .header("content-type", "message/rfc822")
                        .body(body)
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16()
                });
                if tasks.len() >= 25 {
                    assert_eq!(tasks.join_next().await.unwrap().unwrap(), 202);
                }
            }
            while let Some(status) = tasks.join_next().await {
                assert_eq!(status.unwrap(), 202);
            }
        }
    };
    upload_all(0..250).await;
    wait_for_issues(&world.sites[0], 20, PATIENCE).await;
    // The site stops taking the token in the middle of the run.
    // Forge hands over no fresh token for a while (each of its deliveries would bring one:
    // they are cut off here).
    world.platform.set_remote("http://127.0.0.1:9");
    world.sites[0]
        .handle
        .expire_forge_tokens(&a.installation_id);
    upload_all(250..500).await;
    // Work stalls: the count stops growing while no valid token is held.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stalled = summaries(&world.sites[0]).await.len();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        summaries(&world.sites[0]).await.len(),
        stalled,
        "work went on without a token"
    );
    assert!(stalled < 500);
    let metrics = world.served.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("postroom_forge_system_token_valid") && l.ends_with(" 0")),
        "the metrics say the site waits for a token"
    );
    // The scheduled trigger brings a fresh token: everything is carried out, once.
    world.platform.set_remote(&world.served.base);
    let trigger = world.platform.schedule(&a.installation_id).await;
    assert_eq!(trigger.status, Some(200), "{trigger:?}");
    let done = wait_for_issues(&world.sites[0], 500, Duration::from_secs(240)).await;
    let distinct: std::collections::BTreeSet<_> = done.iter().collect();
    assert_eq!(done.len(), 500, "no mail became two issues");
    assert_eq!(distinct.len(), 500);
    assert_eq!(world.sites[0].handle.stats().effect("issue_created"), 500);
}

#[tokio::test]
async fn uninstall_refuses_mail_reinstall_restores_and_the_keeping_period_ends_in_erasure() {
    let world = world(1, &[]).await;
    let a = world.install(0, "acme").await;
    let tenant = tenant_of(&a);
    let smtp = world.smtp();
    let said = send_smtp(
        &smtp,
        "alice@customer.example",
        "help@acme.example",
        &mail(
            "alice@customer.example",
            "help@acme.example",
            "before-uninstall",
        ),
    );
    assert!(said.starts_with("250"), "{said}");
    wait_for_issues(&world.sites[0], 1, PATIENCE).await;
    let api_token = world.api_token(&tenant, "557058:f00", "agent");

    let gone = world.platform.uninstall(&a.installation_id).await.unwrap();
    assert!(gone.body.contains("uninstalled"), "{gone:?}");
    let refused = world.wait_rcpt("help@acme.example", "550").await;
    assert!(refused.contains("5.2.1"), "{refused}");
    let upload = reqwest::Client::new()
        .post(format!("{}/api/v1/mail", world.served.base))
        .bearer_auth(&api_token)
        .header("content-type", "message/rfc822")
        .body(mail(
            "alice@customer.example",
            "help@acme.example",
            "after-uninstall",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 410);
    // The console's overview tells the site's administrators, with the day of erasure.
    let admin = world.api_token(&tenant, "557058:adm", "admin");
    let overview: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/overview", world.served.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        overview["forge"]["uninstalled_at_ms"].is_i64(),
        "{overview}"
    );
    assert!(overview["forge"]["erase_at_ms"].is_i64(), "{overview}");
    let first = overview["attention"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        first.contains("uninstalled") && first.contains("29 day"),
        "{overview}"
    );

    // A reinstall within the period finds everything as it was.
    let back = world.platform.reinstall(&a.installation_id).await.unwrap();
    assert!(back.body.contains("reinstalled"), "{back:?}");
    world.wait_rcpt("help@acme.example", "250").await;
    let store = postroom_store::Store::open(&world.db_url()).await.unwrap();
    let id = TenantId::parse(&tenant).unwrap();
    let results = store
        .tenant(&id)
        .await
        .unwrap()
        .recent_results(10)
        .await
        .unwrap();
    assert_eq!(results.len(), 1, "the site's history is back");

    // Uninstalled again, and then the keeping period runs out (the clock is the caller's).
    world.platform.uninstall(&a.installation_id).await.unwrap();
    world.wait_rcpt("help@acme.example", "550").await;
    let copy = world.dir.path().join("before-erase.db");
    for suffix in ["", "-wal", "-shm"] {
        let from = world.dir.path().join(format!("data/postroom.db{suffix}"));
        if from.exists() {
            std::fs::copy(from, format!("{}{suffix}", copy.display())).unwrap();
        }
    }
    let mut config = postroom::config::Config::default();
    config.storage.data_dir = world.dir.path().join("data");
    config.storage.url = world.db_url();
    let (keyring, _) = postroom::keys::open_keyring(&config).unwrap();
    let blobs = postroom::keys::open_blobs(&config).unwrap();
    let tokens = postroom::forge::ForgeTokens::default();
    let now = postroom::app::now_ms();
    let day = 24 * 3600 * 1000;
    let early = postroom::forge::erase::erase_uninstalled(
        &store,
        &keyring,
        &blobs,
        &tokens,
        30,
        now + 29 * day,
    )
    .await
    .unwrap();
    assert!(early.is_empty(), "erased before its time");
    let erased = postroom::forge::erase::erase_uninstalled(
        &store,
        &keyring,
        &blobs,
        &tokens,
        30,
        now + 31 * day,
    )
    .await
    .unwrap();
    assert_eq!(erased, vec![id.clone()]);
    assert!(
        store.tenant(&id).await.is_err(),
        "the tenant's rows are gone"
    );
    assert!(
        store
            .forge_installation(&a.installation_id)
            .await
            .unwrap()
            .is_none()
    );
    // A copy of the database from before no longer opens: the key is gone.
    let old = postroom_store::Store::open(&format!("sqlite:{}", copy.display()))
        .await
        .unwrap();
    let old_tenant = old.tenant(&id).await.unwrap();
    let opened = match keyring.cipher(&old_tenant).await {
        Ok(cipher) => old_tenant
            .secret(&cipher, postroom_store::SiteSecret::ForgeSystemToken)
            .await
            .is_ok(),
        Err(_) => false,
    };
    assert!(!opened, "a copy from before the erasure still decrypts");
}

#[tokio::test]
async fn serve_sandbox_installs_the_app_into_two_cloud_sites_with_mail_for_each() {
    let dir = tempfile::tempdir().unwrap();
    let served =
        Served::start_with_args(dir.path(), &["--sandbox", "--smtp", "127.0.0.1:0"], &[]).await;
    let start = Instant::now();
    let installed = loop {
        let lines: Vec<String> = served
            .stderr()
            .into_iter()
            .filter(|l| l.starts_with("postroom: Cloud site "))
            .collect();
        if lines.len() == 2 {
            break lines;
        }
        assert!(start.elapsed() < PATIENCE, "{:?}", served.stderr());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        installed.iter().all(|l| l.contains("as tenant forge-")),
        "{installed:?}"
    );
    let smtp = listening(&served, "smtp");
    for site in ["cloud-a", "cloud-b"] {
        let to = format!("help@{site}.example");
        let deadline = Instant::now() + PATIENCE;
        while !rcpt(&smtp, &to).starts_with("250") {
            assert!(Instant::now() < deadline, "{to} is not served");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let said = send_smtp(
            &smtp,
            "alice@customer.example",
            &to,
            &mail("alice@customer.example", &to, &format!("printer-{site}")),
        );
        assert!(said.starts_with("250"), "{said}");
    }
    for site in ["cloud-a", "cloud-b"] {
        let base = format!("{}/sandbox/{site}", served.base);
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = support::sandbox_get(
                &base,
                "/rest/api/3/search/jql?jql=project%3DSUP&fields=summary",
            )
            .await;
            let summaries: Vec<&str> = found["issues"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|i| i["fields"]["summary"].as_str())
                .collect();
            if !summaries.is_empty() {
                assert_eq!(summaries, vec![format!("printer-{site}")], "{site}");
                break;
            }
            assert!(Instant::now() < deadline, "no issue in {site}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

#[tokio::test]
async fn the_console_inside_jira_calls_the_api_as_the_person_its_token_names() {
    let world = world(2, &[]).await;
    let a = world.install(0, "acme").await;
    let b = world.install(1, "globex").await;
    let as_person = |site: &ForgeSite, account: Option<&str>| world.person(site, account);

    // The site's administrator, on the site's own tenant; no CSRF token is handed out, since
    // no cookie is involved.
    let (status, me) = world
        .get(
            "/api/v1/session",
            &as_person(&a, Some(jira_sandbox::ADMIN_ACCOUNT_ID)),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["tenant"], tenant_of(&a));
    assert_eq!(me["account_id"], jira_sandbox::ADMIN_ACCOUNT_ID);
    assert_eq!(me["role"], "admin");
    assert!(me["csrf_token"].is_null());
    let (status, _) = world
        .get(
            "/api/v1/overview",
            &as_person(&a, Some(jira_sandbox::ADMIN_ACCOUNT_ID)),
        )
        .await;
    assert_eq!(status, 200);
    let (_, other) = world
        .get(
            "/api/v1/session",
            &as_person(&b, Some(jira_sandbox::ADMIN_ACCOUNT_ID)),
        )
        .await;
    assert_eq!(other["tenant"], tenant_of(&b));

    // An agent's role is read from the site's Jira: administrator APIs refuse them.
    let agent = as_person(&a, Some(jira_sandbox::AGENT_ACCOUNT_ID));
    let (_, me) = world.get("/api/v1/session", &agent).await;
    assert_eq!(me["role"], "agent");
    assert_eq!(world.get("/api/v1/overview", &agent).await.0, 403);

    // What the agent does in Jira from inside Jira is done as them: their user token comes
    // with the call and the comment is theirs; without one it is the app's.
    let http = reqwest::Client::new();
    let made: Value = http
        .post(format!("{}/rest/api/3/issue", world.sites[0].base_url))
        .basic_auth(jira_sandbox::ADMIN_EMAIL, Some(jira_sandbox::API_TOKEN))
        .json(
            &json!({"fields": {"project": {"key": "SUP"}, "issuetype": {"name": "Task"},
                                 "summary": "Printer"}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = made["key"].as_str().unwrap();
    let template: Value = http
        .post(format!("{}/api/v1/templates", world.served.base))
        .bearer_auth(as_person(&a, Some(jira_sandbox::ADMIN_ACCOUNT_ID)))
        .json(&json!({"name": "Ack", "body": "Thanks, we are on it.", "scope": {"kind": "global"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = template["id"].as_str().expect("a template was made");
    let (user, _) = world.sites[0]
        .handle
        .grant_forge_token(
            &a.installation_id,
            Some(jira_sandbox::AGENT_ACCOUNT_ID),
            Duration::from_secs(3600),
        )
        .unwrap();
    for user_token in [Some(user.as_str()), None] {
        let mut apply = http
            .post(format!("{}/api/v1/templates/{id}/apply", world.served.base))
            .bearer_auth(&agent)
            .json(&json!({"issue": key, "public": true}));
        if let Some(user) = user_token {
            apply = apply.header("x-forge-oauth-user", user);
        }
        let applied = apply.send().await.unwrap();
        assert_eq!(applied.status(), 200, "{:?}", applied.text().await);
    }
    let comments = support::sandbox_get(
        &world.sites[0].base_url,
        &format!("/rest/api/3/issue/{key}/comment"),
    )
    .await;
    let authors: Vec<&str> = comments["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["author"]["accountId"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(authors.len(), 2, "{comments}");
    assert_eq!(authors[0], jira_sandbox::AGENT_ACCOUNT_ID, "{comments}");
    assert_ne!(authors[1], jira_sandbox::AGENT_ACCOUNT_ID, "{comments}");

    // A trigger's token names nobody: the console is for people.
    assert_eq!(
        world.get("/api/v1/session", &as_person(&a, None)).await.0,
        401
    );

    // Uninstalled: the pages say so instead of working on kept data.
    let gone = world.platform.uninstall(&a.installation_id).await.unwrap();
    assert_eq!(gone.status, Some(200), "{gone:?}");
    let (status, said) = world
        .get(
            "/api/v1/session",
            &as_person(&a, Some(jira_sandbox::ADMIN_ACCOUNT_ID)),
        )
        .await;
    assert_eq!(status, 410, "{said}");
    assert_eq!(
        world
            .get(
                "/api/v1/session",
                &as_person(&b, Some(jira_sandbox::ADMIN_ACCOUNT_ID))
            )
            .await
            .0,
        200
    );
}

/// A Slack-compatible incoming webhook for the operator: it keeps every body it was sent,
/// and answers 500 to the first `failures` requests.
async fn operator_hook(failures: usize) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let kept = Arc::clone(&seen);
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let kept = Arc::clone(&kept);
            let calls = Arc::clone(&calls);
            async move {
                if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < failures {
                    return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                }
                kept.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    (url, seen)
}

/// Waits for a message of the operator's webhook that contains `needle`.
async fn told(seen: &std::sync::Mutex<Vec<Value>>, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let found = seen
            .lock()
            .unwrap()
            .iter()
            .filter_map(|b| b["text"].as_str())
            .find(|t| t.contains(needle))
            .map(str::to_owned);
        if let Some(text) = found {
            return text;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the operator was not told {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_operator_hears_of_installs_uninstalls_and_feedback_even_after_their_webhook_fails() {
    // The webhook fails its first three calls: the events wait and arrive after, and mail
    // is not held up meanwhile.
    let (url, seen) = operator_hook(3).await;
    let secrets = tempfile::tempdir().unwrap();
    let url_file = secrets.path().join("operator-webhook");
    std::fs::write(&url_file, &url).unwrap();
    let url_file = url_file.to_str().unwrap().to_owned();
    let world = world(
        1,
        &[("POSTROOM_OPERATOR__WEBHOOK_URL_FILE", url_file.as_str())],
    )
    .await;
    let a = world.install(0, "acme").await;
    let said = send_smtp(
        &world.smtp(),
        "ann@customer.example",
        "help@acme.example",
        &mail("Ann <ann@customer.example>", "help@acme.example", "printer"),
    );
    assert!(said.starts_with("250"), "{said}");
    wait_for_issues(&world.sites[0], 1, PATIENCE).await;

    let installed = told(&seen, "installed the app").await;
    assert!(installed.contains(&world.sites[0].base_url), "{installed}");

    let tenant = tenant_of(&a);
    let feedback = |extra: &[&str]| {
        let mut args = vec!["--tenant", tenant.as_str(), "feedback"];
        args.extend_from_slice(extra);
        let out = support::postroom(world.dir.path())
            .env("POSTROOM_OPERATOR__WEBHOOK_URL_FILE", &url_file)
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    feedback(&["The Answer page saves us an hour a day"]);
    feedback(&[
        "Please call me about pricing",
        "--include-address",
        "lead@acme.example",
    ]);
    let plain = told(&seen, "saves us an hour").await;
    assert!(plain.contains(&world.sites[0].base_url), "{plain}");
    let asked = told(&seen, "about pricing").await;
    assert!(asked.ends_with("Reply to: lead@acme.example"), "{asked}");

    // The API twin, as the console's form sends it (here from inside Jira): administrators
    // only.
    let as_person = |account: &str| world.person(&a, Some(account));
    let post = |account: &str| {
        reqwest::Client::new()
            .post(format!("{}/api/v1/feedback", world.served.base))
            .bearer_auth(as_person(account))
            .json(&json!({"text": "The rules editor is next on our list"}))
            .send()
    };
    assert_eq!(
        post(jira_sandbox::AGENT_ACCOUNT_ID).await.unwrap().status(),
        403
    );
    assert_eq!(
        post(jira_sandbox::ADMIN_ACCOUNT_ID).await.unwrap().status(),
        202
    );
    told(&seen, "rules editor").await;

    let gone = world.platform.uninstall(&a.installation_id).await.unwrap();
    assert_eq!(gone.status, Some(200), "{gone:?}");
    told(&seen, "uninstalled the app").await;

    // No message holds an address but the one its sender asked to include.
    for body in seen.lock().unwrap().iter() {
        let text = body["text"].as_str().unwrap();
        assert!(
            !text.contains('@') || text.contains("Reply to: lead@acme.example"),
            "{text}"
        );
        assert!(!text.contains("ann@customer.example"), "{text}");
    }
    // Without a webhook, feedback is refused and says why.
    let out = support::run(world.dir.path(), &["feedback", "hello"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("webhook_url_file"));
}
