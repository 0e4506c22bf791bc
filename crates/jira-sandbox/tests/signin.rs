#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The browser sign-in of a web app, as on Atlassian: the consent page, its redirect with
//! `code` and `state`, the token request that must repeat `redirect_uri` and the PKCE
//! verifier, then `accessible-resources` and `/me` with the access token — for an account of
//! this site and for an account of another site, whose token the site's REST API refuses.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/auth/callback";

fn encode(form: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish()
}

fn authorize_query(challenge: &str) -> String {
    format!(
        "/oauth/authorize?audience=api.atlassian.com&client_id=sandbox-client&scope=read%3Ame\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fauth%2Fcallback&state=s%201\
         &response_type=code&prompt=consent&code_challenge={challenge}&code_challenge_method=S256"
    )
}

/// Consents as `account`; returns the code the redirect carries.
async fn consent(site: &common::Site, account: &str, challenge: &str) -> String {
    let form = [
        ("client_id", "sandbox-client"),
        ("redirect_uri", REDIRECT),
        ("state", "s 1"),
        ("response_type", "code"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("account_id", account),
        ("decision", "accept"),
    ];
    let answer = site
        .http
        .post(format!("{}/oauth/authorize", site.sb.base_url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encode(&form))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let rest = location.strip_prefix(&format!("{REDIRECT}?code=")).unwrap();
    let (code, state) = rest.split_once('&').unwrap();
    assert_eq!(state, "state=s+1", "state comes back as sent");
    code.to_owned()
}

async fn token(site: &common::Site, code: &str, verifier: &str, redirect: &str) -> (u16, Value) {
    let response = site
        .http
        .post(format!("{}/oauth/token", site.sb.base_url))
        .json(
            &json!({"grant_type": "authorization_code", "client_id": "sandbox-client",
                      "client_secret": "sandbox-secret", "code": code,
                      "redirect_uri": redirect, "code_verifier": verifier}),
        )
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn get(site: &common::Site, path: &str, access: &str) -> (u16, Value) {
    let response = site
        .http
        .get(format!("{}{path}", site.sb.base_url))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_account_of_this_site_signs_in_with_pkce_and_reaches_this_site() {
    let site = common::start().await;
    let verifier = "a-verifier-of-forty-three-characters-or-more-000";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let page = site
        .http
        .get(format!(
            "{}{}",
            site.sb.base_url,
            authorize_query(&challenge)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Sandbox Admin") && html.contains("Olive Outsider"),
        "{html}"
    );

    let code = consent(&site, jira_sandbox::ADMIN_ACCOUNT_ID, &challenge).await;
    let (status, body) = token(&site, &code, "the wrong verifier", REDIRECT).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("invalid_grant"))
    );
    let (status, _) = token(&site, &code, verifier, REDIRECT).await;
    assert_eq!(status, 403, "a code is good for one try");

    let code = consent(&site, jira_sandbox::ADMIN_ACCOUNT_ID, &challenge).await;
    let (status, _) = token(&site, &code, verifier, "http://127.0.0.1:9/elsewhere").await;
    assert_eq!(
        status, 403,
        "the redirect_uri must be the authorization request's"
    );

    let code = consent(&site, jira_sandbox::ADMIN_ACCOUNT_ID, &challenge).await;
    let (status, tokens) = token(&site, &code, verifier, REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let (status, resources) = get(&site, "/oauth/token/accessible-resources", access).await;
    assert_eq!(status, 200);
    assert_eq!(resources[0]["url"], site.sb.base_url.as_str());
    assert_eq!(resources[0]["id"], jira_sandbox::SANDBOX_CLOUD_ID);
    let (status, me) = get(&site, "/me", access).await;
    assert_eq!(
        (status, me["account_id"].as_str()),
        (200, Some(jira_sandbox::ADMIN_ACCOUNT_ID))
    );
    let (status, _) = get(
        &site,
        "/oauth/token/accessible-resources",
        "sbx-at-nonsense",
    )
    .await;
    assert_eq!(status, 401);
    site.sb.shutdown().await;
}

#[tokio::test]
async fn an_account_of_another_site_reaches_only_that_site() {
    let site = common::start().await;
    let verifier = "another-verifier-of-forty-three-characters-000";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let code = consent(&site, jira_sandbox::OUTSIDER_ACCOUNT_ID, &challenge).await;
    let (status, tokens) = token(&site, &code, verifier, REDIRECT).await;
    assert_eq!(status, 200);
    let access = tokens["access_token"].as_str().unwrap();
    let (_, resources) = get(&site, "/oauth/token/accessible-resources", access).await;
    assert_eq!(
        resources,
        json!([{
        "id": jira_sandbox::OTHER_CLOUD_ID, "url": jira_sandbox::OTHER_SITE_URL,
        "name": "elsewhere", "scopes": ["read:jira-work", "write:jira-work", "read:jira-user", "read:me"],
        "avatarUrl": format!("{}/images/site-avatar.png", jira_sandbox::OTHER_SITE_URL)}])
    );
    let (_, me) = get(&site, "/me", access).await;
    assert_eq!(me["account_id"], jira_sandbox::OUTSIDER_ACCOUNT_ID);
    let (status, _) = get(&site, "/rest/api/3/myself", access).await;
    assert_eq!(
        status, 401,
        "the site's REST API refuses another site's account"
    );
    site.sb.shutdown().await;
}

#[tokio::test]
async fn a_bad_authorization_request_gets_an_error_page_not_a_redirect() {
    let site = common::start().await;
    for query in [
        "/oauth/authorize?client_id=nobody&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&state=x",
        "/oauth/authorize?client_id=sandbox-client&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code&state=x",
        "/oauth/authorize?client_id=sandbox-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=token&state=x",
    ] {
        let response = site.req(Method::GET, query).send().await.unwrap();
        assert_eq!(response.status(), 400, "{query}");
        assert!(response.headers().get("location").is_none());
    }
    let denied = site
        .http
        .post(format!("{}/oauth/authorize", site.sb.base_url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encode(&[
            ("client_id", "sandbox-client"),
            ("redirect_uri", REDIRECT),
            ("state", "x"),
            ("response_type", "code"),
            ("decision", "deny"),
        ]))
        .send()
        .await
        .unwrap();
    let location = denied.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{REDIRECT}?error=access_denied")),
        "{location}"
    );
    site.sb.shutdown().await;
}

#[tokio::test]
async fn a_site_admin_adds_a_project_administrator() {
    let site = common::start().await;
    let (status, made) = site
        .send(Method::POST, "/_sandbox/accounts",
              Some(json!({"email": "lead@example.com", "displayName": "Lead", "roles": ["Administrators"]})))
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["accountId"].as_str().unwrap();
    let (status, roles) = site
        .send(Method::GET, "/rest/api/3/project/SUP/role/10002", None)
        .await;
    assert_eq!(status, 200);
    assert!(roles.to_string().contains(id), "{roles}");
    let (status, _) = site
        .send(
            Method::POST,
            "/_sandbox/accounts",
            Some(json!({"email": "lead@example.com", "displayName": "Lead"})),
        )
        .await;
    assert_eq!(status, 409);
    site.sb.shutdown().await;
}
