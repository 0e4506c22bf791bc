#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Who reaches which API route, table-driven: every route of the OpenAPI document (which is
//! generated from the handlers) is called by each console role and without credentials,
//! and must answer as [`expected`] says. A route missing from the table fails the test, so a
//! new route cannot escape the check.

mod console_support;

use console_support::{Console, Who};
use reqwest::Method;
use reqwest::header::COOKIE;

/// Who a route lets through its door (a handler may still refuse one resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Door {
    /// No credentials needed.
    Public,
    /// Any signed-in caller.
    Anyone,
    /// Jira administrators and project administrators (the audit).
    AuditReaders,
    /// Jira administrators only.
    Admins,
}

fn expected(method: &str, path: &str) -> Option<Door> {
    use Door::*;
    Some(match (method, path) {
        ("get", "/api/v1/openapi.json") | ("post", "/api/v1/session/link") => Public,
        ("get", "/api/v1/whoami" | "/api/v1/session") | ("post", "/api/v1/session/signout") => {
            Anyone
        }
        ("post", "/api/v1/mail" | "/api/v1/usage/flags") => Anyone,
        (_, p) if p.starts_with("/api/v1/agent/") => Anyone,
        ("get", "/api/v1/usage") | ("post", "/api/v1/feedback") => Admins,
        (_, p) if p.starts_with("/api/v1/settings/") => Admins,
        ("post", p) if p.starts_with("/api/v1/people/") => Admins,
        ("get", "/api/v1/inventory") => Anyone,
        (_, p) if p.starts_with("/api/v1/suppressions") => Admins,
        (_, p) if p.starts_with("/api/v1/backups") => Admins,
        (_, p) if p.starts_with("/api/v1/tokens") => Admins,
        ("get", "/api/v1/access-log") | ("post", "/api/v1/site/erase") => Admins,
        (_, p) if p.starts_with("/api/v1/templates") => Anyone,
        ("get", "/api/v1/audit" | "/api/v1/audit/{id}") => AuditReaders,
        ("post", "/api/v1/audit/{id}/reprocess" | "/api/v1/audit/{id}/release") => AuditReaders,
        (
            "get",
            "/api/v1/audit/{id}/raw" | "/api/v1/audit/{id}/html" | "/api/v1/audit/{id}/bundle",
        ) => Admins,
        (_, p) if p.starts_with("/api/v1/audit/sent") => Admins,
        ("get", "/api/v1/overview" | "/api/v1/jobs") => Admins,
        ("get" | "put", "/api/v1/profile") => Admins,
        (_, p) if p.starts_with("/api/v1/mailboxes") => Admins,
        (_, p) if p.starts_with("/api/v1/profile/versions") => Admins,
        (_, p) if p.starts_with("/api/v1/testcases") => Admins,
        ("post", "/api/v1/profile/try" | "/api/v1/profile/regex") => Admins,
        (_, p) if p.starts_with("/api/v1/notifications/") => Admins,
        ("post", "/api/v1/jobs/{id}/retry" | "/api/v1/audit/{id}/testcase") => Admins,
        _ => return None,
    })
}

fn lets_in(door: Door, who: Who) -> bool {
    match door {
        Door::Public | Door::Anyone => true,
        Door::AuditReaders => who != Who::Agent,
        Door::Admins => who == Who::Admin,
    }
}

async fn call(console: &Console, method: &str, path: &str, auth: Option<(String, String)>) -> u16 {
    let concrete = ["{id}", "{version}", "{other}"]
        .iter()
        .fold(path.to_owned(), |p, name| p.replace(name, "1"));
    let url = format!("{}{concrete}", console.base);
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut request = console.http.request(method.clone(), url);
    if let Some((cookie, csrf)) = auth {
        request = request.header(COOKIE, cookie).header("X-CSRF-Token", csrf);
    }
    if method == Method::POST || method == Method::PUT {
        request = request.json(&serde_json::json!({}));
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_table_says() {
    let console = Console::start().await;
    let routes = console.documented_routes().await;
    assert!(
        routes.len() > 20,
        "the document lists the routes: {routes:?}"
    );
    let mut wrong = Vec::new();
    for (method, path) in &routes {
        let Some(door) = expected(method, path) else {
            wrong.push(format!(
                "{method} {path}: not in the table; say who may call it"
            ));
            continue;
        };
        let anonymous = call(&console, method, path, None).await;
        if door != Door::Public && anonymous != 401 {
            wrong.push(format!(
                "{method} {path} without credentials: {anonymous}, not 401"
            ));
        }
        for who in [Who::Admin, Who::ProjectAdmin, Who::Agent] {
            let session = console.session(who).await;
            let status = call(&console, method, path, Some(session)).await;
            let allowed = lets_in(door, who);
            if allowed && (status == 401 || (status == 403 && door != Door::Anyone)) {
                wrong.push(format!(
                    "{method} {path} as {who:?}: {status}, should get in"
                ));
            }
            if !allowed && status != 403 {
                wrong.push(format!("{method} {path} as {who:?}: {status}, not 403"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    console.sandbox.shutdown().await;
}
