#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The console's edge in-process: the page and its policy, one-time links, sessions and
//! their CSRF token, sign-out, and signing in through the sandbox's OAuth 2.0 (3LO) — an
//! account of this site gets in with its role, an account of another site gets 403.

mod console_support;

use console_support::{Console, Who, set_cookie};
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION};
use serde_json::{Value, json};

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy_and_no_inline_script() {
    let console = Console::start().await;
    let page = console
        .http
        .get(format!("{}/", console.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    for directive in [
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'self'",
        "default-src 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(
        // Relative, so that the same file works at `/`, at `/agent` and inside Jira.
        html.contains(r#"<script type="module" crossorigin src="./assets/console.js">"#),
        "{html}"
    );
    assert_eq!(
        html.matches("<script").count(),
        1,
        "one script, from a file: {html}"
    );
    assert!(!html.contains("style="), "no inline style: {html}");
    for (path, kind) in [
        ("/assets/console.js", "text/javascript"),
        ("/assets/console.css", "text/css"),
    ] {
        let asset = console
            .http
            .get(format!("{}{path}", console.base))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), 200, "{path}");
        assert!(
            asset.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert!(asset.headers().contains_key(CONTENT_SECURITY_POLICY));
        assert_eq!(asset.headers()["vary"], "accept-encoding");
        assert!(!asset.headers().contains_key("content-encoding"));
        let plain = asset.bytes().await.unwrap().len();
        let packed = console
            .http
            .get(format!("{}{path}", console.base))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(packed.headers()["content-encoding"], "gzip", "{path}");
        assert!(packed.headers().contains_key(CONTENT_SECURITY_POLICY));
        assert!(packed.bytes().await.unwrap().len() * 2 < plain, "{path}");
    }
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_one_time_link_signs_in_once_and_never_reaches_the_access_log() {
    let console = Console::start().await;
    let token = console.link(Who::Admin).await;
    let url = format!("{}/api/v1/session/link", console.base);
    let first = console
        .http
        .post(&url)
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let cookie = set_cookie(&first, "postroom_session").unwrap();
    let raw = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    assert!(!raw.contains("Secure"), "plain http: no Secure flag: {raw}");
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["role"], "admin");
    let again = console
        .http
        .post(&url)
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 403, "a link works once");
    let me = console
        .get(&format!("{}/api/v1/session", console.base), &cookie)
        .await;
    assert_eq!(me.status(), 200);
    let routes: Vec<(String,)> = sqlx::query_as("SELECT route FROM access_log")
        .fetch_all(console.store.store.db().pool())
        .await
        .unwrap();
    assert!(
        routes.iter().any(|(r,)| r == "/api/v1/session/link"),
        "{routes:?}"
    );
    assert!(routes.iter().all(|(r,)| !r.contains("pl_")), "{routes:?}");
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_request_without_its_csrf_token_is_refused_and_changes_nothing() {
    let console = Console::start().await;
    let (cookie, csrf) = console.session(Who::Admin).await;
    let signout = format!("{}/api/v1/session/signout", console.base);
    for header in [None, Some("0".repeat(64))] {
        let mut request = console.http.post(&signout).header(COOKIE, &cookie);
        if let Some(value) = &header {
            request = request.header("X-CSRF-Token", value);
        }
        assert_eq!(request.send().await.unwrap().status(), 403, "{header:?}");
    }
    let whoami = format!("{}/api/v1/whoami", console.base);
    let still = console.get(&whoami, &cookie).await;
    assert_eq!(still.status(), 200, "the refused sign-out ended nothing");

    let out = console
        .http
        .post(&signout)
        .header(COOKIE, &cookie)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(
        set_cookie(&out, "postroom_session").as_deref(),
        Some("postroom_session=")
    );
    let after = console.get(&whoami, &cookie).await;
    assert_eq!(after.status(), 401, "a session is useless after sign-out");
    console.sandbox.shutdown().await;
}

/// Follows the OAuth flow as a browser would, choosing `account` on the sandbox's consent
/// page; returns the callback's response.
async fn sign_in_through_jira(console: &Console, account: &str) -> reqwest::Response {
    let start = console
        .http
        .get(format!("{}/auth/signin", console.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let flow = set_cookie(&start, "postroom_oauth").unwrap();
    let authorize = start.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    let consent = console.http.get(&authorize).send().await.unwrap();
    assert_eq!(consent.status(), 200);
    let page = consent.text().await.unwrap();
    assert!(page.contains(account), "the consent page offers {account}");
    let query = authorize.split_once('?').unwrap().1;
    let mut form: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    form.push(("account_id".to_owned(), account.to_owned()));
    form.push(("decision".to_owned(), "accept".to_owned()));
    let answered = console
        .http
        .post(authorize.split_once('?').unwrap().0)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encode(&form))
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_redirection(), "{}", answered.status());
    let callback = answered.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(
        callback.starts_with(&format!("{}/auth/callback?code=", console.base)),
        "{callback}"
    );
    console
        .http
        .get(callback)
        .header(COOKIE, flow)
        .send()
        .await
        .unwrap()
}

/// Who the session that a sign-in's answer set speaks for (`GET /api/v1/session`).
async fn signed_in(console: &Console, done: &reqwest::Response) -> Value {
    let cookie = set_cookie(done, "postroom_session").unwrap();
    console
        .http
        .get(format!("{}/api/v1/session", console.base))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn encode(form: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish()
}

#[tokio::test]
async fn signing_in_through_jira_lets_this_sites_accounts_in_with_their_role() {
    let console = Console::start().await;
    for (who, role) in [
        (Who::Admin, "admin"),
        (Who::ProjectAdmin, "project_admin"),
        (Who::Agent, "agent"),
    ] {
        let done = sign_in_through_jira(&console, console.account(who)).await;
        assert_eq!(done.status(), 303, "{who:?}");
        assert_eq!(done.headers()[LOCATION], "/#/");
        let me = signed_in(&console, &done).await;
        assert_eq!(me["role"], role, "{who:?}: {me}");
        if who == Who::ProjectAdmin {
            assert_eq!(me["projects"], json!(["SUP"]));
        }
    }
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_account_of_another_site_is_refused_with_403() {
    let console = Console::start().await;
    let refused = sign_in_through_jira(&console, jira_sandbox::OUTSIDER_ACCOUNT_ID).await;
    assert_eq!(refused.status(), 403);
    assert!(set_cookie(&refused, "postroom_session").is_none());
    let page = refused.text().await.unwrap();
    assert!(page.contains("no access to"), "{page}");

    // A callback whose state is not the browser's own is refused too.
    let forged = console
        .http
        .get(format!("{}/auth/callback?code=x&state=y", console.base))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(set_cookie(&forged, "postroom_session").is_none());
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn markup_in_a_mail_is_shown_only_in_a_sandboxed_frame() {
    let console = Console::start().await;
    let (cookie, csrf) = console.session(Who::Admin).await;
    let raw = "From: Mallory <m@example.net>\r\nTo: support@example.com\r\n\
               Subject: <img src=x onerror=alert(1)>\r\nMessage-ID: <markup@example.net>\r\n\
               Content-Type: text/html; charset=utf-8\r\n\r\n\
               <p>Hi</p><script>alert(2)</script>\r\n";
    let taken: Value = console
        .http
        .post(format!("{}/api/v1/mail", console.base))
        .header(COOKIE, &cookie)
        .header("X-CSRF-Token", &csrf)
        .header("Content-Type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = taken["id"].as_str().unwrap();
    let html = console
        .get(&format!("{}/api/v1/audit/{id}/html", console.base), &cookie)
        .await;
    assert_eq!(html.status(), 200);
    let policy = html.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("sandbox;"), "{policy}");
    assert!(
        policy.contains("default-src 'none'") && !policy.contains("script-src"),
        "{policy}"
    );
    assert!(html.text().await.unwrap().contains("<p>Hi</p>"));
    let no_profile = console
        .http
        .post(format!("{}/api/v1/audit/{id}/testcase", console.base))
        .header(COOKIE, &cookie)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_profile.status(),
        409,
        "a test case needs the tenant's profile"
    );

    // Without the session's CSRF token the upload is refused and nothing is taken in.
    let refused = console
        .http
        .post(format!("{}/api/v1/mail", console.base))
        .header(COOKIE, &cookie)
        .header("Content-Type", "message/rfc822")
        .body(raw.replace("markup@", "other@"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let listed: Value = console
        .get(&format!("{}/api/v1/audit", console.base), &cookie)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["entries"].as_array().unwrap().len(), 1, "{listed}");
    console.sandbox.shutdown().await;
}

#[tokio::test]
async fn signing_in_through_jira_data_centers_provider_reads_the_account_from_myself() {
    let console = Console::start_with(postroom::config::OauthProvider::DataCenter).await;
    let done = sign_in_through_jira(&console, console.account(Who::ProjectAdmin)).await;
    assert_eq!(done.status(), 303);
    let me = signed_in(&console, &done).await;
    assert_eq!(me["account_id"], console.account(Who::ProjectAdmin));
    assert_eq!(me["role"], "project_admin");
    console.sandbox.shutdown().await;
}

/// Revokes every OAuth token of `account` at the sandbox, as the person does under
/// "Connected apps" of their Atlassian account.
async fn revoke_grants(console: &Console, account: &str) {
    let revoked: Value = console
        .http
        .post(format!(
            "{}/_sandbox/oauth/revoke",
            console.sandbox.base_url
        ))
        .header("Authorization", console.sandbox.admin().basic_header())
        .json(&json!({"accountId": account}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(revoked["revoked"].as_u64().unwrap() >= 1, "{revoked}");
}

#[tokio::test]
async fn a_session_ends_when_its_jira_grant_is_revoked() {
    for provider in [
        postroom::config::OauthProvider::Atlassian,
        postroom::config::OauthProvider::DataCenter,
    ] {
        let console = Console::start_checking_grants(provider).await;
        let session_url = format!("{}/api/v1/session", console.base);
        let agent = console.account(Who::Agent).to_owned();
        let admin = console.account(Who::Admin).to_owned();
        let done = sign_in_through_jira(&console, &agent).await;
        assert_eq!(done.status(), 303, "{provider:?}");
        let cookie = set_cookie(&done, "postroom_session").unwrap();
        let other = sign_in_through_jira(&console, &admin).await;
        let other_cookie = set_cookie(&other, "postroom_session").unwrap();
        // A one-time link's session of the same account has no grant to lose.
        let (linked, _) = console.session(Who::Agent).await;

        // Each request confirms the grant, which rotates the refresh token: the session
        // stands request after request.
        for _ in 0..3 {
            let me = console.get(&session_url, &cookie).await;
            assert_eq!(me.status(), 200, "{provider:?}");
        }

        revoke_grants(&console, &agent).await;
        let refused = console.get(&session_url, &cookie).await;
        assert_eq!(
            refused.status(),
            401,
            "{provider:?}: the revoked grant ends it"
        );
        // Ended for good, not refused once: the row is gone.
        let left = console
            .tenant()
            .await
            .console()
            .claim_check(cookie.trim_start_matches("postroom_session="), 0, 1)
            .await
            .unwrap();
        assert!(!left, "{provider:?}: the session's row is deleted");
        assert_eq!(console.get(&session_url, &cookie).await.status(), 401);
        assert_eq!(
            console.get(&session_url, &other_cookie).await.status(),
            200,
            "{provider:?}: another account's session stands"
        );
        assert_eq!(console.get(&session_url, &linked).await.status(), 200);
        console.sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn the_grant_is_confirmed_at_most_once_per_check_period() {
    // The default period (5 minutes): a revoked grant is noticed at the next check, not on
    // every request — so the provider is asked once per session and period.
    let console = Console::start().await;
    let session_url = format!("{}/api/v1/session", console.base);
    let agent = console.account(Who::Agent).to_owned();
    let done = sign_in_through_jira(&console, &agent).await;
    let cookie = set_cookie(&done, "postroom_session").unwrap();
    revoke_grants(&console, &agent).await;
    assert_eq!(console.get(&session_url, &cookie).await.status(), 200);

    // Once the period has passed (moved back here), the next request asks and ends it.
    let secret = cookie.trim_start_matches("postroom_session=");
    let tenant = console.tenant().await;
    let session = console
        .store
        .store
        .console_session(
            secret,
            postroom::http::ConsoleSettings::default().policy,
            postroom::app::now_ms(),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        tenant
            .console()
            .claim_check(
                secret,
                session.checked_at_ms,
                session.checked_at_ms - 6 * 60 * 1000
            )
            .await
            .unwrap()
    );
    assert_eq!(console.get(&session_url, &cookie).await.status(), 401);
    console.sandbox.shutdown().await;
}
