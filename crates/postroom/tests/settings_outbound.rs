#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Settings → Outbound mail and the webhook secret, through the HTTP edge on a real store:
//! values from `postroom.toml` win (shown with their key, a change refused with 409); a
//! site's own relay has its password sealed, never returned and absent from the raw rows,
//! and its mail leaves through it (a test send to a real SMTP peer, accepted, then refused
//! at login with a wrong password); test sends are limited per site and refused for a
//! suppressed address; a rotated webhook secret refuses deliveries signed with the old one.

mod console_support;
#[path = "../../mail/tests/support/mod.rs"]
mod peer;

use std::sync::Arc;

use console_support::{Console, Extras, Who};
use postroom::outbound::{InstanceTransport, OutboundSetup};
use postroom_core::notify::signature;
use postroom_core::tenant::TenantId;
use postroom_mail::send::{
    FileSettings, Outbound, OutboundSettings, Security, SiteSenders, SmtpSettings,
};
use postroom_store::SiteSecret;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

const PASSWORD: &str = "s3cret-relay-pw";
const WEBHOOK_SECRET: &str = "/settings/webhook-secret";
const ROTATE: &str = "/settings/webhook-secret/rotate";

async fn call(
    console: &Console,
    session: Option<&(String, String)>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = console
        .http
        .request(method, format!("{}/api/v1{path}", console.base));
    if let Some((cookie, csrf)) = session {
        request = request.header(COOKIE, cookie).header("X-CSRF-Token", csrf);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

/// `PUT /settings/outbound` with `body` as the administrator of `session`.
async fn put(console: &Console, session: &(String, String), body: Value) -> (u16, Value) {
    let (status, body, _) = call(
        console,
        Some(session),
        "PUT",
        "/settings/outbound",
        Some(body),
    )
    .await;
    (status, body)
}

/// `POST /settings/outbound/test` to `to`.
async fn test_to(
    console: &Console,
    session: &(String, String),
    to: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    call(
        console,
        Some(session),
        "POST",
        "/settings/outbound/test",
        Some(json!({ "to": to })),
    )
    .await
}

fn setup(settings: OutboundSettings) -> OutboundSetup {
    OutboundSetup {
        senders: Arc::new(SiteSenders::new(Some(
            Outbound::from_settings(&settings).unwrap(),
        ))),
        transport: InstanceTransport::Configured(settings),
    }
}

fn row<'a>(body: &'a Value, label: &str) -> &'a Value {
    body["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("no row {label}: {body}"))
}

/// Every text and blob of the site's rows in `tenants` and `tenant_secrets`, as stored.
async fn raw_rows(console: &Console) -> Vec<u8> {
    use sqlx::Row;
    let pool = console.store.store.db().pool();
    let mut bytes = Vec::new();
    for table in ["tenants", "tenant_secrets"] {
        let column = if table == "tenants" {
            "id"
        } else {
            "tenant_id"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM {table} WHERE {column} = 'default'"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        for row in rows {
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    bytes.extend(text.into_bytes());
                } else if let Ok(Some(blob)) = row.try_get::<Option<Vec<u8>>, _>(i) {
                    bytes.extend(blob);
                }
            }
        }
    }
    bytes
}

#[tokio::test]
async fn values_from_postroom_toml_are_shown_with_their_key_and_cannot_be_changed() {
    let mut smtp = SmtpSettings::new("smtp.operator.example", 587, Security::StartTls);
    smtp.username = Some("postroom".to_owned());
    smtp.password = Some(postroom_core::secret::Secret::new(PASSWORD));
    smtp.bounce_address = Some("bounces@operator.example".to_owned());
    let console = Console::start_extras(Extras {
        outbound: setup(OutboundSettings::Smtp(Box::new(smtp))),
        ..Extras::default()
    })
    .await;
    let admin = console.session(Who::Admin).await;
    let (status, body, _) = call(&console, Some(&admin), "GET", "/settings/outbound", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["transport"], "smtp");
    assert_eq!(body["transport_source"], "postroom_toml");
    assert_eq!(body["relay_editable"], false);
    let host = row(&body, "Host");
    assert_eq!(host["value"], "smtp.operator.example");
    assert_eq!(host["key"], "[outbound] host");
    let password = row(&body, "Password");
    assert_eq!(password["set"], true);
    assert_eq!(password["value"], Value::Null);
    assert_eq!(password["key"], "[outbound] password");
    assert!(!body.to_string().contains(PASSWORD));

    let relay = json!({"relay": {"host": "127.0.0.1", "security": "plain"}});
    let (status, refused) = put(&console, &admin, relay).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("[outbound] in postroom.toml"),
        "{refused}"
    );
    assert_eq!(console.tenant().await.record().await.unwrap().relay, None);

    // The site's own identity stays its own to set; a DKIM key the operator has not
    // configured is refused.
    let (status, changed) = put(
        &console,
        &admin,
        json!({"bounce_address": "bounces@acme.example"}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["bounce_address"], "bounces@acme.example");
    assert_eq!(
        row(&changed, "This site's bounce address")["source"],
        "site"
    );
    let (status, refused) = put(&console, &admin, json!({"dkim_key": "nobody"})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "dkim_key");
}

