#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The profile and notification-editor API in-process, on a real SQLite store and the Jira
//! sandbox: `PUT /profile` runs the checks of `profile import` and answers each mistake at
//! its path, refuses a stale save with 409 and stores nothing either way, and wants the
//! session's CSRF token; the preview renders by the real renderer and stores nothing; a
//! test is recorded in the audit of sent mail, refused for a suppressed address and capped
//! per site.

mod console_support;

use console_support::{Console, Who};
use jira_sandbox::Credentials;
use postroom_core::message::EmailAddress;
use postroom_core::tenant::TenantId;
use postroom_store::JiraConnection;
use postroom_store::crypto::Place;
use postroom_store::outbound::BounceRecord;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

/// A profile with one notification rule whose subject is `subject`.
fn profile(subject: &str) -> Value {
    json!({
        "own": {"addresses": ["support@alpha.example"]},
        "default": {"action": "ignore"},
        "notifications": {"rules": [
            {"name": "customers", "events": ["comment_added"], "to": ["reporter"],
             "subject": subject},
        ]},
    })
}

/// `method path` with an admin session (and its CSRF token), the JSON `body` if any.
async fn call(
    console: &Console,
    session: &(String, String),
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = console
        .http
        .request(method, format!("{}{path}", console.base))
        .header(COOKIE, &session.0)
        .header("X-CSRF-Token", &session.1);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn stored_version(console: &Console) -> Option<i64> {
    console.tenant().await.profile_version().await.unwrap()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_profile_is_saved_only_valid_and_only_over_the_version_it_was_loaded_from() {
    use reqwest::Method;
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let (status, empty) = call(&console, &admin, Method::GET, "/api/v1/profile", None).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["version"], 0);

    // Every mistake at its path, nothing stored.
    let mut bad = profile("[{{ issue.key }}] {{ issue.sumary }}");
    bad["notifications"]["rules"]
        .as_array_mut()
        .unwrap()
        .push(json!({"events": ["resolved"], "to": ["address:not an address"]}));
    let (status, refused) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 0, "profile": bad})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    let at = fields(&refused);
    assert!(
        at.contains(&"notifications.rules[0].subject".to_owned()),
        "{refused}"
    );
    assert!(
        at.contains(&"notifications.rules[1].to[0]".to_owned()),
        "{refused}"
    );
    assert!(refused.to_string().contains("issue.sumary"), "{refused}");
    assert_eq!(stored_version(&console).await, None);

    // A valid one is stored as version 1 and read back.
    let (status, saved) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 0, "profile": profile("Re: {{ issue.key }}")})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 1);
    assert_eq!(stored_version(&console).await, Some(1));
    let (_, read) = call(&console, &admin, Method::GET, "/api/v1/profile", None).await;
    assert_eq!(read["version"], 1);
    assert_eq!(
        read["profile"]["notifications"]["rules"][0]["subject"],
        "Re: {{ issue.key }}"
    );

    // A second editor who loaded version 0 is refused, and told what differs.
    let mut theirs = profile("Re: {{ issue.key }}");
    theirs["own"]["addresses"] = json!(["help@alpha.example"]);
    let (status, stale) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 0, "profile": theirs})),
    )
    .await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["version"], 1);
    assert_eq!(stale["differs"], json!(["own"]));
    let (_, read) = call(&console, &admin, Method::GET, "/api/v1/profile", None).await;
    assert_eq!(
        read["profile"]["own"]["addresses"][0],
        "support@alpha.example"
    );

    // Without the session's CSRF token nothing is stored.
    let refused = console
        .http
        .put(format!("{}/api/v1/profile", console.base))
        .header(COOKIE, &admin.0)
        .json(&json!({"base_version": 1, "profile": theirs}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(stored_version(&console).await, Some(1));

    // Project keys are asked of the site's Jira, as `profile import` does.
    let mut unknown = profile("Re: {{ issue.key }}");
    unknown["notifications"]["rules"][0]["projects"] = json!(["NOPE"]);
    let (status, refused) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 1, "profile": unknown})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        fields(&refused).contains(&"notifications.rules[0].projects[0]".to_owned()),
        "{refused}"
    );
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_own_address_of_another_site_is_refused_at_its_field_without_naming_the_site() {
    use reqwest::Method;
    let console = Console::start().await;
    let other = TenantId::parse("other-site").unwrap();
    let other_store = console
        .store
        .store
        .ensure_tenant(&other, &JiraConnection::default(), 1)
        .await
        .unwrap();
    let theirs = postroom_core::profile::Profile::load(
        r#"{"own": {"addresses": ["desk@other.example"]}, "default": {"action": "ignore"}}"#,
    )
    .unwrap();
    postroom::profiles::store(&other_store, &theirs, "cli", 1)
        .await
        .unwrap();
    let admin = console.session(Who::Admin).await;
    let mut mine = profile("Re: {{ issue.key }}");
    mine["own"]["addresses"] = json!(["support@alpha.example", "Desk@Other.example"]);
    let (status, refused) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 0, "profile": mine})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["own.addresses[1]"]);
    assert!(refused.to_string().contains("another site"), "{refused}");
    assert!(!refused.to_string().contains("other-site"), "{refused}");
    assert_eq!(stored_version(&console).await, None);
    console.sandbox.shutdown().await;
}

