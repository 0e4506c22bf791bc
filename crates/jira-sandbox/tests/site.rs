//! Black-box checks of the sandbox over HTTP, as a Jira client sees it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use common::{Site, adf, issue_body, start};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_endpoint_but_server_info_needs_credentials() {
    let site = start().await;
    let base = &site.sb.base_url;
    let anon = reqwest::Client::new();
    let r = anon
        .post(format!("{base}/rest/api/3/issue"))
        .json(&issue_body("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["errorMessages"][0]
            .as_str()
            .unwrap()
            .contains("not authenticated")
    );
    for path in [
        "/rest/api/2/myself",
        "/rest/api/3/search/jql?jql=project=SUP",
        "/_sandbox/stats",
        "/no/such/path",
    ] {
        assert_eq!(
            anon.get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .status(),
            401,
            "{path}"
        );
    }
    let wrong = anon
        .get(format!("{base}/rest/api/3/myself"))
        .basic_auth("admin@example.com", Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let info = anon
        .get(format!("{base}/rest/api/3/serverInfo"))
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 200);
    assert_eq!(site.sb.handle.stats().effect("issue_created"), 0);
}

#[tokio::test]
async fn basic_pat_and_agent_credentials_identify_the_account() {
    let site = start().await;
    let (status, me) = site.send(Method::GET, "/rest/api/3/myself", None).await;
    assert_eq!(status, 200);
    assert_eq!(me["accountId"], jira_sandbox::ADMIN_ACCOUNT_ID);
    assert!(me.get("emailAddress").is_none(), "e-mail hidden by default");
    let pat = site
        .http
        .get(format!("{}/rest/api/2/myself", site.sb.base_url))
        .bearer_auth(jira_sandbox::AGENT_PAT)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = pat.json().await.unwrap();
    assert_eq!(me["accountId"], jira_sandbox::AGENT_ACCOUNT_ID);
}