#[tokio::test]
async fn a_sites_own_relay_is_sealed_never_returned_and_its_test_mail_leaves_through_it() {
    let Some(smtp) = peer::Peer::start(&["--auth", &format!("site:{PASSWORD}")]) else {
        return;
    };
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let relay = |password: &str| {
        json!({
            "bounce_address": "bounces@acme.example",
            "relay": {"host": "127.0.0.1", "port": smtp.port, "security": "plain",
                      "username": "site", "password": password}
        })
    };
    // Without the session's CSRF token nothing is set.
    let (cookie, _) = &admin;
    let no_csrf = console
        .http
        .put(format!("{}/api/v1/settings/outbound", console.base))
        .header(COOKIE, cookie)
        .json(&relay(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    assert_eq!(console.tenant().await.record().await.unwrap().relay, None);

    let (status, body) = put(&console, &admin, relay(PASSWORD)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["relay"]["host"], "127.0.0.1");
    assert_eq!(body["relay"]["password_set"], true);
    assert_eq!(body["transport_source"], "site");
    assert!(!body.to_string().contains(PASSWORD), "{body}");
    let (_, shown, _) = call(&console, Some(&admin), "GET", "/settings/outbound", None).await;
    assert!(!shown.to_string().contains(PASSWORD), "{shown}");
    let raw = raw_rows(&console).await;
    assert!(!raw.is_empty());
    assert!(
        !raw.windows(PASSWORD.len())
            .any(|w| w == PASSWORD.as_bytes()),
        "the relay password is stored in clear"
    );
    assert!(
        console
            .tenant()
            .await
            .has_secret(SiteSecret::SmtpPassword)
            .await
            .unwrap()
    );

    let (status, sent, _) = test_to(&console, &admin, "ann@example.org").await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["outcome"], "accepted", "{sent}");
    assert_eq!(sent["code"], 250, "{sent}");
    let delivered = smtp.delivered();
    assert_eq!(delivered.len(), 1);
    assert!(
        delivered[0].mail_from.starts_with("bounces+")
            && delivered[0].mail_from.ends_with("@acme.example"),
        "the site's bounce address is the return path: {}",
        delivered[0].mail_from
    );
    assert_eq!(delivered[0].rcpt_tos, ["ann@example.org"]);
    let (_, audit, _) = call(&console, Some(&admin), "GET", "/audit/sent?kind=test", None).await;
    let entry = &audit["entries"][0];
    assert_eq!(entry["id"], sent["id"], "{audit}");
    assert_eq!(entry["status"], "sent");
    assert_eq!(entry["to"], "ann@example.org");

    // A wrong password: refused at login, with the server's code, and recorded as failed.
    let (status, _) = put(&console, &admin, relay("wrong")).await;
    assert_eq!(status, 200);
    let (_, refused, _) = test_to(&console, &admin, "ann@example.org").await;
    assert_eq!(refused["outcome"], "refused", "{refused}");
    assert_eq!(refused["step"], "login", "{refused}");
    assert_eq!(refused["code"], 535, "{refused}");
    assert_eq!(smtp.delivered().len(), 1);
    let (_, audit, _) = call(&console, Some(&admin), "GET", "/audit/sent?kind=test", None).await;
    assert_eq!(audit["entries"][0]["status"], "failed", "{audit}");

    // Removing the relay removes its password too.
    let (status, removed) = put(&console, &admin, json!({"relay": null})).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["transport"], "none");
    assert!(
        !console
            .tenant()
            .await
            .has_secret(SiteSecret::SmtpPassword)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn test_mail_is_limited_per_site_and_refused_to_a_suppressed_address() {
    let outbox = tempfile::tempdir().unwrap();
    let console = Console::start_extras(Extras {
        outbound: setup(OutboundSettings::File(FileSettings {
            dir: outbox.path().to_owned(),
            ..FileSettings::default()
        })),
        ..Extras::default()
    })
    .await;
    let admin = console.session(Who::Admin).await;
    let (status, body, _) = test_to(&console, &admin, "ann@example.org, bob@example.org").await;
    assert_eq!(status, 422, "one recipient only: {body}");

    console_support::suppress(&console, "frank@customer.example").await;
    let (status, body, _) = test_to(&console, &admin, "frank@customer.example").await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("suppression list"),
        "{body}"
    );

    for n in 0..10 {
        let (status, body, _) = test_to(&console, &admin, "ann@example.org").await;
        assert_eq!(status, 200, "test {n}: {body}");
        assert_eq!(body["outcome"], "accepted", "{body}");
    }
    assert_eq!(std::fs::read_dir(outbox.path()).unwrap().count(), 10);
    let (status, body, headers) = test_to(&console, &admin, "ann@example.org").await;
    assert_eq!(status, 429, "{body}");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_eq!(std::fs::read_dir(outbox.path()).unwrap().count(), 10);

    // Another site's tests are its own.
    let _beta = console.add_site("beta").await;
    let token = console.admin_token("beta").await;
    let other = console
        .http
        .post(format!("{}/api/v1/settings/outbound/test", console.base))
        .bearer_auth(token)
        .json(&json!({"to": "ann@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn a_rotated_webhook_secret_refuses_deliveries_signed_with_the_old_one() {
    let console = Console::start().await;
    console_support::minimal_profile(&console).await;
    let tenant = console.tenant().await;
    let cipher = console.intake.keyring().cipher(&tenant).await.unwrap();
    tenant
        .put_secret_made_by(
            &cipher,
            SiteSecret::WebhookSecret,
            "old-secret",
            Some("sandbox"),
            5,
        )
        .await
        .unwrap();
    let admin = console.session(Who::Admin).await;
    let (_, shown, _) = call(&console, Some(&admin), "GET", WEBHOOK_SECRET, None).await;
    assert_eq!(shown["set"], true, "{shown}");
    assert_eq!(shown["source"], "sandbox", "{shown}");
    assert_eq!(shown["rotated_at_ms"], 5);
    assert!(
        shown["url"].as_str().unwrap().ends_with("/webhooks/jira"),
        "{shown}"
    );

    let event = serde_json::to_vec(&json!({
        "timestamp": 1, "webhookEvent": "jira:issue_created", "user": {"accountId": "x"},
        "issue": {"id": "10001", "key": "OPS-1", "fields": {"project": {"key": "OPS"}}},
    }))
    .unwrap();
    let deliver = |secret: &str, id: &str| {
        console
            .http
            .post(format!("{}/webhooks/jira", console.base))
            .header(
                "X-Hub-Signature",
                signature::sign(secret.as_bytes(), &event),
            )
            .header("X-Atlassian-Webhook-Identifier", id)
            .header("Content-Type", "application/json")
            .body(event.clone())
            .send()
    };
    assert_eq!(deliver("old-secret", "a").await.unwrap().status(), 200);

    let (status, rotated, _) = call(&console, Some(&admin), "POST", ROTATE, None).await;
    assert_eq!(status, 200, "{rotated}");
    let secret = rotated["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 64);
    assert!(rotated["steps"].as_array().unwrap().len() >= 4);
    assert_eq!(deliver("old-secret", "b").await.unwrap().status(), 401);
    assert_eq!(deliver(secret, "c").await.unwrap().status(), 200);
    let (_, shown, _) = call(&console, Some(&admin), "GET", WEBHOOK_SECRET, None).await;
    assert_eq!(shown["source"], "site", "{shown}");
    assert!(!shown.to_string().contains(secret));
}

#[tokio::test]
async fn a_webhook_secret_from_postroom_toml_cannot_be_rotated() {
    let mut secrets = std::collections::HashMap::new();
    secrets.insert(
        TenantId::default_tenant(),
        postroom::config::Secret::new("from-the-file"),
    );
    let console = Console::start_extras(Extras {
        webhook_secrets: secrets,
        ..Extras::default()
    })
    .await;
    let admin = console.session(Who::Admin).await;
    let (_, shown, _) = call(&console, Some(&admin), "GET", WEBHOOK_SECRET, None).await;
    assert_eq!(shown["source"], "postroom_toml", "{shown}");
    assert_eq!(shown["key"], "[webhooks] secret_file");
    assert_eq!(shown["rotatable"], false);
    let (status, refused, _) = call(&console, Some(&admin), "POST", ROTATE, None).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("[webhooks] secret_file"),
        "{refused}"
    );
    assert!(!shown.to_string().contains("from-the-file"));
}
