#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The console's "People and data" API: the suppression list found by address and
//! cleared, API tokens made, listed and revoked, the access log, the data inventory, the
//! backups' door, and erasing a whole site (another site removed, the self-hosted
//! `default` emptied), through the HTTP edge on a real store.

mod console_support;

use console_support::{Console, Who};
use postroom_core::tenant::TenantId;
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

const FRANK: &str = "frank@customer.example";

/// A call with a session (cookie and CSRF token) or a bearer token.
enum As<'a> {
    Session(&'a (String, String)),
    SessionWithoutCsrf(&'a (String, String)),
    Token(&'a str),
}

async fn call(
    console: &Console,
    who: &As<'_>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = console
        .http
        .request(method, format!("{}/api/v1{path}", console.base));
    request = match who {
        As::Session((cookie, csrf)) => request.header(COOKIE, cookie).header("X-CSRF-Token", csrf),
        As::SessionWithoutCsrf((cookie, _)) => request.header(COOKIE, cookie),
        As::Token(token) => request.bearer_auth(token),
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A hard bounce of Frank's address on the site `default`, as the inbound worker records it.
async fn suppress_frank(console: &Console) {
    console_support::suppress(console, FRANK).await;
}

#[tokio::test]
async fn a_suppressed_address_is_found_with_its_reason_and_cleared_with_csrf_only() {
    let console = Console::start().await;
    suppress_frank(&console).await;
    let admin = console.session(Who::Admin).await;
    let me = As::Session(&admin);

    let (status, listed) = call(&console, &me, "GET", "/suppressions", None).await;
    assert_eq!(status, 200, "{listed}");
    let entry = &listed["entries"][0];
    assert_eq!(entry["address"], FRANK);
    assert_eq!(entry["suppressed"], true);
    assert_eq!(entry["hard"], true);
    assert_eq!(entry["status"], "5.1.1");
    assert_eq!(entry["diagnostic"], "550 5.1.1 no such user");

    // Found by address in any case of its domain; another address finds nothing.
    let (_, found) = call(
        &console,
        &me,
        "GET",
        "/suppressions?address=frank@CUSTOMER.example",
        None,
    )
    .await;
    assert_eq!(found["entries"].as_array().unwrap().len(), 1, "{found}");
    let (_, none) = call(
        &console,
        &me,
        "GET",
        "/suppressions?address=ann@customer.example",
        None,
    )
    .await;
    assert_eq!(none["entries"], json!([]));
    let (status, _) = call(
        &console,
        &me,
        "GET",
        "/suppressions?address=not-an-address",
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Without the session's CSRF token nothing is cleared.
    let clear = json!({"address": FRANK});
    let (status, _) = call(
        &console,
        &As::SessionWithoutCsrf(&admin),
        "POST",
        "/suppressions/clear",
        Some(clear.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (_, still) = call(&console, &me, "GET", "/suppressions", None).await;
    assert_eq!(still["entries"].as_array().unwrap().len(), 1);

    let (status, cleared) = call(
        &console,
        &me,
        "POST",
        "/suppressions/clear",
        Some(clear.clone()),
    )
    .await;
    assert_eq!((status.as_u16(), &cleared["cleared"]), (200, &json!(1)));
    let (status, _) = call(&console, &me, "POST", "/suppressions/clear", Some(clear)).await;
    assert_eq!(status, 404, "cleared already");
    let (status, body) = call(
        &console,
        &me,
        "POST",
        "/suppressions/clear",
        Some(json!({"address": "nobody"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "address");
    let (_, after) = call(&console, &me, "GET", "/suppressions", None).await;
    assert_eq!(after["entries"], json!([]));
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_made_in_the_console_acts_as_its_maker_until_revoked() {
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let me = As::Session(&admin);

    let (status, made) = call(
        &console,
        &me,
        "POST",
        "/tokens",
        Some(json!({"name": "nightly report", "scope": "agent"})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let secret = made["secret"].as_str().unwrap().to_owned();
    let id = made["token"]["id"].as_str().unwrap().to_owned();
    let (status, whoami) = call(&console, &As::Token(&secret), "GET", "/whoami", None).await;
    assert_eq!(status, 200);
    assert_eq!(whoami["account_id"], console.account(Who::Admin));
    assert_eq!(whoami["scope"], "agent");
    assert_eq!(whoami["token_id"], id.as_str());

    let (_, listed) = call(&console, &me, "GET", "/tokens", None).await;
    let text = listed.to_string();
    assert!(
        text.contains("nightly report") && text.contains(&id),
        "{text}"
    );
    assert!(!text.contains(&secret), "a list never shows a secret");

    for bad in [
        json!({"name": "", "scope": "agent"}),
        json!({"name": "x\ny", "scope": "agent"}),
        json!({"name": "x", "scope": "root"}),
    ] {
        let (status, _) = call(&console, &me, "POST", "/tokens", Some(bad.clone())).await;
        assert_eq!(status, 422, "{bad}");
    }

    let path = format!("/tokens/{id}");
    let (status, _) = call(
        &console,
        &As::SessionWithoutCsrf(&admin),
        "DELETE",
        &path,
        None,
    )
    .await;
    assert_eq!(status, 403, "no revoke without the CSRF token");
    let (status, _) = call(&console, &As::Token(&secret), "GET", "/whoami", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&console, &me, "DELETE", &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&console, &As::Token(&secret), "GET", "/whoami", None).await;
    assert_eq!(status, 401, "a revoked token is refused at once");
    let (status, _) = call(&console, &me, "DELETE", &path, None).await;
    assert_eq!(status, 404);
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn the_access_log_and_the_inventory_show_this_site_only() {
    let console = Console::start().await;
    let _b = console.add_site("other-site").await;
    let b_token = console.admin_token("other-site").await;
    let (status, _) = call(&console, &As::Token(&b_token), "GET", "/tokens", None).await;
    assert_eq!(status, 200);
    let admin = console.session(Who::Admin).await;
    let me = As::Session(&admin);
    call(&console, &me, "GET", "/whoami", None).await;

    let (status, log) = call(&console, &me, "GET", "/access-log", None).await;
    assert_eq!(status, 200, "{log}");
    let routes: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["route"].as_str().unwrap())
        .collect();
    assert!(routes.contains(&"/api/v1/whoami"), "{routes:?}");
    assert!(
        !routes.contains(&"/api/v1/tokens"),
        "the other site's call is not in this site's log: {routes:?}"
    );
    assert_eq!(
        log["entries"][0]["ip"], "127.0.0.0/24",
        "the address cut to its /24"
    );

    let agent = console.session(Who::Agent).await;
    let (status, inventory) = call(&console, &As::Session(&agent), "GET", "/inventory", None).await;
    assert_eq!(status, 200, "everyone may read what is kept");
    assert!(inventory["declared"]["tables"].as_array().unwrap().len() > 10);
    assert_eq!(inventory["in_force"]["intake"], 30);
    assert_eq!(inventory["raw_mail_kept"], true);
    let (status, _) = call(
        &console,
        &me,
        "PUT",
        "/settings/raw-mail",
        Some(json!({"store_raw": false})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, inventory) = call(&console, &me, "GET", "/inventory", None).await;
    assert_eq!(inventory["raw_mail_kept"], false);
    let (status, _) = call(&console, &As::Session(&agent), "GET", "/access-log", None).await;
    assert_eq!(status, 403);
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn backups_are_for_the_administrators_of_the_instances_own_site() {
    let console = Console::start().await;
    let _b = console.add_site("other-site").await;
    let b_token = console.admin_token("other-site").await;
    let (status, body) = call(&console, &As::Token(&b_token), "GET", "/backups", None).await;
    assert_eq!(status, 403, "another site's administrator: {body}");
    let admin = console.admin_token("default").await;
    // This test's postroom has no backup target: said so, not a failure.
    let (status, body) = call(&console, &As::Token(&admin), "GET", "/backups", None).await;
    assert_eq!(status, 409, "{body}");
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn erasing_a_site_takes_its_name_removes_another_site_and_empties_default() {
    let console = Console::start().await;
    let _b = console.add_site("other-site").await;
    let b_token = console.admin_token("other-site").await;
    let b = As::Token(&b_token);

    let (status, body) = call(
        &console,
        &b,
        "POST",
        "/site/erase",
        Some(json!({"confirm": "default"})),
    )
    .await;
    assert_eq!(status, 422, "another site's name: {body}");
    assert_eq!(body["errors"][0]["field"], "confirm");
    let (status, erased) = call(
        &console,
        &b,
        "POST",
        "/site/erase",
        Some(json!({"confirm": "other-site"})),
    )
    .await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["emptied"], false);
    let (status, _) = call(&console, &b, "GET", "/whoami", None).await;
    assert_eq!(status, 401, "the site's tokens went with it");
    assert!(
        console
            .store
            .store
            .list_tenants()
            .await
            .unwrap()
            .iter()
            .all(|t| t.id.as_str() != "other-site"),
        "the site is gone"
    );

    // The self-hosted site: emptied, and there again with its Jira connection.
    let admin = console.session(Who::Admin).await;
    let me = As::Session(&admin);
    let mail = "From: frank@customer.example\r\nTo: support@example.com\r\nSubject: erase me\r\n\
                Message-ID: <erase-1@customer.example>\r\n\r\nhello\r\n";
    let uploaded = console
        .http
        .post(format!("{}/api/v1/mail", console.base))
        .header(COOKIE, &admin.0)
        .header("X-CSRF-Token", &admin.1)
        .header("Content-Type", "message/rfc822")
        .body(mail)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 202);
    let (_, before) = call(&console, &me, "GET", "/audit", None).await;
    assert_eq!(before["entries"].as_array().unwrap().len(), 1);
    let jira_before = console.tenant().await.record().await.unwrap().jira;
    let (status, _) = call(
        &console,
        &As::SessionWithoutCsrf(&admin),
        "POST",
        "/site/erase",
        Some(json!({"confirm": "default"})),
    )
    .await;
    assert_eq!(status, 403, "no erase without the CSRF token");
    let (status, erased) = call(
        &console,
        &me,
        "POST",
        "/site/erase",
        Some(json!({"confirm": "default"})),
    )
    .await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["emptied"], true);
    assert_eq!(erased["key_destroyed"], true);
    assert!(erased["rows"].as_u64().unwrap() > 2, "{erased}");
    let (status, _) = call(&console, &me, "GET", "/whoami", None).await;
    assert_eq!(status, 401, "the session went with the site's data");
    let record = console
        .store
        .store
        .tenant(&TenantId::default_tenant())
        .await
        .unwrap()
        .record()
        .await
        .unwrap();
    assert_eq!(
        record.jira, jira_before,
        "default is there again, as it was connected"
    );
    let fresh = console.admin_token("default").await;
    let (status, after) = call(&console, &As::Token(&fresh), "GET", "/audit", None).await;
    assert_eq!(status, 200);
    assert_eq!(after["entries"], json!([]), "and empty");
    console.sandbox.shutdown().await;
}