#[tokio::test]
async fn create_get_and_reject_string_description_on_v3() {
    let site = start().await;
    let key = site.create("Printer on fire").await;
    assert_eq!(key, "SUP-1");
    let (status, issue) = site
        .send(Method::GET, &format!("/rest/api/3/issue/{key}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(issue["fields"]["summary"], "Printer on fire");
    assert_eq!(issue["fields"]["description"]["type"], "doc");
    assert_eq!(issue["fields"]["status"]["name"], "Open");
    let (_, v2) = site
        .send(
            Method::GET,
            &format!("/rest/api/2/issue/{key}?fields=description"),
            None,
        )
        .await;
    assert_eq!(v2["fields"]["description"], "It does not work.");
    assert!(v2["fields"].get("summary").is_none());

    let mut bad = issue_body("x");
    bad["fields"]["description"] = json!("plain text");
    let (status, err) = site
        .send(Method::POST, "/rest/api/3/issue", Some(bad.clone()))
        .await;
    assert_eq!(status, 400);
    assert!(
        err["errors"]["description"]
            .as_str()
            .unwrap()
            .contains("Atlassian Document")
    );
    let (status, _) = site
        .send(Method::POST, "/rest/api/2/issue", Some(bad))
        .await;
    assert_eq!(status, 201, "v2 takes wiki strings");
    assert_eq!(site.sb.handle.stats().effect("issue_created"), 2);
}

#[tokio::test]
async fn create_reports_every_bad_field_and_malformed_json() {
    let site = start().await;
    let (status, err) = site
        .send(
            Method::POST,
            "/rest/api/3/issue",
            Some(json!({"fields": {"project": {"key": "SUP"}, "colour": "red"}})),
        )
        .await;
    assert_eq!(status, 400);
    for field in ["summary", "issuetype", "colour"] {
        assert!(err["errors"].get(field).is_some(), "{field} in {err}");
    }
    let (status, err) = site
        .send(
            Method::POST,
            "/rest/api/3/issue",
            Some(json!({"fields": {"project": {"key": "NOPE"}}})),
        )
        .await;
    assert_eq!((status, err["errors"]["project"].is_string()), (400, true));
    let r = site
        .req(Method::POST, "/rest/api/3/issue")
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (status, _) = site
        .send(Method::GET, "/rest/api/3/issue/SUP-404", None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn comments_carry_jsd_visibility_and_properties() {
    let site = start().await;
    let key = site.create("Help").await;
    let body = json!({"body": adf("internal note"), "properties": [{"key": "sd.public.comment", "value": {"internal": true}}]});
    let (status, c) = site
        .send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/comment?expand=properties"),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["jsdPublic"], false);
    assert_eq!(c["properties"][0]["key"], "sd.public.comment");
    let restricted = json!({"body": adf("agents only"), "visibility": {"type": "role", "value": "Service Desk Team"}});
    let (status, _) = site
        .send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/comment"),
            Some(restricted),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = site
        .send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/comment"),
            Some(json!({"body": "text"})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, list) = site
        .send(
            Method::GET,
            &format!("/rest/api/2/issue/{key}/comment"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 2);
    assert_eq!(list["comments"][0]["body"], "internal note");
    assert_eq!(
        list["comments"][1]["visibility"]["value"],
        "Service Desk Team"
    );
    let cid = list["comments"][0]["id"].as_str().unwrap().to_owned();
    let (status, prop) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/comment/{cid}/properties/sd.public.comment"),
            None,
        )
        .await;
    assert_eq!(
        (status, prop["value"]["internal"].as_bool()),
        (200, Some(true))
    );
}

#[tokio::test]
async fn entity_properties_transitions_and_watchers() {
    let site = start().await;
    let key = site.create("Props").await;
    let path = format!("/rest/api/3/issue/{key}/properties/postroom");
    let (status, _) = site
        .send(Method::PUT, &path, Some(json!({"idem": "<m1@x>"})))
        .await;
    assert_eq!(status, 201);
    let (status, _) = site
        .send(Method::PUT, &path, Some(json!({"idem": "<m2@x>"})))
        .await;
    assert_eq!(status, 200);
    let (_, got) = site.send(Method::GET, &path, None).await;
    assert_eq!(got["value"]["idem"], "<m2@x>");
    let (status, _) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{key}/properties/none"),
            None,
        )
        .await;
    assert_eq!(status, 404);

    let (_, t) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{key}/transitions"),
            None,
        )
        .await;
    let names: Vec<_> = t["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains(&"Start progress".to_owned()) && !names.contains(&"Reopen".to_owned()),
        "{names:?}"
    );
    let (status, err) = site
        .send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/transitions"),
            Some(json!({"transition": {"id": "61"}})),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    for id in ["41", "61"] {
        let (status, _) = site
            .send(
                Method::POST,
                &format!("/rest/api/3/issue/{key}/transitions"),
                Some(json!({"transition": {"id": id}})),
            )
            .await;
        assert_eq!(status, 204);
    }
    let (_, issue) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{key}?fields=status,resolution"),
            None,
        )
        .await;
    assert_eq!(issue["fields"]["status"]["name"], "Open");
    assert!(issue["fields"]["resolution"].is_null());

    let (status, _) = site
        .send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/watchers"),
            Some(json!(jira_sandbox::AGENT_ACCOUNT_ID)),
        )
        .await;
    assert_eq!(status, 204);
    let (_, w) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{key}/watchers"),
            None,
        )
        .await;
    assert_eq!(w["watchCount"], 2);
}

