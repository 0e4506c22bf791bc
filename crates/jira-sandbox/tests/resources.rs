//! Attachments, links, metadata, groups and roles, Service Management.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use common::start;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

#[tokio::test]
async fn attachment_upload_needs_xsrf_header_and_content_redirects_to_media() {
    let site = start().await;
    let key = site.create("with file").await;
    let form = || {
        Form::new().part(
            "file",
            Part::bytes(b"hello file".to_vec())
                .file_name("a.txt")
                .mime_str("text/plain")
                .unwrap(),
        )
    };
    let path = format!("/rest/api/3/issue/{key}/attachments");
    let r = site
        .req(Method::POST, &path)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = site
        .req(Method::POST, &path)
        .header("X-Atlassian-Token", "no-check")
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    let id = list[0]["id"].as_str().unwrap().to_owned();
    assert!(id.parse::<u64>().is_ok(), "numeric ids");
    assert_eq!(list[0]["size"], 10);
    let r = site
        .req(Method::GET, &format!("/rest/api/3/attachment/content/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("/_sandbox/media/file/"), "{location}");
    let media = site
        .http
        .get(&location)
        .header("authorization", &site.auth)
        .send()
        .await
        .unwrap();
    assert_eq!(media.bytes().await.unwrap().as_ref(), b"hello file");
    let (_, issue) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{key}?fields=attachment"),
            None,
        )
        .await;
    assert_eq!(issue["fields"]["attachment"][0]["filename"], "a.txt");
}

#[tokio::test]
async fn issue_links_show_on_both_issues() {
    let site = start().await;
    let a = site.create("a").await;
    let b = site.create("b").await;
    let link =
        json!({"type": {"name": "Relates"}, "inwardIssue": {"key": a}, "outwardIssue": {"key": b}});
    assert_eq!(
        site.send(Method::POST, "/rest/api/3/issueLink", Some(link))
            .await
            .0,
        201
    );
    let (_, ia) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{a}?fields=issuelinks"),
            None,
        )
        .await;
    assert_eq!(
        ia["fields"]["issuelinks"][0]["outwardIssue"]["key"],
        b.as_str()
    );
    let (_, ib) = site
        .send(
            Method::GET,
            &format!("/rest/api/3/issue/{b}?fields=issuelinks"),
            None,
        )
        .await;
    assert_eq!(
        ib["fields"]["issuelinks"][0]["inwardIssue"]["key"],
        a.as_str()
    );
    let bad =
        json!({"type": {"name": "Nope"}, "inwardIssue": {"key": a}, "outwardIssue": {"key": b}});
    assert_eq!(
        site.send(Method::POST, "/rest/api/3/issueLink", Some(bad))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn metadata_describes_the_seeded_project() {
    let site = start().await;
    let (_, types) = site
        .send(
            Method::GET,
            "/rest/api/3/issue/createmeta/SUP/issuetypes",
            None,
        )
        .await;
    let names: Vec<_> = types["issueTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Task", "Bug", "Service Request"]);
    let (_, fields) = site
        .send(
            Method::GET,
            "/rest/api/3/issue/createmeta/SUP/issuetypes/10003",
            None,
        )
        .await;
    assert!(
        fields["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "E-mail participants")
    );
    let (_, all) = site.send(Method::GET, "/rest/api/3/field", None).await;
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == jira_sandbox::EMAIL_PARTICIPANTS_FIELD)
    );
    let (_, prios) = site.send(Method::GET, "/rest/api/3/priority", None).await;
    assert_eq!(prios.as_array().unwrap().len(), 5);
    let (_, roles) = site
        .send(Method::GET, "/rest/api/3/project/SUP/role", None)
        .await;
    assert!(roles["Service Desk Team"].is_string());
    let (_, team) = site
        .send(Method::GET, "/rest/api/3/project/SUP/role/10101", None)
        .await;
    assert_eq!(team["actors"].as_array().unwrap().len(), 2);
    let (_, groups) = site
        .send(
            Method::GET,
            &format!(
                "/rest/api/3/user/groups?accountId={}",
                jira_sandbox::ADMIN_ACCOUNT_ID
            ),
            None,
        )
        .await;
    assert_eq!(groups.as_array().unwrap().len(), 2);
    let (_, members) = site
        .send(
            Method::GET,
            "/rest/api/3/group/member?groupname=site-admins",
            None,
        )
        .await;
    assert_eq!(members["total"], 1);
    assert_eq!(
        site.send(Method::GET, "/rest/api/3/project/NOPE", None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn service_desk_customers_and_participants() {
    let site = start().await;
    let key = site.create("request").await;
    let (status, customer) = site
        .send(
            Method::POST,
            "/rest/servicedeskapi/customer",
            Some(json!({"email": "dora@customer.example", "displayName": "Dora"})),
        )
        .await;
    assert_eq!(status, 201);
    let id = customer["accountId"].as_str().unwrap().to_owned();
    assert!(customer.get("emailAddress").is_none());
    let (status, _) = site
        .send(
            Method::POST,
            "/rest/servicedeskapi/customer",
            Some(json!({"email": "dora@customer.example"})),
        )
        .await;
    assert_eq!(status, 400, "duplicate customer");
    let path = format!("/rest/servicedeskapi/request/{key}/participant");
    let (status, page) = site
        .send(Method::POST, &path, Some(json!({"accountIds": [id, id]})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["size"], 1);
    let (status, _) = site
        .send(Method::POST, &path, Some(json!({"accountIds": ["nobody"]})))
        .await;
    assert_eq!(status, 400);
    let (_, second) = site
        .send(
            Method::POST,
            "/rest/servicedeskapi/customer",
            Some(json!({"email": "eli@customer.example"})),
        )
        .await;
    site.send(
        Method::POST,
        &path,
        Some(json!({"accountIds": [second["accountId"]]})),
    )
    .await;
    let (_, first) = site
        .send(Method::GET, &format!("{path}?limit=1"), None)
        .await;
    assert_eq!(
        (
            first["values"][0]["accountId"].as_str(),
            &first["isLastPage"]
        ),
        (Some(id.as_str()), &json!(false))
    );
    let (_, rest) = site
        .send(Method::GET, &format!("{path}?start=1&limit=1"), None)
        .await;
    assert_eq!(rest["values"][0]["accountId"], second["accountId"]);
    assert_eq!(rest["isLastPage"], true);
}

#[tokio::test]
async fn edit_applies_update_operations_and_transitions_take_no_fields() {
    let site = start().await;
    let key = site.create("labels").await;
    let path = format!("/rest/api/3/issue/{key}");
    let update = json!({"update": {"labels": [{"add": "mail"}, {"add": "vip"}, {"remove": "vip"}], "summary": [{"set": "renamed"}]}});
    assert_eq!(site.send(Method::PUT, &path, Some(update)).await.0, 204);
    let (_, issue) = site
        .send(Method::GET, &format!("{path}?fields=labels,summary"), None)
        .await;
    assert_eq!(issue["fields"]["labels"], json!(["mail"]));
    assert_eq!(issue["fields"]["summary"], "renamed");
    let (status, err) = site
        .send(
            Method::PUT,
            &path,
            Some(json!({"update": {"summary": [{"add": "x"}]}})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(err["errors"]["summary"].is_string());
    let with_fields =
        json!({"transition": {"id": "41"}, "fields": {"resolution": {"name": "Done"}}});
    let (status, err) = site
        .send(
            Method::POST,
            &format!("{path}/transitions"),
            Some(with_fields),
        )
        .await;
    assert_eq!(status, 400);
    assert!(err["errors"]["resolution"].is_string());
}
