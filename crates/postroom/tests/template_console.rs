#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Canned responses through console sessions. A state-changing template request without
//! the session's CSRF token is refused and changes nothing. A personal template is its
//! owner's alone: the agent writes one and uses it (so that it
//! has figures), then an administrator and a project administrator call every route of
//! the OpenAPI document — ids in the path naming that template, searches naming its words
//! — and no answer carries its name or its body, nor its id where the request did not
//! name it (its figures would come with it). The routes come from the document,
//! so a route added later is swept too.

mod console_support;

use console_support::{Console, Who};
use reqwest::Method;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

const NAME: &str = "Zebra personal name";
const BODY: &str = "Quokka personal body about {{ issue.key }}";

async fn call(
    console: &Console,
    session: &(String, String),
    method: &Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut request = console
        .http
        .request(method.clone(), format!("{}/api/v1{path}", console.base))
        .header(COOKIE, &session.0)
        .header("X-CSRF-Token", &session.1);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn no_route_shows_another_persons_personal_template() {
    let console = Console::start().await;
    let agent = console.session(Who::Agent).await;
    let (status, made) = call(
        &console,
        &agent,
        &Method::POST,
        "/templates",
        Some(
            json!({"name": NAME, "body": BODY, "tags": ["quokka"], "scope": {"kind": "personal"}}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let made: Value = serde_json::from_str(&made).unwrap();
    let id = made["id"].as_str().unwrap().to_owned();
    let issue: Value = console
        .http
        .post(format!("{}/rest/api/3/issue", console.sandbox.base_url))
        .header(
            "Authorization",
            jira_sandbox::Credentials::admin().basic_header(),
        )
        .json(&json!({"fields": {"project": {"key": "SUP"}, "issuetype": {"name": "Task"}, "summary": "Personal"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = issue["key"].as_str().unwrap();
    let render = json!({"issue": key, "inserted": true});
    let uses = [
        (format!("/templates/{id}/render"), render),
        (format!("/templates/{id}/apply"), json!({"issue": key})),
    ];
    for (path, body) in uses {
        let (status, text) = call(&console, &agent, &Method::POST, &path, Some(body)).await;
        assert_eq!(status, 200, "{path}: {text}");
    }
    let (_, own) = call(&console, &agent, &Method::GET, "/templates/insights", None).await;
    assert!(own.contains(&id), "its owner sees its figures: {own}");

    let routes: Vec<(String, String)> = console
        .documented_routes()
        .await
        .into_iter()
        .map(|(method, path)| {
            let path = path.trim_start_matches("/api/v1").to_owned();
            (method.to_ascii_uppercase(), path)
        })
        .collect();
    assert!(routes.len() > 20, "{routes:?}");
    let mut leaks = Vec::new();
    for who in [Who::Admin, Who::ProjectAdmin] {
        let session = console.session(who).await;
        for (method, template) in &routes {
            // Deleting unseen is what a Jira administrator may do; it shows nothing either.
            // Signing out would leave the rest of the sweep without a session.
            if method == "DELETE" || template == "/session/signout" {
                continue;
            }
            let path = template.replace("{id}", &id).replace("{key}", key);
            let mut paths = vec![path.clone()];
            if method == "GET" {
                paths.push(format!("{path}?q=quokka&template={id}&limit=100"));
            }
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let body = (method != Method::GET).then(|| json!({"issue": key, "q": "quokka"}));
            for path in paths {
                let (status, text) = call(&console, &session, &method, &path, body.clone()).await;
                // An id the request itself names may come back in a 404's words.
                let named = path.contains(&id);
                for secret in [NAME, "Quokka personal body", id.as_str()] {
                    if text.contains(secret) && !(named && secret == id) {
                        leaks.push(format!(
                            "{who:?} {method} {path} ({status}) shows {secret:?}: {text}"
                        ));
                    }
                }
            }
        }
        let (status, _) = call(&console, &session, &Method::GET, "/whoami", None).await;
        assert_eq!(status, 200, "{who:?}'s session lasted the whole sweep");
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn template_changes_without_the_csrf_token_are_refused_and_change_nothing() {
    let console = Console::start().await;
    let admin = console.session(Who::Admin).await;
    let draft =
        json!({"name": "<img src=x onerror=alert(1)>", "body": "Hi", "scope": {"kind": "global"}});
    let (status, made) = call(
        &console,
        &admin,
        &Method::POST,
        "/templates",
        Some(draft.clone()),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let made: Value = serde_json::from_str(&made).unwrap();
    assert_eq!(
        made["name"], "<img src=x onerror=alert(1)>",
        "kept as written: the page sets it as text"
    );
    let id = made["id"].as_str().unwrap();
    let (_, before) = call(&console, &admin, &Method::GET, "/templates", None).await;

    let import = json!({"format": "postroom.templates", "version": 1, "templates": [draft]});
    let attempts = [
        (Method::POST, "/templates".to_owned(), Some(draft.clone())),
        (Method::PUT, format!("/templates/{id}"), Some(draft.clone())),
        (Method::DELETE, format!("/templates/{id}"), None),
        (Method::POST, "/templates/import".to_owned(), Some(import)),
        (
            Method::POST,
            "/templates/preview".to_owned(),
            Some(json!({"body": "x", "issue": "SUP-1"})),
        ),
    ];
    for forged in [String::new(), "0".repeat(64)] {
        let without = (admin.0.clone(), forged.clone());
        for (method, path, body) in &attempts {
            let (status, text) = call(&console, &without, method, path, body.clone()).await;
            assert_eq!(
                status, 403,
                "{method} {path} with CSRF token {forged:?}: {text}"
            );
        }
    }
    let (_, after) = call(&console, &admin, &Method::GET, "/templates", None).await;
    assert_eq!(before, after, "the refused requests changed nothing");
    console.sandbox.shutdown().await;
}