#[tokio::test]
async fn user_search_hides_addresses_but_matches_them() {
    let site = start().await;
    let (status, users) = site
        .send(Method::GET, "/rest/api/3/user/search?query=alice@", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert!(users[0].get("emailAddress").is_none());
    let (status, _) = site
        .send(Method::GET, "/rest/api/3/user/search", None)
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn summary_edges_are_refused_like_jira() {
    let site = start().await;
    for (summary, why) in [
        ("x".repeat(256), "too long"),
        ("two\nlines".to_owned(), "newline"),
        ("   ".to_owned(), "blank"),
    ] {
        let (status, err) = site
            .send(
                Method::POST,
                "/rest/api/3/issue",
                Some(issue_body(&summary)),
            )
            .await;
        assert_eq!(status, 400, "{why}");
        assert!(err["errors"]["summary"].is_string(), "{why}: {err}");
    }
    let (status, _) = site
        .send(
            Method::POST,
            "/rest/api/3/issue",
            Some(issue_body(&"é".repeat(255))),
        )
        .await;
    assert_eq!(status, 201, "255 characters, not bytes");
}

#[tokio::test]
async fn restricted_comments_are_hidden_from_non_members() {
    let site = start().await;
    let key = site.create("secret").await;
    let hidden = json!({"body": adf("admins only"), "visibility": {"type": "group", "value": "site-admins"}});
    let (status, c) = site
        .send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/comment"),
            Some(hidden),
        )
        .await;
    assert_eq!(status, 201);
    let agent = jira_sandbox::Credentials::agent().basic_header();
    let get = |path: String| {
        site.http
            .get(format!("{}{path}", site.sb.base_url))
            .header("authorization", agent.clone())
            .send()
    };
    let list: serde_json::Value = get(format!("/rest/api/3/issue/{key}/comment"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    let one = get(format!(
        "/rest/api/3/issue/{key}/comment/{}",
        c["id"].as_str().unwrap()
    ))
    .await
    .unwrap();
    assert_eq!(one.status(), 404);
    let (_, admin_view) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{key}/comment"),
            None,
        )
        .await;
    assert_eq!(admin_view["total"], 1);
    let bad = json!({"body": adf("x"), "visibility": {"type": "group", "value": "no-such-group"}});
    assert_eq!(
        site.send(
            Method::POST,
            &format!("/rest/api/3/issue/{key}/comment"),
            Some(bad)
        )
        .await
        .0,
        400
    );
}

/// `user/viewissue/search` narrowed to one account: that account, or nobody.
async fn may_browse(site: &Site, key: &str, account: &str) -> bool {
    let (status, users) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/user/viewissue/search?issueKey={key}&accountId={account}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{users}");
    users
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["accountId"] == account)
}

#[tokio::test]
async fn who_may_browse_an_issue_follows_the_projects_permission_scheme() {
    let site = start().await;
    let key = site.create("Browse check").await;
    let developer = jira_sandbox::DEVELOPER_ACCOUNT_ID;
    let agent = jira_sandbox::AGENT_ACCOUNT_ID;
    assert!(may_browse(&site, &key, developer).await, "default scheme");
    assert!(may_browse(&site, &key, agent).await);

    let (status, scheme) = site
        .send(
            Method::PUT,
            "/rest/api/3/project/SUP/permissionscheme",
            Some(json!({"id": 10_001})),
        )
        .await;
    assert_eq!(status, 200, "{scheme}");
    assert_eq!(scheme["name"], "Private project scheme");
    assert!(
        !may_browse(&site, &key, developer).await,
        "in no project role"
    );
    assert!(may_browse(&site, &key, agent).await, "in the agents' role");
    assert!(
        !may_browse(&site, &key, "qm:0b5e0000-0000-4000-8000-000000000101").await,
        "a customer sees only their own requests"
    );

    let (status, _) = site
        .send(
            Method::PUT,
            "/rest/api/3/project/SUP/permissionscheme",
            Some(json!({"id": 4242})),
        )
        .await;
    assert_eq!(status, 404, "an unknown scheme");
    let (status, _) = site
        .send(
            Method::GET,
            "/rest/api/3/user/viewissue/search?accountId=x",
            None,
        )
        .await;
    assert_eq!(status, 400, "an issue or a project is required");
    let (status, _) = site
        .send(
            Method::GET,
            "/rest/api/3/user/viewissue/search?issueKey=SUP-999999",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let agent_auth = jira_sandbox::Credentials::agent().basic_header();
    let refused = site
        .http
        .put(format!(
            "{}/rest/api/3/project/SUP/permissionscheme",
            site.sb.base_url
        ))
        .header("authorization", agent_auth)
        .json(&json!({"id": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403, "administrators only");
}
