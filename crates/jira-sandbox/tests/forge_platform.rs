//! The sandbox's Forge platform as a remote sees it: tokens that verify against the JWKS
//! (also across a key rotation), lifecycle deliveries with a system token the site takes,
//! Forge's retries, and Jira events relayed in Forge's shape.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use jira_sandbox::{ForgePlatform, LIFECYCLE_PATH};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

/// What the fake remote saw: path, bearer token, system token, body.
type Seen = Arc<Mutex<Vec<(String, String, String, Value)>>>;

/// A remote that records every call and answers with the next scripted status (200 once
/// the script is used up).
async fn remote(script: Vec<u16>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let script = Arc::new(Mutex::new(script));
    let record = |path: &'static str| {
        move |State((seen, script)): State<(Seen, Arc<Mutex<Vec<u16>>>)>,
              headers: HeaderMap,
              body: Bytes| async move {
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            seen.lock().unwrap().push((
                path.to_owned(),
                header("authorization")
                    .trim_start_matches("Bearer ")
                    .to_owned(),
                header("x-forge-oauth-system"),
                serde_json::from_slice(&body).unwrap_or(Value::Null),
            ));
            let mut script = script.lock().unwrap();
            let status = if script.is_empty() {
                200
            } else {
                script.remove(0)
            };
            StatusCode::from_u16(status).unwrap()
        }
    };
    let app = Router::new()
        .route("/forge/lifecycle", post(record("/forge/lifecycle")))
        .route("/forge/events", post(record("/forge/events")))
        .route("/forge/schedule", post(record("/forge/schedule")))
        .with_state((seen.clone(), script));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{addr}"), seen)
}

/// Serves the platform's router and tells it where it is.
async fn serve_platform(platform: &ForgePlatform) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = platform.router();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok()
    });
    let url = format!("http://{addr}");
    platform.set_own_url(&url);
    url
}

async fn verify(platform_url: &str, app_id: &str, token: &str) -> Result<Value, String> {
    let set: JwkSet = reqwest::get(format!("{platform_url}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let jwk = set.find(&kid).ok_or("kid not published")?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[app_id]);
    validation.set_issuer(&["forge/invocation-token"]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .map(|d| d.claims)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn install_delivers_a_verifiable_token_and_a_system_token_the_site_takes() {
    let site = common::start().await;
    let (remote_url, seen) = remote(vec![]).await;
    let platform = ForgePlatform::new(&remote_url).unwrap();
    let platform_url = serve_platform(&platform).await;
    let (forge, delivery) = platform.install(&site.sb.handle).await.unwrap();
    assert!(delivery.ok(), "{delivery:?}");
    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let (path, fit, system, body) = &calls[0];
    assert_eq!(path, LIFECYCLE_PATH);
    assert_eq!(body["eventType"], "avi:forge:installed:app");
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
    let claims = verify(&platform_url, platform.app_id(), fit).await.unwrap();
    assert_eq!(
        claims["app"]["installationId"],
        forge.installation_id.as_str()
    );
    assert_eq!(claims["app"]["apiBaseUrl"], forge.api_base_url.as_str());
    assert_eq!(claims["context"]["cloudId"], forge.cloud_id.as_str());
    let me: Value = site
        .http
        .get(format!("{}/rest/api/3/myself", site.sb.base_url))
        .bearer_auth(system)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["accountId"], forge.app_account_id.as_str());

    // After a rotation, new tokens carry the new key id and the old key is still published.
    let old_kid = platform.current_kid();
    platform.rotate_key().unwrap();
    assert_ne!(platform.current_kid(), old_kid);
    let fresh = platform
        .invocation_token(&forge.installation_id, "admin-page", Some("acc-1"))
        .unwrap();
    let claims = verify(&platform_url, platform.app_id(), &fresh)
        .await
        .unwrap();
    assert_eq!(claims["principal"], "acc-1");
    let old = verify(&platform_url, platform.app_id(), fit).await;
    assert!(old.is_ok(), "{old:?}");
    assert!(
        verify(&platform_url, "ari:cloud:ecosystem::app/other", &fresh)
            .await
            .is_err()
    );
    assert!(platform.jwks_fetches() >= 3);
}

#[tokio::test]
async fn deliveries_retry_on_failure_but_not_on_a_refusal() {
    let site = common::start().await;
    let (remote_url, seen) = remote(vec![503, 500, 200, 401]).await;
    let platform = ForgePlatform::new(&remote_url).unwrap();
    let (forge, delivery) = platform.install(&site.sb.handle).await.unwrap();
    assert_eq!(delivery.attempts, 3, "two failures, then taken");
    assert!(delivery.ok());
    let refused = platform.schedule(&forge.installation_id).await;
    assert_eq!(refused.status, Some(401));
    assert_eq!(refused.attempts, 1, "a 4xx is not retried");
    let (dead_url, _) = remote(vec![500; 10]).await;
    platform.set_remote(&dead_url);
    let failing = platform.schedule(&forge.installation_id).await;
    assert_eq!(failing.attempts, 1 + jira_sandbox::DELIVERY_RETRIES);
    assert!(!failing.ok());
    // Every attempt carries a token of its own.
    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 4);
    assert_ne!(calls[0].1, calls[1].1);
}

#[tokio::test]
async fn jira_events_of_the_site_reach_the_remote_as_forge_events() {
    let site = common::start().await;
    let (remote_url, seen) = remote(vec![]).await;
    let platform = ForgePlatform::new(&remote_url).unwrap();
    let platform_url = serve_platform(&platform).await;
    let (forge, _) = platform.install(&site.sb.handle).await.unwrap();
    let created = site
        .http
        .post(format!("{}/rest/api/3/issue", site.sb.base_url))
        .header("authorization", &site.auth)
        .json(&json!({"fields": {"project": {"key": "SUP"}, "issuetype": {"id": "10001"}, "summary": "relayed"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let mut event = None;
    for _ in 0..100 {
        event = seen
            .lock()
            .unwrap()
            .iter()
            .find(|(path, ..)| path == "/forge/events")
            .cloned();
        if event.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, fit, _, body) = event.expect("the event was relayed");
    assert_eq!(body["eventType"], "avi:jira:created:issue");
    assert_eq!(body["issue"]["fields"]["summary"], "relayed");
    let claims = verify(&platform_url, platform.app_id(), &fit)
        .await
        .unwrap();
    assert_eq!(
        claims["app"]["installationId"],
        forge.installation_id.as_str()
    );
}
