//! Search over HTTP: token paging, field selection, v2 search, refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use common::{adf, start, start_with};
use jira_sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn search_jql_pages_with_next_page_token() {
    let site = start().await;
    for n in 0..5 {
        site.create(&format!("item {n}")).await;
    }
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut q = json!({"jql": "project = SUP ORDER BY created ASC", "maxResults": 2, "fields": ["summary"]});
        if let Some(t) = &token {
            q["nextPageToken"] = json!(t);
        }
        let (status, page) = site
            .send(Method::POST, "/rest/api/3/search/jql", Some(q))
            .await;
        assert_eq!(status, 200, "{page}");
        keys.extend(
            page["issues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["key"].as_str().unwrap().to_owned()),
        );
        if page["isLast"] == true {
            assert!(page.get("nextPageToken").is_none());
            break;
        }
        token = page["nextPageToken"].as_str().map(str::to_owned);
    }
    assert_eq!(keys, vec!["SUP-1", "SUP-2", "SUP-3", "SUP-4", "SUP-5"]);
    let (status, _) = site
        .send(
            Method::POST,
            "/rest/api/3/search/jql",
            Some(json!({"jql": "project = SUP", "nextPageToken": "bogus"})),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn search_returns_comments_when_asked_and_ids_by_default() {
    let site = start().await;
    let key = site.create("with comment").await;
    site.send(
        Method::POST,
        &format!("/rest/api/3/issue/{key}/comment"),
        Some(json!({"body": adf("first")})),
    )
    .await;
    let (_, bare) = site
        .send(
            Method::GET,
            "/rest/api/3/search/jql?jql=project%3DSUP",
            None,
        )
        .await;
    assert!(bare["issues"][0].get("fields").is_none());
    let (_, full) = site
        .send(
            Method::POST,
            "/rest/api/3/search/jql",
            Some(json!({"jql": "project = SUP", "fields": ["summary", "comment"]})),
        )
        .await;
    assert_eq!(full["issues"][0]["fields"]["comment"]["total"], 1);
    assert_eq!(
        full["issues"][0]["fields"]["comment"]["comments"][0]["body"]["type"],
        "doc"
    );
    let (status, v2) = site
        .send(Method::GET, "/rest/api/2/search?jql=project%3DSUP", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(v2["total"], 1);
    assert_eq!(
        v2["issues"][0]["fields"]["comment"]["comments"][0]["body"],
        "first"
    );
}

#[tokio::test]
async fn unsupported_and_invalid_jql_answer_400_never_empty() {
    let site = start().await;
    site.create("x").await;
    for jql in [
        "project = SUP AND NOT summary ~ x",
        "colour = red",
        "project SUP",
        "assignee IS EMPTY",
        "",
    ] {
        let (status, body) = site
            .send(
                Method::POST,
                "/rest/api/3/search/jql",
                Some(json!({"jql": jql})),
            )
            .await;
        assert_eq!(status, 400, "{jql}: {body}");
        assert!(body["errorMessages"][0].is_string(), "{body}");
    }
    let (status, _) = site
        .send(
            Method::POST,
            "/rest/api/3/search",
            Some(json!({"jql": "project = SUP"})),
        )
        .await;
    assert_eq!(status, 410, "v3 /search was removed by Atlassian");
}

#[tokio::test]
async fn property_jql_works_only_for_declared_keys() {
    let config = SandboxConfig {
        indexed_properties: vec!["postroom".into()],
        ..Default::default()
    };
    let site = start_with(config).await;
    let mut body = common::issue_body("idempotent");
    body["properties"] =
        json!([{"key": "postroom", "value": {"idem": "abc"}}, {"key": "other", "value": {"x": 1}}]);
    let (status, created) = site
        .send(Method::POST, "/rest/api/3/issue", Some(body))
        .await;
    assert_eq!(status, 201, "{created}");
    let q = json!({"jql": "project = SUP AND creator = currentUser() AND created >= -15m AND issue.property[postroom].idem = abc", "properties": ["postroom"]});
    let (_, hit) = site
        .send(Method::POST, "/rest/api/3/search/jql", Some(q))
        .await;
    assert_eq!(hit["issues"][0]["properties"]["postroom"]["idem"], "abc");
    let (status, _) = site
        .send(
            Method::POST,
            "/rest/api/3/search/jql",
            Some(json!({"jql": "issue.property[other].x = 1"})),
        )
        .await;
    assert_eq!(status, 400);
}
