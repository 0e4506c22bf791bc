//! Faithfulness: every request the suite sends and every response the sandbox returns, for
//! every REST v2/v3 endpoint the sandbox serves, is checked against Atlassian's OpenAPI
//! description. v2 exchanges are checked against the v3 schemas (the spec has no v2; its
//! rich-text properties are untyped, so wiki strings fit where ADF objects go).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

#[path = "common/checked.rs"]
mod checked;
mod common;
#[path = "common/spec.rs"]
mod spec;

use checked::Checked;

use common::{adf, issue_body, start_with};
use jira_sandbox::{AGENT_ACCOUNT_ID, SandboxConfig};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

#[tokio::test]
async fn every_endpoint_matches_the_openapi_description() {
    let Some(spec) = spec::load() else { return };
    let config = SandboxConfig {
        indexed_properties: vec!["postroom".into()],
        show_email_addresses: true,
        ..Default::default()
    };
    let mut c = Checked {
        site: start_with(config).await,
        spec,
    };

    for v in ["3", "2"] {
        let api = format!("/rest/api/{v}");
        let description = if v == "3" {
            adf("Body")
        } else {
            json!("Body in *wiki*")
        };
        let mut create = issue_body("Spec check");
        create["fields"]["description"] = description.clone();
        create["fields"]["labels"] = json!(["mail"]);
        create["fields"]["priority"] = json!({"name": "High"});
        create["fields"][jira_sandbox::EMAIL_PARTICIPANTS_FIELD] = json!("x@example.org");
        create["properties"] = json!([{"key": "postroom", "value": {"idem": "m1"}}]);
        let (status, created) = c
            .call(Method::POST, &format!("{api}/issue"), Some(create))
            .await;
        assert_eq!(status, 201, "{created}");
        let key = created["key"].as_str().unwrap().to_owned();
        let other = c.site.create("Other").await;

        c.call(Method::GET, &format!("{api}/serverInfo"), None)
            .await;
        c.call(Method::GET, &format!("{api}/myself"), None).await;
        let (_, issue) = c
            .call(
                Method::GET,
                &format!("{api}/issue/{key}?expand=names&properties=postroom"),
                None,
            )
            .await;
        c.check_fields(&issue, "GET issue");
        c.call(
            Method::GET,
            &format!("{api}/issue/{key}?fields=summary,comment"),
            None,
        )
        .await;
        c.call(
            Method::PUT,
            &format!("{api}/issue/{key}"),
            Some(json!({"fields": {"summary": "Edited", "description": description}})),
        )
        .await;
        c.call(Method::GET, &format!("{api}/issue/SUP-999"), None)
            .await;
        c.call(
            Method::POST,
            &format!("{api}/issue"),
            Some(json!({"fields": {"project": {"key": "SUP"}}})),
        )
        .await;

        let body = if v == "3" {
            adf("A comment")
        } else {
            json!("A comment")
        };
        let comment = json!({"body": body, "visibility": {"type": "role", "value": "Service Desk Team"},
                             "properties": [{"key": "sd.public.comment", "value": {"internal": true}}]});
        let (_, added) = c
            .call(
                Method::POST,
                &format!("{api}/issue/{key}/comment?expand=properties"),
                Some(comment),
            )
            .await;
        let cid = added["id"].as_str().unwrap().to_owned();
        c.call(
            Method::GET,
            &format!("{api}/issue/{key}/comment?expand=properties"),
            None,
        )
        .await;
        c.call(
            Method::GET,
            &format!("{api}/issue/{key}/comment/{cid}"),
            None,
        )
        .await;
        c.call(
            Method::PUT,
            &format!("{api}/issue/{key}/comment/{cid}"),
            Some(json!({"body": body})),
        )
        .await;
        c.call(
            Method::PUT,
            &format!("{api}/comment/{cid}/properties/extra"),
            Some(json!({"a": 1})),
        )
        .await;
        c.call(
            Method::GET,
            &format!("{api}/comment/{cid}/properties"),
            None,
        )
        .await;
        c.call(
            Method::GET,
            &format!("{api}/comment/{cid}/properties/extra"),
            None,
        )
        .await;
        c.call(
            Method::DELETE,
            &format!("{api}/comment/{cid}/properties/extra"),
            None,
        )
        .await;

        c.call(
            Method::PUT,
            &format!("{api}/issue/{key}/properties/postroom"),
            Some(json!({"idem": "m2"})),
        )
        .await;
        c.call(Method::GET, &format!("{api}/issue/{key}/properties"), None)
            .await;
        c.call(
            Method::GET,
            &format!("{api}/issue/{key}/properties/postroom"),
            None,
        )
        .await;
        c.call(
            Method::PUT,
            &format!("{api}/issue/{key}/properties/tmp"),
            Some(json!(true)),
        )
        .await;
        c.call(
            Method::DELETE,
            &format!("{api}/issue/{key}/properties/tmp"),
            None,
        )
        .await;

        c.call(Method::GET, &format!("{api}/issue/{key}/transitions"), None)
            .await;
        c.call(
            Method::POST,
            &format!("{api}/issue/{key}/transitions"),
            Some(json!({"transition": {"id": "41"}})),
        )
        .await;
        c.call(
            Method::POST,
            &format!("{api}/issue/{key}/watchers"),
            Some(json!(AGENT_ACCOUNT_ID)),
        )
        .await;
        c.call(Method::GET, &format!("{api}/issue/{key}/watchers"), None)
            .await;
        c.call(
            Method::DELETE,
            &format!("{api}/issue/{key}/watchers?accountId={AGENT_ACCOUNT_ID}"),
            None,
        )
        .await;

        c.call(
            Method::GET,
            &format!("{api}/user?accountId={AGENT_ACCOUNT_ID}"),
            None,
        )
        .await;
        c.call(
            Method::GET,
            &format!("{api}/user/search?query=sandbox"),
            None,
        )
        .await;
        let (status, viewers) = c
            .call(
                Method::GET,
                &format!("{api}/user/viewissue/search?issueKey={key}&accountId={AGENT_ACCOUNT_ID}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{viewers}");
        assert_eq!(viewers.as_array().map(Vec::len), Some(1), "{viewers}");
        c.call(Method::GET, &format!("{api}/permissionscheme"), None)
            .await;
        c.call(
            Method::GET,
            &format!("{api}/project/SUP/permissionscheme"),
            None,
        )
        .await;
        c.call(
            Method::PUT,
            &format!("{api}/project/SUP/permissionscheme"),
            Some(json!({"id": 0})),
        )
        .await;
        c.call(
            Method::GET,
            &format!("{api}/user/groups?accountId={AGENT_ACCOUNT_ID}"),
            None,
        )
        .await;
        c.call(
            Method::GET,
            &format!("{api}/group/member?groupname=jira-servicemanagement-users"),
            None,
        )
        .await;
        c.call(Method::GET, &format!("{api}/project"), None).await;
        c.call(Method::GET, &format!("{api}/project/SUP"), None)
            .await;
        c.call(Method::GET, &format!("{api}/project/SUP/role"), None)
            .await;
        c.call(Method::GET, &format!("{api}/project/SUP/role/10101"), None)
            .await;
        c.call(
            Method::GET,
            &format!("{api}/issue/createmeta/SUP/issuetypes"),
            None,
        )
        .await;
        c.call(
            Method::GET,
            &format!("{api}/issue/createmeta/SUP/issuetypes/10003"),
            None,
        )
        .await;
        c.call(Method::GET, &format!("{api}/field"), None).await;
        c.call(Method::GET, &format!("{api}/priority"), None).await;
        c.call(Method::GET, &format!("{api}/issueLinkType"), None)
            .await;

        let link = json!({"type": {"name": "Relates"}, "inwardIssue": {"key": key}, "outwardIssue": {"key": other}});
        c.call(Method::POST, &format!("{api}/issueLink"), Some(link))
            .await;
        let (_, linked) = c
            .call(
                Method::GET,
                &format!("{api}/issue/{key}?fields=issuelinks,attachment"),
                None,
            )
            .await;
        c.check_fields(&linked, "GET linked issue");
        let link_id = linked["fields"]["issuelinks"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        c.call(Method::GET, &format!("{api}/issueLink/{link_id}"), None)
            .await;
        c.call(Method::DELETE, &format!("{api}/issueLink/{link_id}"), None)
            .await;

        let search = json!({"jql": "project = SUP AND summary ~ \"Edited\" ORDER BY created DESC", "maxResults": 1,
                            "fields": ["summary", "comment", "status"], "properties": ["postroom"]});
        let (_, found) = c
            .call(Method::POST, &format!("{api}/search/jql"), Some(search))
            .await;
        for i in found["issues"].as_array().into_iter().flatten() {
            c.check_fields(i, "search/jql");
        }
        c.call(
            Method::GET,
            &format!("{api}/search/jql?jql=project%3DSUP&fields=summary"),
            None,
        )
        .await;
        c.call(
            Method::POST,
            &format!("{api}/search/jql"),
            Some(json!({"jql": "colour = red"})),
        )
        .await;
        if v == "2" {
            // v3 /search is gone from Jira Cloud (410) though the spec file still lists it;
            // v2 keeps it, and its bodies are checked against that listing.
            let legacy = json!({"jql": "project = SUP ORDER BY key", "startAt": 0, "maxResults": 2, "fields": ["summary", "comment"]});
            let (_, page) = c
                .call(Method::POST, &format!("{api}/search"), Some(legacy))
                .await;
            for i in page["issues"].as_array().into_iter().flatten() {
                c.check_fields(i, "v2 search");
            }
            c.call(
                Method::GET,
                &format!("{api}/search?jql=project%3DSUP&maxResults=1"),
                None,
            )
            .await;
        }

        let url = "http://127.0.0.1:9/hook";
        let hooks = json!({"url": url, "webhooks": [{"events": ["jira:issue_created"], "jqlFilter": "project = SUP"}]});
        let (_, registered) = c
            .call(Method::POST, &format!("{api}/webhook"), Some(hooks))
            .await;
        let hook_id = registered["webhookRegistrationResult"][0]["createdWebhookId"].clone();
        c.call(Method::GET, &format!("{api}/webhook"), None).await;
        c.call(
            Method::PUT,
            &format!("{api}/webhook/refresh"),
            Some(json!({"webhookIds": [hook_id]})),
        )
        .await;
        c.call(
            Method::DELETE,
            &format!("{api}/webhook"),
            Some(json!({"webhookIds": [hook_id]})),
        )
        .await;

        let form = Form::new().part(
            "file",
            Part::bytes(b"data".to_vec())
                .file_name("f.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
        let r = c
            .site
            .req(Method::POST, &format!("{api}/issue/{key}/attachments"))
            .header("X-Atlassian-Token", "no-check")
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let uploaded: Value = r.json().await.unwrap();
        c.spec.exchange(
            "POST",
            &format!("{api}/issue/{key}/attachments"),
            None,
            status,
            &uploaded,
        );
        let att = uploaded[0]["id"].as_str().unwrap().to_owned();
        c.call(Method::GET, &format!("{api}/attachment/{att}"), None)
            .await;
    }

    let unauthenticated = reqwest::get(format!("{}/rest/api/3/myself", c.site.sb.base_url))
        .await
        .unwrap();
    let status = unauthenticated.status().as_u16();
    let body: Value = unauthenticated.json().await.unwrap();
    c.spec
        .exchange("GET", "/rest/api/3/myself", None, status, &body);

    assert!(
        c.spec.violations.is_empty(),
        "{} violations:\n{}",
        c.spec.violations.len(),
        c.spec.violations.join("\n")
    );
    assert!(
        c.spec.covered.len() >= 40,
        "covered only {:?}",
        c.spec.covered
    );
}
