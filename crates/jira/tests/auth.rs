//! Every auth mode against the sandbox, and Connect JWTs that must fail when tampered with.

#![allow(clippy::unwrap_used, clippy::expect_used)] // shared scenarios are async fns, not #[test] fns

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use jira_sandbox::{Credentials, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET};
use postroom_core::connect_jwt::{CanonicalRequest, ConnectClaims, parse_query, sign};
use postroom_core::ports::tracker::{Dialect, Tracker, TrackerError};
use postroom_jira::{Auth, OAuthTokens, Secret};
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

fn install(site: &common::Site) -> Auth {
    site.handle
        .install_connect_app("postroom", "client-1", "connect-shared-secret");
    Auth::Connect {
        app_key: "postroom".into(),
        shared_secret: Secret::new("connect-shared-secret"),
    }
}

#[tokio::test]
async fn connect_jwt_signed_by_the_client_verifies_also_under_a_context_path() {
    for ctx in ["", "/jira"] {
        let site = common::start(ctx).await;
        let auth = install(&site);
        let jira = common::client(&site, Dialect::CloudV3, auth, common::fast()).await;
        let projects = jira.projects(false).await.unwrap();
        assert!(projects.iter().any(|p| p.key == "SUP"));
        // a query with repeated, encoded parameters
        let issue = jira.get_issue("SUP-1", &["summary", "status"]).await;
        assert!(
            matches!(issue, Ok(_) | Err(TrackerError::NotFound { .. })),
            "{issue:?}"
        );
        assert_eq!(
            site.handle.stats().effect("jwt_rejected"),
            0,
            "context path {ctx:?}"
        );
    }
}

fn token(method: &str, path: &str, query: &str, exp_in: i64) -> String {
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let qsh = CanonicalRequest::new(method, "", path, &parse_query(query)).qsh();
    let claims = ConnectClaims {
        iss: "postroom".into(),
        iat: now - 700,
        exp: now + exp_in,
        qsh,
        sub: None,
    };
    sign(&claims, b"connect-shared-secret").unwrap()
}

#[tokio::test]
async fn tampered_connect_requests_are_refused() {
    let site = common::start("").await;
    install(&site);
    let http = reqwest::Client::new();
    let send = |path: &'static str, query: &'static str, jwt: String| {
        let http = http.clone();
        let url = format!("{}{path}?{query}", site.base_url);
        async move {
            http.get(url)
                .header("authorization", format!("JWT {jwt}"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let good = token(
        "GET",
        "/rest/api/3/project",
        "expand=description&a=1&a=2",
        60,
    );
    assert_eq!(
        send(
            "/rest/api/3/project",
            "a=2&expand=description&a=1",
            good.clone()
        )
        .await,
        200
    );
    assert_eq!(
        send(
            "/rest/api/3/myself",
            "a=2&expand=description&a=1",
            good.clone()
        )
        .await,
        401,
        "other path"
    );
    assert_eq!(
        send("/rest/api/3/project", "a=3&expand=description&a=1", good).await,
        401,
        "other query"
    );
    // beyond any clock-skew leeway (the sandbox allows 60 s, like jsonwebtoken by default)
    let expired = token("GET", "/rest/api/3/project", "", -600);
    assert_eq!(
        send("/rest/api/3/project", "", expired).await,
        401,
        "expired"
    );
    assert!(site.handle.stats().effect("jwt_rejected") >= 3);
}
