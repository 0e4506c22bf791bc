//! A site's own retention periods within the operator's `[retention]` bounds, through the
//! binary and `/api/v1/settings`: out-of-bounds periods are refused with the bounds named,
//! the purge uses the site's period, `data-inventory` prints each site's periods, and the
//! raw-mail opt-out has its API twin.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use support::{Served, Site};

const CONFIG: &str = "[retention.min_days]\nintake = 2\n[retention.max_days]\nreports = 90\n";

fn refused(site: &Site, args: &[&str], needle: &str) {
    let out = site.run(args);
    assert!(!out.status.success(), "{args:?}: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
}

fn inventory(site: &Site) -> Value {
    serde_json::from_str(&site.ok(&["data-inventory", "--format", "json"])).unwrap()
}

/// An RFC 3339 time `days` from now.
fn in_days(days: u64) -> String {
    let at = SystemTime::now() + Duration::from_secs(days * 86_400);
    humantime::format_rfc3339_seconds(at).to_string()
}

#[test]
fn periods_out_of_bounds_are_refused_and_the_purge_uses_the_sites_own() {
    let site = Site::new(None, &[("postroom.toml", CONFIG)]);
    // Taking a mail in makes the tenant `default`.
    let mail = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/mail/new_request.eml");
    assert!(
        site.ok(&["process", mail.to_str().unwrap()])
            .contains("1 taken in")
    );
    for (args, needles) in [
        (["--intake-days", "1"], ["min_days.intake", "2 to 30 days"]),
        (
            ["--reports-days", "91"],
            ["max_days.reports", "1 to 90 days"],
        ),
    ] {
        let mut all = vec!["tenant", "set", "default"];
        all.extend(args);
        for needle in needles {
            refused(&site, &all, needle);
        }
    }
    let out = site.ok(&[
        "tenant",
        "set",
        "default",
        "--intake-days",
        "3",
        "--reports-days",
        "60",
    ]);
    assert!(
        out.contains("raw mail 3 days, processing reports 60 days"),
        "{out}"
    );
    let json = inventory(&site);
    assert_eq!(
        json["tenants"][0]["periods"],
        json!({"intake": 3, "reports": 60, "sent_mail": 30}),
        "{json}"
    );
    assert_eq!(json["tenants"][0]["own"]["sent_mail"], Value::Null);
    let markdown = site.ok(&["data-inventory"]);
    assert!(
        markdown.contains("| default | 3 days (its own) | 60 days (its own) | 30 days |"),
        "{markdown}"
    );

    // The mail taken in is purged after the site's 3 days, not the instance's 30.
    let kept = site.ok(&["audit", "purge", "--now", &in_days(2)]);
    assert!(kept.contains("purged 0 intake record(s)"), "{kept}");
    let purged = site.ok(&["audit", "purge", "--now", &in_days(4)]);
    assert!(purged.contains("purged 1 intake record(s)"), "{purged}");
    assert!(purged.contains("older than 3 days"), "{purged}");

    // Back to the instance's period for every kind.
    site.ok(&["tenant", "set", "default", "--retention-days", "0"]);
    assert_eq!(
        inventory(&site)["tenants"][0]["periods"],
        json!({"intake": 30, "reports": 30, "sent_mail": 30})
    );
    // Bounds that cross are refused at start, naming the key.
    std::fs::write(
        site.path().join("crossed.toml"),
        "[retention.min_days]\nsent_mail = 40\n",
    )
    .unwrap();
    let crossed = site.run(&["--config", "crossed.toml", "data-inventory"]);
    assert!(!crossed.status.success());
    assert!(
        String::from_utf8_lossy(&crossed.stderr).contains("retention.max_days.sent_mail"),
        "{crossed:?}"
    );
}

async fn call(
    served: &Served,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", served.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn administrators_set_the_sites_periods_and_raw_mail_through_the_api() {
    let site = Site::new(None, &[("postroom.toml", CONFIG)]);
    let served = Served::start(site.path(), &[]).await;
    let admin = site
        .ok(&[
            "token",
            "create",
            "--account-id",
            "557058:a",
            "--scope",
            "admin",
        ])
        .trim()
        .to_owned();
    let agent = site
        .ok(&[
            "token",
            "create",
            "--account-id",
            "557058:b",
            "--scope",
            "agent",
        ])
        .trim()
        .to_owned();
    use reqwest::Method;
    let (status, body) = call(
        &served,
        Method::GET,
        "/api/v1/settings/retention",
        &admin,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["in_force"],
        json!({"intake": 30, "reports": 30, "sent_mail": 30})
    );
    assert_eq!(body["min_days"]["intake"], 2);
    assert_eq!(body["max_days"]["reports"], 90);
    let (status, _) = call(
        &served,
        Method::GET,
        "/api/v1/settings/retention",
        &agent,
        None,
    )
    .await;
    assert_eq!(status, 403);

    let (status, body) = call(
        &served,
        Method::PUT,
        "/api/v1/settings/retention",
        &admin,
        Some(json!({"reports": 91, "intake": 5})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("reports"), "{body}");
    let (_, unchanged) = call(
        &served,
        Method::GET,
        "/api/v1/settings/retention",
        &admin,
        None,
    )
    .await;
    assert_eq!(unchanged["own"]["intake"], Value::Null, "nothing changed");
    let (status, body) = call(
        &served,
        Method::PUT,
        "/api/v1/settings/retention",
        &admin,
        Some(json!({"reports": 90, "sent_mail": 7})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["in_force"],
        json!({"intake": 30, "reports": 90, "sent_mail": 7})
    );
    let (status, _) = call(
        &served,
        Method::PUT,
        "/api/v1/settings/retention",
        &admin,
        Some(json!({"weeks": 3})),
    )
    .await;
    assert_eq!(status, 422, "unknown fields are refused");

    let (status, body) = call(
        &served,
        Method::GET,
        "/api/v1/settings/raw-mail",
        &admin,
        None,
    )
    .await;
    assert_eq!((status, body), (200, json!({"store_raw": true})));
    let (status, body) = call(
        &served,
        Method::PUT,
        "/api/v1/settings/raw-mail",
        &admin,
        Some(json!({"store_raw": false})),
    )
    .await;
    assert_eq!((status, body), (200, json!({"store_raw": false})));
    let json = inventory(&site);
    assert_eq!(json["tenants"][0]["raw_mail_kept"], false);
    assert_eq!(json["tenants"][0]["periods"]["sent_mail"], 7);

    // The API's description states what the opt-out costs.
    let document = reqwest::get(format!("{}/api/v1/openapi.json", served.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        document.contains("no raw mail to diagnose or replay"),
        "opt-out description"
    );
}