/// A new SUP issue, made through the sandbox's REST API.
async fn issue(console: &Console, summary: &str) -> String {
    let made: Value = console
        .http
        .post(format!("{}/rest/api/3/issue", console.sandbox.base_url))
        .header("Authorization", Credentials::admin().basic_header())
        .json(
            &json!({"fields": {"project": {"key": "SUP"}, "summary": summary,
                                  "issuetype": {"id": "10001"}}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    made["key"].as_str().unwrap().to_owned()
}

/// Rows a preview must not add: deliveries, queued jobs, records of sent mail.
async fn stored_rows(console: &Console) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["webhook_events", "jobs", "sent_mail"] {
        let row: (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(console.store.store.db().pool())
                .await
                .unwrap();
        counts.push(row.0);
    }
    counts
}

#[tokio::test]
async fn a_preview_renders_an_issue_of_jira_and_stores_nothing() {
    use reqwest::Method;
    let console = Console::start().await;
    let key = issue(&console, "Printer <b>jams</b> on floor 3").await;
    let admin = console.session(Who::Admin).await;
    let before = stored_rows(&console).await;
    let (status, shown) = call(
        &console,
        &admin,
        Method::POST,
        "/api/v1/notifications/preview",
        Some(json!({"event": "status_changed", "issue_key": key,
                    "subject": "{{ issue.key }}: {{ event.summary }}",
                    "html": "<p>{{ issue.summary }}</p>"})),
    )
    .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["subject"], format!("{key}: Status changed to Open."));
    assert_eq!(
        shown["html"],
        "<p>Printer &lt;b&gt;jams&lt;&#x2f;b&gt; on floor 3</p>"
    );
    assert!(
        shown["text"].as_str().unwrap().contains(&key),
        "the default text"
    );
    assert_eq!(
        stored_rows(&console).await,
        before,
        "a preview stores nothing"
    );

    // Its HTML is framed under the mail's policy, for this site's administrators.
    let frame = console
        .get(
            &format!("{}{}", console.base, shown["html_url"].as_str().unwrap()),
            &admin.0,
        )
        .await;
    assert_eq!(frame.status(), 200);
    let policy = frame.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("sandbox;"), "{policy}");
    assert!(frame.text().await.unwrap().contains("floor 3"));
    let agent = console.session(Who::Agent).await;
    let refused = console
        .get(
            &format!("{}{}", console.base, shown["html_url"].as_str().unwrap()),
            &agent.0,
        )
        .await;
    assert_eq!(refused.status(), 403);

    // A template that cannot compile: 422 at its part, with the line and the reason.
    let (status, refused) = call(
        &console,
        &admin,
        Method::POST,
        "/api/v1/notifications/preview",
        Some(json!({"event": "comment_added", "example": true,
                    "text": "Hello\n{% if issue.key %}\nno end"})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["text"]);
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("line"), "{message}");
    assert_eq!(stored_rows(&console).await, before);

    // An issue Jira does not show is said at its field.
    let (status, refused) = call(
        &console,
        &admin,
        Method::POST,
        "/api/v1/notifications/preview",
        Some(json!({"event": "comment_added", "issue_key": "SUP-99999"})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["issue_key"]);
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_test_is_recorded_as_sent_mail_refused_when_suppressed_and_capped_per_site() {
    use reqwest::Method;
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let test = |to: &str| {
        json!({"to": to, "event": "comment_added", "example": true,
               "subject": "Test of {{ issue.key }}"})
    };
    // Without a sender in the profile nothing can be sent.
    let (status, refused) = call(
        &console,
        &admin,
        Method::POST,
        "/api/v1/notifications/test",
        Some(test("ops@alpha.example")),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    let (status, saved) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 0, "profile": profile("Re: {{ issue.key }}")})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");

    let (status, queued) = call(
        &console,
        &admin,
        Method::POST,
        "/api/v1/notifications/test",
        Some(test("ops@alpha.example")),
    )
    .await;
    assert_eq!(status, 202, "{queued}");
    let id = queued["id"].as_str().unwrap();
    let (status, sent) = call(
        &console,
        &admin,
        Method::GET,
        &format!("/api/v1/audit/sent/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["kind"], "test");
    assert_eq!(sent["to"], "ops@alpha.example");
    assert_eq!(sent["subject"], "Test of EXAMPLE-42");
    assert_eq!(sent["status"], "queued");
    let (_, listed) = call(
        &console,
        &admin,
        Method::GET,
        "/api/v1/audit/sent?kind=test",
        None,
    )
    .await;
    assert_eq!(listed["entries"][0]["id"], id, "{listed}");
    let jobs: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = 'outbound.notification'")
            .fetch_one(console.store.store.db().pool())
            .await
            .unwrap();
    assert_eq!(jobs.0, 1, "sent by the notification send job");

    // A suppressed address is refused, and nothing is recorded for it.
    let suppressed = "gone@customer.example";
    let tenant = console.tenant().await;
    let cipher = console.intake.keyring().cipher(&tenant).await.unwrap();
    let hash = postroom::keys::redactor(console.intake.keyring())
        .address(&EmailAddress::parse(suppressed).unwrap())
        .to_string();
    let mut tx = tenant.begin().await.unwrap();
    tx.record_bounce(
        &BounceRecord {
            address_hash: hash.clone(),
            address: cipher
                .seal(
                    &Place::column("suppressions", "address", hash.as_str()),
                    suppressed.as_bytes(),
                )
                .unwrap(),
            hard: true,
            status: Some("5.1.1".to_owned()),
            diagnostic: None,
            at_ms: postroom::app::now_ms(),
        },
        3,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (status, refused) = call(
        &console,
        &admin,
        Method::POST,
        "/api/v1/notifications/test",
        Some(test(suppressed)),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["to"]);
    assert!(
        refused.to_string().contains("suppression list"),
        "{refused}"
    );

    // Ten an hour per site; the eleventh is refused with when to try again.
    for n in 2..=10 {
        let (status, body) = call(
            &console,
            &admin,
            Method::POST,
            "/api/v1/notifications/test",
            Some(test("ops@alpha.example")),
        )
        .await;
        assert_eq!(status, 202, "test {n}: {body}");
    }
    let response = console
        .http
        .post(format!("{}/api/v1/notifications/test", console.base))
        .header(COOKIE, &admin.0)
        .header("X-CSRF-Token", &admin.1)
        .json(&test("ops@alpha.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3000..=3600).contains(&wait), "{wait}");
    let (_, listed) = call(
        &console,
        &admin,
        Method::GET,
        "/api/v1/audit/sent?kind=test",
        None,
    )
    .await;
    assert_eq!(listed["entries"].as_array().unwrap().len(), 10);
    console.sandbox.shutdown().await;
}

/// `POST path` with an admin session and `bytes` as a `content_type` body.
async fn post_raw(
    console: &Console,
    session: &(String, String),
    path: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let response = console
        .http
        .post(format!("{}{path}", console.base))
        .header(COOKIE, &session.0)
        .header("X-CSRF-Token", &session.1)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn every_save_is_kept_two_versions_compare_and_an_older_one_is_restored_over_the_current() {
    use reqwest::Method;
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let put = |base: i64, subject: &str| json!({"base_version": base, "profile": profile(subject)});
    for (base, subject) in [(0, "One {{ issue.key }}"), (1, "Two {{ issue.key }}")] {
        let (status, saved) = call(
            &console,
            &admin,
            Method::PUT,
            "/api/v1/profile",
            Some(put(base, subject)),
        )
        .await;
        assert_eq!(status, 200, "{saved}");
    }
    let (status, list) = call(
        &console,
        &admin,
        Method::GET,
        "/api/v1/profile/versions",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["current"], 2);
    let versions = list["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["saved_by"], console.account(Who::Admin));
    let (status, one) = call(
        &console,
        &admin,
        Method::GET,
        "/api/v1/profile/versions/1",
        None,
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(
        one["profile"]["notifications"]["rules"][0]["subject"],
        "One {{ issue.key }}"
    );

    let (status, diff) = call(
        &console,
        &admin,
        Method::GET,
        "/api/v1/profile/versions/1/diff/2",
        None,
    )
    .await;
    assert_eq!(status, 200, "{diff}");
    assert_eq!(
        diff["changes"],
        json!([{"path": "notifications.rules[0].subject",
                "before": "One {{ issue.key }}", "after": "Two {{ issue.key }}"}])
    );
    for (path, expected) in [
        ("/api/v1/profile/versions/1/diff/9", 404),
        ("/api/v1/profile/versions/9", 404),
        ("/api/v1/profile/versions/latest", 400),
    ] {
        let (status, body) = call(&console, &admin, Method::GET, path, None).await;
        assert_eq!(status, expected, "{path}: {body}");
    }

    // A restore over a version that is no longer the one in force is refused, as a PUT is.
    let restore = "/api/v1/profile/versions/1/restore";
    let (status, stale) = call(
        &console,
        &admin,
        Method::POST,
        restore,
        Some(json!({"base_version": 1})),
    )
    .await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["version"], 2);
    let unguarded = console
        .http
        .post(format!("{}{restore}", console.base))
        .header(COOKIE, &admin.0)
        .json(&json!({"base_version": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(unguarded.status(), 403, "no CSRF token, no restore");
    assert_eq!(stored_version(&console).await, Some(2));

    let (status, restored) = call(
        &console,
        &admin,
        Method::POST,
        restore,
        Some(json!({"base_version": 2})),
    )
    .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["version"], 3);
    let (_, read) = call(&console, &admin, Method::GET, "/api/v1/profile", None).await;
    assert_eq!(
        read["profile"]["notifications"]["rules"][0]["subject"],
        "One {{ issue.key }}"
    );
    let (_, same) = call(
        &console,
        &admin,
        Method::GET,
        "/api/v1/profile/versions/1/diff/3",
        None,
    )
    .await;
    assert_eq!(same["changes"], json!([]), "{same}");
    let (status, _) = call(
        &console,
        &admin,
        Method::POST,
        "/api/v1/profile/versions/7/restore",
        Some(json!({"base_version": 3})),
    )
    .await;
    assert_eq!(status, 404);
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn test_cases_are_uploaded_checked_and_run_against_the_profile_in_force_or_a_candidate() {
    use reqwest::Method;
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let eml = b"From: ann@customer.example\r\nTo: support@alpha.example\r\n\
                Subject: Invoice 42\r\nMessage-ID: <tc-1@customer.example>\r\n\r\nHello.\r\n"
        .to_vec();
    let rfc822 = "message/rfc822";

    // Without a profile there is no plan to expect.
    let (status, refused) =
        post_raw(&console, &admin, "/api/v1/testcases", rfc822, eml.clone()).await;
    assert_eq!(status, 409, "{refused}");
    let (status, saved) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 0, "profile": profile("Re: {{ issue.key }}")})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");

    // Bad uploads say what is wrong and keep nothing.
    let huge = [eml.clone(), vec![b'x'; 1 << 20]].concat();
    for (content_type, body, expected) in [
        ("application/json", b"{}".to_vec(), 415),
        (rfc822, b"just some words".to_vec(), 415),
        (rfc822, b"  \r\n".to_vec(), 415),
        (rfc822, huge, 413),
    ] {
        let (status, body) =
            post_raw(&console, &admin, "/api/v1/testcases", content_type, body).await;
        assert_eq!(status, expected, "{content_type}: {body}");
    }
    let (_, list) = call(&console, &admin, Method::GET, "/api/v1/testcases", None).await;
    assert_eq!(list["cases"], json!([]), "{list}");

    let (status, made) = post_raw(
        &console,
        &admin,
        "/api/v1/testcases?name=invoice",
        rfc822,
        eml,
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["name"], "invoice");
    let id = made["id"].as_str().unwrap().to_owned();
    let expected = made["expected"].as_array().unwrap();
    assert!(
        expected
            .iter()
            .any(|f| f["field"] == "action.kind" && f["value"] == "ignore"),
        "{made}"
    );
    let (_, list) = call(&console, &admin, Method::GET, "/api/v1/testcases", None).await;
    assert_eq!(list["cases"][0]["id"], id.as_str());

    let run = "/api/v1/testcases/run";
    let (status, in_force) = call(&console, &admin, Method::POST, run, Some(json!({}))).await;
    assert_eq!(status, 200, "{in_force}");
    assert_eq!(
        (
            &in_force["against"],
            &in_force["changed"],
            &in_force["cases"][0]["changed"]
        ),
        (&json!("in_force"), &json!(0), &json!(false))
    );

    // A candidate that makes an issue of every mail changes the plan: each field that
    // moved, with the expected and the actual value.
    let mut candidate = profile("Re: {{ issue.key }}");
    candidate["default"] = json!({"project": "SUP", "issue_type": "Task"});
    let (status, moved) = call(
        &console,
        &admin,
        Method::POST,
        run,
        Some(json!({"ids": [id], "profile": candidate})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["against"], "candidate");
    assert_eq!(moved["changed"], 1);
    let changes = moved["cases"][0]["changes"].as_array().unwrap();
    let kind = changes
        .iter()
        .find(|c| c["field"] == "action.kind")
        .unwrap_or_else(|| panic!("{moved}"));
    assert_eq!(kind["expected"], "ignore");
    assert_ne!(kind["actual"], "ignore");
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "action.project" && c["actual"] == "SUP"),
        "{moved}"
    );

    // A candidate that is not valid is answered at its path; an unknown id is 404.
    let mut broken = candidate.clone();
    broken["notifications"]["rules"][0]["subject"] = json!("{{ issue.sumary }}");
    let (status, refused) = call(
        &console,
        &admin,
        Method::POST,
        run,
        Some(json!({"profile": broken})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        fields(&refused).contains(&"profile.notifications.rules[0].subject".to_owned()),
        "{refused}"
    );
    let (status, _) = call(
        &console,
        &admin,
        Method::POST,
        run,
        Some(json!({"ids": ["nope"]})),
    )
    .await;
    assert_eq!(status, 404);
    for (method, path) in [
        (Method::GET, "/api/v1/testcases/nope"),
        (Method::DELETE, "/api/v1/testcases/nope"),
        (Method::POST, "/api/v1/testcases/nope/accept"),
    ] {
        let (status, body) = call(&console, &admin, method, path, Some(json!({}))).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let unguarded = console
        .http
        .post(format!("{}{run}", console.base))
        .header(COOKIE, &admin.0)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unguarded.status(), 403, "no CSRF token, no run");

    // Accepting the candidate's plan makes it the expected one.
    let (status, accepted) = call(
        &console,
        &admin,
        Method::POST,
        &format!("/api/v1/testcases/{id}/accept"),
        Some(json!({"profile": candidate})),
    )
    .await;
    assert_eq!(status, 200, "{accepted}");
    let (_, again) = call(
        &console,
        &admin,
        Method::POST,
        run,
        Some(json!({"profile": candidate})),
    )
    .await;
    assert_eq!(again["changed"], 0, "{again}");

    let (status, _) = call(
        &console,
        &admin,
        Method::DELETE,
        &format!("/api/v1/testcases/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &console,
        &admin,
        Method::GET,
        &format!("/api/v1/testcases/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    console.sandbox.shutdown().await;
}

/// A customer's mail to the site's own address.
const INVOICE_MAIL: &str = "From: Ann <ann@customer.example>\r\nTo: support@alpha.example\r\n\
    Subject: Invoice 42 is wrong\r\nMessage-ID: <try-1@customer.example>\r\n\r\nPlease fix it.\r\n";

/// A profile that makes every mail to the site an SUP task, and `rules` before it.
fn processing(rules: Value) -> Value {
    json!({
        "own": {"addresses": ["support@alpha.example"]},
        "rules": rules,
        "default": {"project": "SUP", "issue_type": "Task"},
    })
}

#[tokio::test]
async fn try_it_shows_both_decisions_side_by_side_and_stores_nothing() {
    use reqwest::Method;
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let post = |body: Value| {
        call(
            &console,
            &admin,
            Method::POST,
            "/api/v1/profile/try",
            Some(body),
        )
    };

    // No profile in force: a candidate alone decides; without one there is nothing to try.
    let (status, refused) = post(json!({"mail": INVOICE_MAIL})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["profile"]);
    let (status, alone) =
        post(json!({"mail": INVOICE_MAIL, "profile": processing(json!([]))})).await;
    assert_eq!(status, 200, "{alone}");
    assert_eq!(alone["version"], 0);
    assert!(alone["in_force"].is_null(), "{alone}");
    assert_eq!(alone["candidate"]["action"]["kind"], "create_issue");
    assert_eq!(alone["candidate"]["action"]["project"], "SUP");
    assert_eq!(alone["mail"]["subject"], "Invoice 42 is wrong");
    assert!(
        alone["notes"].to_string().contains("no profile in force"),
        "{alone}"
    );

    let (status, saved) = call(
        &console,
        &admin,
        Method::PUT,
        "/api/v1/profile",
        Some(json!({"base_version": 0, "profile": processing(json!([]))})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let before = stored_rows(&console).await;

    // A rule written in the candidate changes the decision; the profile in force does not.
    let billing = processing(
        json!([{"name": "invoices", "match": {"subject": "(?i)invoice"},
                                     "then": {"project": "BIL", "labels": ["billing"]}}]),
    );
    let (status, tried) = post(json!({"mail": INVOICE_MAIL, "profile": billing})).await;
    assert_eq!(status, 200, "{tried}");
    assert_eq!(tried["version"], 1);
    assert_eq!(tried["in_force"]["action"]["project"], "SUP");
    assert_eq!(tried["candidate"]["action"]["project"], "BIL");
    assert!(
        tried["candidate"]["report"]
            .to_string()
            .contains("invoices"),
        "the report names the rule: {tried}"
    );
    let changed: Vec<&str> = tried["differs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"action.project"), "{tried}");
    assert!(changed.contains(&"action.fields.labels"), "{tried}");
    assert!(
        tried["notes"]
            .to_string()
            .contains("asked of Jira when the profile is saved")
    );

    // The same rule switched off decides nothing; an uploaded .eml (base64) reads alike.
    let (status, tried) = post(json!({
        "mail_base64": base64_of(INVOICE_MAIL), "profile": billing_rule_off()}))
    .await;
    assert_eq!(status, 200, "{tried}");
    assert_eq!(tried["candidate"]["action"]["project"], "SUP");
    assert_eq!(tried["differs"], json!([]));

    // Without a candidate, the profile in force alone.
    let (status, tried) = post(json!({"mail": INVOICE_MAIL})).await;
    assert_eq!(status, 200, "{tried}");
    assert!(tried["candidate"].is_null());
    assert_eq!(tried["in_force"]["action"]["project"], "SUP");

    // A bad candidate: every mistake at its path.
    let bad = processing(
        json!([{"match": {"subject": "(unclosed", "sender": ["re:["]},
                                 "then": {"project": "lower"}}]),
    );
    let (status, refused) = post(json!({"mail": INVOICE_MAIL, "profile": bad})).await;
    assert_eq!(status, 422, "{refused}");
    let at = fields(&refused);
    for path in [
        "rules[0].match.subject",
        "rules[0].match.sender[0]",
        "rules[0].then.project",
    ] {
        assert!(at.contains(&path.to_owned()), "{path}: {refused}");
    }
    let (status, refused) = post(json!({"mail": INVOICE_MAIL, "profile": {"rules": "no"}})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["rules"]);

    // Bad mail: not base64, empty, neither, both.
    for (body, at) in [
        (json!({"mail_base64": "%%%"}), "mail_base64"),
        (json!({"mail": " \r\n"}), "mail"),
        (json!({}), "mail"),
        (json!({"mail": INVOICE_MAIL, "mail_base64": "AA=="}), "mail"),
    ] {
        let (status, refused) = post(body.clone()).await;
        assert_eq!(status, 422, "{body}: {refused}");
        assert_eq!(fields(&refused), vec![at], "{body}");
    }

    // Huge mail: over 4 MiB refused with its size, a body over 16 MiB before it is read.
    let huge = format!("{INVOICE_MAIL}{}", "x".repeat(4 * 1024 * 1024));
    let (status, refused) = post(json!({"mail": huge})).await;
    assert_eq!(status, 413, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("4194304 bytes"),
        "{refused}"
    );
    let (status, refused) = post(json!({"mail": "x".repeat(17 * 1024 * 1024)})).await;
    assert_eq!(status, 413, "{refused}");

    // Without the session's CSRF token: refused.
    let refused = console
        .http
        .post(format!("{}/api/v1/profile/try", console.base))
        .header(COOKIE, &admin.0)
        .json(&json!({"mail": INVOICE_MAIL}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    assert_eq!(stored_rows(&console).await, before, "try it stores nothing");
    assert_eq!(stored_version(&console).await, Some(1));
    let intakes: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM intake")
        .fetch_one(console.store.store.db().pool())
        .await
        .unwrap();
    assert_eq!(intakes.0, 0, "no mail taken in");
    console.sandbox.shutdown().await;
}

/// The billing rule of the try-it test, switched off.
fn billing_rule_off() -> Value {
    processing(json!([{"name": "invoices", "enabled": false,
                       "match": {"subject": "(?i)invoice"}, "then": {"project": "BIL"}}]))
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn the_regex_tester_uses_the_servers_regex_and_says_why_a_pattern_fails() {
    use reqwest::Method;
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let post = |body: Value| {
        call(
            &console,
            &admin,
            Method::POST,
            "/api/v1/profile/regex",
            Some(body),
        )
    };
    // Rust syntax the browser's RegExp does not read: a leading (?i) and (?P<name>…).
    let (status, tried) = post(
        json!({"kind": "regex", "pattern": r"(?i)\b(?P<what>outage|down)\b",
                                      "samples": ["Server DOWN", "all fine"]}),
    )
    .await;
    assert_eq!(status, 200, "{tried}");
    assert_eq!(tried["samples"][0]["matched"], true);
    assert_eq!(tried["samples"][0]["groups"][1]["name"], "what");
    assert_eq!(tried["samples"][0]["groups"][1]["text"], "DOWN");
    assert_eq!(tried["samples"][1]["matched"], false);
    let (status, tried) = post(json!({"kind": "address", "pattern": "*.partner.example",
                                      "samples": ["ann@eu.partner.example"]}))
    .await;
    assert_eq!(status, 200, "{tried}");
    assert_eq!(tried["samples"][0]["tried_on"], "eu.partner.example");
    // What the browser would take but the profile refuses (lookahead) is refused here too.
    let (status, refused) =
        post(json!({"kind": "regex", "pattern": "a(?=b)", "samples": []})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["pattern"]);
    assert!(refused.to_string().contains("invalid regex"), "{refused}");
    let (status, refused) = post(json!({"kind": "regex", "pattern": "a",
                                        "samples": ["x".repeat(10_001)]}))
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), vec!["samples[0]"]);
    let (status, refused) = post(json!({"kind": "glob", "pattern": "a"})).await;
    assert_eq!(status, 422, "{refused}");
    let refused = console
        .http
        .post(format!("{}/api/v1/profile/regex", console.base))
        .header(COOKIE, &admin.0)
        .json(&json!({"kind": "regex", "pattern": "a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "CSRF");
    console.sandbox.shutdown().await;
}
