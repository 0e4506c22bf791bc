//! OAuth tokens, Forge app tokens, and state that survives a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use common::{start, start_with};
use jira_sandbox::SandboxConfig;
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

#[tokio::test]
async fn forge_tokens_act_as_the_app_or_the_user_until_they_expire_or_the_app_goes() {
    let site = start().await;
    let handle = &site.sb.handle;
    let base = &site.sb.base_url;
    let forge = handle.install_forge_app("ari:cloud:ecosystem::app/postroom-test");
    assert_eq!(forge.cloud_id, handle.cloud_id());
    let myself = |token: String| {
        let http = site.http.clone();
        let url = format!("{base}/rest/api/3/myself");
        async move {
            let r = http.get(url).bearer_auth(token).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let hour = std::time::Duration::from_secs(3600);
    let (system, expires) = handle
        .grant_forge_token(&forge.installation_id, None, hour)
        .unwrap();
    assert!(expires > 0);
    let (status, me) = myself(system.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        me["accountId"],
        forge.app_account_id.as_str(),
        "the app acts as itself"
    );
    let (user, _) = handle
        .grant_forge_token(
            &forge.installation_id,
            Some(jira_sandbox::AGENT_ACCOUNT_ID),
            hour,
        )
        .unwrap();
    let (_, me) = myself(user).await;
    assert_eq!(
        me["accountId"],
        jira_sandbox::AGENT_ACCOUNT_ID,
        "a user token acts as the user"
    );
    let (short, _) = handle
        .grant_forge_token(
            &forge.installation_id,
            None,
            std::time::Duration::from_millis(1),
        )
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(myself(short).await.0, 401, "an expired token is refused");
    assert!(
        handle
            .grant_forge_token("ari:cloud:ecosystem::installation/nowhere", None, hour)
            .is_none(),
        "no token for an installation that does not exist"
    );
    handle.uninstall_forge_app(&forge.installation_id);
    assert_eq!(myself(system).await.0, 401, "uninstalling ends every token");
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
