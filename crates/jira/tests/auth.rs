//! Every auth mode against the sandbox, and a Forge app's system token that must wait while
//! it has none and stop using one Jira refuses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // shared scenarios are async fns, not #[test] fns

mod common;

use std::time::Duration;

use jira_sandbox::{Credentials, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET};
use postroom_core::ports::tracker::{Dialect, Tracker, TrackerError};
use postroom_jira::{Auth, FORGE_TOKEN_WAIT, OAuthTokens, Secret, SystemToken};
use serde_json::{Value, json};

#[tokio::test]
async fn personal_access_token_on_data_center() {
    let site = common::start("").await;
    let auth = Auth::PersonalAccessToken(Secret::new(Credentials::agent().pat));
    let jira = common::client(&site, Dialect::DataCenterV2, auth, common::fast()).await;
    assert_eq!(
        jira.myself().await.unwrap().account_id,
        jira_sandbox::AGENT_ACCOUNT_ID
    );
}

#[tokio::test]
async fn wrong_credentials_are_a_permanent_error() {
    let site = common::start("").await;
    let auth = Auth::ApiToken {
        email: jira_sandbox::ADMIN_EMAIL.into(),
        token: Secret::new("wrong"),
    };
    let jira = common::client(&site, Dialect::CloudV3, auth, common::fast()).await;
    let err = jira.myself().await.unwrap_err();
    assert!(
        matches!(err, TrackerError::Permanent { status: 401, .. }),
        "{err:?}"
    );
}

async fn oauth_code(site: &common::Site) -> Value {
    let http = reqwest::Client::new();
    let admin = Credentials::admin().basic_header();
    let code: Value = http
        .post(format!("{}/_sandbox/oauth/codes", site.base_url))
        .header("authorization", admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.post(format!("{}/oauth/token", site.base_url))
        .json(&json!({
            "grant_type": "authorization_code", "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET, "code": code["code"],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn oauth_access_token_is_refreshed_when_jira_refuses_it() {
    let site = common::start("").await;
    let tokens = oauth_code(&site).await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let auth = Auth::OAuth(OAuthTokens {
        access_token: Secret::new("expired-or-revoked"),
        refresh_token: Some(Secret::new(refresh.clone())),
        client_id: OAUTH_CLIENT_ID.into(),
        client_secret: Secret::new(OAUTH_CLIENT_SECRET),
        token_url: format!("{}/oauth/token", site.base_url),
    });
    let jira = common::client(&site, Dialect::CloudV3, auth, common::fast()).await;
    assert_eq!(
        jira.myself().await.unwrap().account_id,
        jira_sandbox::ADMIN_ACCOUNT_ID
    );
    let now = jira.oauth_tokens().unwrap();
    assert_ne!(now.access_token.expose(), "expired-or-revoked");
    assert_ne!(
        now.refresh_token.unwrap().expose(),
        refresh,
        "the rotated refresh token is kept"
    );
}

#[tokio::test]
async fn forge_calls_wait_for_a_system_token_and_drop_one_jira_refuses() {
    let site = common::start("").await;
    let forge = site
        .handle
        .install_forge_app("ari:cloud:ecosystem::app/postroom-test");
    let token = SystemToken::default();
    let mut config =
        postroom_jira::JiraConfig::new(site.base_url.clone(), Auth::Forge(token.clone()));
    config.dialect = Some(Dialect::CloudV3);
    config.politeness = common::fast();
    let jira = postroom_jira::JiraClient::connect(config).await.unwrap();
    let before = site.handle.stats().requests_to("GET /rest/api/3/myself");
    let waiting = jira.myself().await.unwrap_err();
    assert_eq!(waiting.retry_after(), Some(FORGE_TOKEN_WAIT), "{waiting:?}");
    assert_eq!(
        site.handle.stats().requests_to("GET /rest/api/3/myself"),
        before,
        "nothing is sent without a token"
    );
    let hour = Duration::from_secs(3600);
    let (granted, expires) = site
        .handle
        .grant_forge_token(&forge.installation_id, None, hour)
        .unwrap();
    token.offer(Secret::new(granted), expires);
    assert_eq!(
        jira.myself().await.unwrap().account_id,
        forge.app_account_id
    );
    // The site takes the token no more (the app was uninstalled): the call waits again,
    // and the refused token is not sent a second time.
    site.handle.uninstall_forge_app(&forge.installation_id);
    let refused = jira.myself().await.unwrap_err();
    assert_eq!(refused.retry_after(), Some(FORGE_TOKEN_WAIT), "{refused:?}");
    assert!(
        token.expires_at_ms().is_none(),
        "the refused token is dropped"
    );
    let sent = site.handle.stats().requests_to("GET /rest/api/3/myself");
    assert!(jira.myself().await.is_err());
    assert_eq!(
        site.handle.stats().requests_to("GET /rest/api/3/myself"),
        sent
    );
}

#[tokio::test]
async fn a_client_acting_as_a_person_calls_with_their_user_token() {
    let site = common::start("").await;
    let forge = site
        .handle
        .install_forge_app("ari:cloud:ecosystem::app/postroom-test");
    let hour = Duration::from_secs(3600);
    let system = SystemToken::default();
    let (granted, expires) = site
        .handle
        .grant_forge_token(&forge.installation_id, None, hour)
        .unwrap();
    system.offer(Secret::new(granted), expires);
    let mut config =
        postroom_jira::JiraConfig::new(site.base_url.clone(), Auth::Forge(system.clone()));
    config.dialect = Some(Dialect::CloudV3);
    config.politeness = common::fast();
    let app = postroom_jira::JiraClient::connect(config).await.unwrap();

    let user = SystemToken::default();
    let (granted, expires) = site
        .handle
        .grant_forge_token(
            &forge.installation_id,
            Some(jira_sandbox::AGENT_ACCOUNT_ID),
            hour,
        )
        .unwrap();
    user.offer(Secret::new(granted), expires);
    let agent = app.acting_as(Auth::Forge(user));
    assert_eq!(
        agent.myself().await.unwrap().account_id,
        jira_sandbox::AGENT_ACCOUNT_ID,
        "the person's own token"
    );
    assert!(
        app.pace()
            .endpoints
            .iter()
            .any(|e| e.endpoint == "GET /rest/api/3/myself"),
        "one limiter: the app's client paces the call its agent made: {:?}",
        app.pace()
    );
    assert_eq!(
        app.myself().await.unwrap().account_id,
        forge.app_account_id,
        "the app's client is unchanged"
    );
    assert_eq!(agent.dialect(), app.dialect());
}
