//! OAuth tokens, Connect JWT, and state that survives a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use common::{start, start_with};
use jira_sandbox::{SandboxConfig, qsh};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn oauth_code_exchange_refresh_rotation_and_bearer_use() {
    let site = start().await;
    let base = site.sb.base_url.clone();
    let (_, code) = site
        .send(
            Method::POST,
            "/_sandbox/oauth/codes",
            Some(json!({"accountId": jira_sandbox::AGENT_ACCOUNT_ID})),
        )
        .await;
    let exchange = |body: Value| {
        site.http
            .post(format!("{base}/oauth/token"))
            .json(&body)
            .send()
    };
    let r = exchange(json!({"grant_type": "authorization_code", "client_id": "sandbox-client", "client_secret": "sandbox-secret", "code": code["code"]})).await.unwrap();
    assert_eq!(r.status(), 200);
    let tokens: Value = r.json().await.unwrap();
    let me: Value = site
        .http
        .get(format!("{base}/rest/api/3/myself"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["accountId"], jira_sandbox::AGENT_ACCOUNT_ID);
    let reused = exchange(json!({"grant_type": "authorization_code", "client_id": "sandbox-client", "client_secret": "sandbox-secret", "code": code["code"]})).await.unwrap();
    assert_eq!(reused.status(), 403, "codes are single-use");
    let refresh = json!({"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "sandbox-secret", "refresh_token": tokens["refresh_token"]});
    assert_eq!(exchange(refresh.clone()).await.unwrap().status(), 200);
    assert_eq!(
        exchange(refresh).await.unwrap().status(),
        403,
        "refresh tokens rotate"
    );
    let bad_client = exchange(json!({"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "wrong"})).await.unwrap();
    assert_eq!(bad_client.status(), 401);
}

fn connect_token(secret: &str, method: &str, path: &str, query: Option<&str>) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"iss": "postroom-app", "iat": now, "exp": now + 60, "qsh": qsh(method, path, query)});
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn connect_jwt_is_bound_to_the_request() {
    let site = start().await;
    let bot = site
        .sb
        .handle
        .install_connect_app("postroom-app", "client-1", "shh");
    let base = &site.sb.base_url;
    let token = connect_token("shh", "GET", "/rest/api/3/myself", None);
    let r = site
        .http
        .get(format!("{base}/rest/api/3/myself"))
        .header("authorization", format!("JWT {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["accountId"], bot);
    let r = site
        .http
        .get(format!("{base}/rest/api/3/serverInfo?x=1&jwt={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "serverInfo is public anyway");
    let other_path = site
        .http
        .get(format!("{base}/rest/api/3/field"))
        .header("authorization", format!("JWT {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_path.status(),
        401,
        "qsh binds the token to one request"
    );
    let q = "fields=summary";
    let token = connect_token("shh", "GET", "/rest/api/3/project/SUP", Some(q));
    let r = site
        .http
        .get(format!("{base}/rest/api/3/project/SUP?{q}&jwt={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let forged = connect_token("wrong", "GET", "/rest/api/3/myself", None);
    let r = site
        .http
        .get(format!("{base}/rest/api/3/myself"))
        .header("authorization", format!("JWT {forged}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        state_file: Some(dir.path().join("data/sandbox.json")),
        ..Default::default()
    };
    let site = start_with(config.clone()).await;
    let key = site.create("persisted").await;
    site.sb.shutdown().await;
    let again = start_with(config).await;
    let (status, issue) = again
        .send(Method::GET, &format!("/rest/api/3/issue/{key}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(issue["fields"]["summary"], "persisted");
    assert_eq!(again.create("next").await, "SUP-2", "counters persist too");
}
