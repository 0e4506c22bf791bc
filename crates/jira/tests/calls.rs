//! Every Tracker call over real HTTP against the sandbox, in both dialects.

#![allow(clippy::unwrap_used, clippy::expect_used)] // shared scenarios are async fns, not #[test] fns

mod common;

use postroom_core::adf::{self, Doc};
use postroom_core::ports::tracker::{
    Dialect, IdempotencyKey, IssueTypeRef, IssueUpdate, NewComment, NewIssue, NewLink, NewRequest,
    SearchRequest, Tracker, TrackerError, Visibility,
};
use serde_json::{Map, json};

fn new_issue(summary: &str, key: &str, description: Doc) -> NewIssue {
    NewIssue {
        project: "SUP".into(),
        issue_type: IssueTypeRef::Name("Task".into()),
        summary: summary.into(),
        description: Some(description),
        reporter: None,
        fields: Map::new(),
        properties: vec![("postroom.source".into(), json!({"mailbox": "support"}))],
        idempotency_key: IdempotencyKey::parse(key).unwrap(),
        may_exist: false,
        unknown_since_ms: None,
    }
}

fn rich() -> Doc {
    adf::from_html(
        "<p>Hello <b>team</b>, see <a href='https://status.test'>status</a>.</p><ul><li>one</li><li>two</li></ul><pre>code()</pre>",
        &|_| None,
    )
}

async fn everyday_calls(dialect: Dialect, context_path: &str) {
    let site = common::start(context_path).await;
    let jira = common::client(&site, dialect, common::api_token(), common::fast()).await;
    assert_eq!(Tracker::dialect(&jira), dialect);

    let info = jira.server_info().await.unwrap();
    assert!(!info.version.is_empty());
    let me = jira.myself().await.unwrap();
    assert_eq!(me.account_id, jira_sandbox::ADMIN_ACCOUNT_ID);
    let projects = jira.projects(true).await.unwrap();
    assert!(projects.iter().any(|p| p.key == "SUP"), "{projects:?}");
    let types = jira.issue_types("SUP").await.unwrap();
    assert!(types.iter().any(|t| t.name == "Task"));
    let fields = jira.fields().await.unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f.custom && f.id == jira_sandbox::EMAIL_PARTICIPANTS_FIELD)
    );

    // create + read back: the description survives the dialect's rich-text form
    let created = jira
        .create_issue(&new_issue("Printer on fire", "<m1@mail.test>", rich()))
        .await
        .unwrap();
    assert!(!created.recovered);
    let key = created.issue.key.clone();
    let issue = jira
        .get_issue(&key, &["summary", "description"])
        .await
        .unwrap();
    assert_eq!(issue.fields["summary"], "Printer on fire");
    let description: Doc = serde_json::from_value(issue.fields["description"].clone()).unwrap();
    let text = adf::to_text(&description);
    for word in ["Hello", "team", "status", "one", "two", "code()"] {
        assert!(text.contains(word), "{word} missing from {text:?}");
    }
    let prop = jira
        .issue_property(&key, "postroom.idempotency")
        .await
        .unwrap();
    assert_eq!(prop, Some(json!({"key": "<m1@mail.test>"})));
    assert_eq!(
        jira.issue_property(&key, "postroom.source").await.unwrap(),
        Some(json!({"mailbox": "support"}))
    );
    assert_eq!(jira.issue_property(&key, "never.set").await.unwrap(), None);

    // edit
    let mut update = IssueUpdate::default();
    update
        .fields
        .insert("summary".into(), json!("Printer no longer on fire"));
    update.rich_text.push((
        "description".into(),
        adf::from_text("Fixed by turning it off."),
    ));
    jira.edit_issue(&key, &update).await.unwrap();
    let issue = jira
        .get_issue(&key, &["summary", "description"])
        .await
        .unwrap();
    assert_eq!(issue.fields["summary"], "Printer no longer on fire");

    // comments with visibility and properties
    let comment = NewComment {
        body: adf::from_text("Internal: *not* for the customer"),
        visibility: Some(Visibility::Role(jira_sandbox_agent_role())),
        public: Some(false),
        properties: vec![("postroom.mail".into(), json!({"id": "m2"}))],
    };
    let added = jira.add_comment(&key, &comment).await.unwrap();
    assert!(adf::to_text(&added.body).contains("Internal: *not* for the customer"));
    assert_eq!(
        jira.comment_property(&added.id, "postroom.mail")
            .await
            .unwrap(),
        Some(json!({"id": "m2"}))
    );
    jira.set_comment_property(&added.id, "postroom.mail", &json!({"id": "m3"}))
        .await
        .unwrap();
    assert_eq!(
        jira.comment_property(&added.id, "postroom.mail")
            .await
            .unwrap(),
        Some(json!({"id": "m3"}))
    );
    jira.set_issue_property(&key, "postroom.thread", &json!(["<a@b>"]))
        .await
        .unwrap();
    assert_eq!(
        jira.issue_property(&key, "postroom.thread").await.unwrap(),
        Some(json!(["<a@b>"]))
    );

    // attachments, byte for byte
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let att = jira
        .upload_attachment(&key, "dump.bin", "application/octet-stream", bytes.clone())
        .await
        .unwrap();
    assert_eq!((att.file_name.as_str(), att.size), ("dump.bin", 70_000));
    assert_eq!(jira.download_attachment(&att.id).await.unwrap(), bytes);

    // search, one issue per page to exercise the page token
    let other = jira
        .create_issue(&new_issue("Second", "<m4@mail.test>", adf::from_text("x")))
        .await
        .unwrap();
    let mut request = SearchRequest {
        jql: "project = SUP ORDER BY created DESC".into(),
        fields: vec!["summary".into()],
        page_token: None,
        max_results: 1,
    };
    let mut seen = Vec::new();
    loop {
        let page = jira.search(&request).await.unwrap();
        seen.extend(page.issues.iter().map(|i| i.key.clone()));
        match page.next_page_token {
            Some(t) => request.page_token = Some(t),
            None => break,
        }
        assert!(seen.len() < 10, "paging does not end");
    }
    assert!(
        seen.contains(&key) && seen.contains(&other.issue.key),
        "{seen:?}"
    );

    // transitions and links and watchers
    let transitions = jira.transitions(&key).await.unwrap();
    let first = transitions
        .first()
        .expect("the seeded workflow has transitions")
        .clone();
    jira.transition(&key, &first.id, &IssueUpdate::default())
        .await
        .unwrap();
    let issue = jira.get_issue(&key, &["status"]).await.unwrap();
    assert_eq!(issue.fields["status"]["name"], first.to_status.as_str());
    jira.link_issues(&NewLink {
        link_type: "Relates".into(),
        inward: key.clone(),
        outward: other.issue.key.clone(),
    })
    .await
    .unwrap();
    let missing = jira.get_issue("SUP-99999", &[]).await.unwrap_err();
    assert!(
        matches!(missing, TrackerError::NotFound { .. }),
        "{missing:?}"
    );
}

fn jira_sandbox_agent_role() -> String {
    "Service Desk Team".to_owned()
}

#[tokio::test]
async fn everyday_calls_on_cloud_v3() {
    everyday_calls(Dialect::CloudV3, "").await;
}

#[tokio::test]
async fn everyday_calls_on_data_center_v2() {
    everyday_calls(Dialect::DataCenterV2, "").await;
}

#[tokio::test]
async fn everyday_calls_under_a_context_path() {
    everyday_calls(Dialect::CloudV3, "/jira").await;
    everyday_calls(Dialect::DataCenterV2, "/jira").await;
}

#[tokio::test]
async fn cloud_users_watchers_groups_and_roles() {
    let site = common::start("").await;
    let jira = common::client(&site, Dialect::CloudV3, common::api_token(), common::fast()).await;
    let agent = jira.get_user(jira_sandbox::AGENT_ACCOUNT_ID).await.unwrap();
    assert_eq!(agent.display_name, "Sandbox Agent");
    let created = jira
        .create_issue(&new_issue("Watch me", "<w@mail.test>", adf::from_text("w")))
        .await
        .unwrap();
    jira.add_watcher(&created.issue.key, jira_sandbox::AGENT_ACCOUNT_ID)
        .await
        .unwrap();
    let watchers = jira.watchers(&created.issue.key).await.unwrap();
    assert!(
        watchers
            .iter()
            .any(|w| w.account_id == jira_sandbox::AGENT_ACCOUNT_ID)
    );
    let groups = jira
        .user_groups(jira_sandbox::AGENT_ACCOUNT_ID)
        .await
        .unwrap();
    assert!(!groups.is_empty());
    let staff = jira
        .group_members("jira-servicemanagement-users")
        .await
        .unwrap();
    assert!(
        staff
            .iter()
            .any(|u| u.account_id == jira_sandbox::AGENT_ACCOUNT_ID),
        "{staff:?}"
    );
    let admins = jira.group_members("site-admins").await.unwrap();
    assert_eq!(admins.len(), 1);
    assert!(jira.group_members("no-such-group").await.is_err());
    let roles = jira
        .project_roles_of("SUP", jira_sandbox::AGENT_ACCOUNT_ID)
        .await
        .unwrap();
    assert!(
        roles.iter().any(|r| r.name == "Service Desk Team"),
        "{roles:?}"
    );
    let customer = jira
        .create_customer("dora@customer.example", "Dora")
        .await
        .unwrap();
    jira.add_request_participants(
        &created.issue.key,
        std::slice::from_ref(&customer.account_id),
    )
    .await
    .unwrap();
    let participants = jira.request_participants(&created.issue.key).await.unwrap();
    assert_eq!(
        participants
            .iter()
            .map(|p| p.account_id.as_str())
            .collect::<Vec<_>>(),
        [customer.account_id.as_str()]
    );
}

#[tokio::test]
async fn a_request_is_raised_on_behalf_of_a_customer_at_most_once() {
    let site = common::start("").await;
    let jira = common::client(&site, Dialect::CloudV3, common::api_token(), common::fast()).await;
    let desks = jira.service_desks().await.unwrap();
    let desk = desks.iter().find(|d| d.project_key == "SUP").unwrap();
    let customer = jira
        .create_customer("erin@customer.example", "Erin")
        .await
        .unwrap();
    let mut request = NewRequest {
        service_desk_id: desk.id.clone(),
        project: "SUP".into(),
        request_type_id: "10003".into(),
        summary: "Laptop broken".into(),
        fields: Map::new(),
        on_behalf_of: Some(customer.account_id.clone()),
        participants: Vec::new(),
        idempotency_key: IdempotencyKey::parse("<r1@mail.test>").unwrap(),
        may_exist: false,
        unknown_since_ms: None,
    };
    let raised = jira.create_request(&request).await.unwrap();
    assert!(!raised.recovered);
    let issue = jira
        .get_issue(&raised.issue.key, &["reporter", "summary"])
        .await
        .unwrap();
    assert_eq!(
        issue.fields["reporter"]["accountId"],
        customer.account_id.as_str()
    );
    request.may_exist = true;
    let again = jira.create_request(&request).await.unwrap();
    assert!(again.recovered, "found by its idempotency property");
    assert_eq!(again.issue.key, raised.issue.key);
}

#[tokio::test]
async fn jiras_refusal_reaches_the_caller_in_its_own_words() {
    let site = common::start("").await;
    let jira = common::client(&site, Dialect::CloudV3, common::api_token(), common::fast()).await;
    let mut bad = new_issue("Bad priority", "<p@mail.test>", adf::from_text("x"));
    bad.fields
        .insert("priority".into(), json!({"name": "Urgent"}));
    let err = jira.create_issue(&bad).await.unwrap_err();
    assert!(matches!(err, TrackerError::Invalid { .. }), "{err:?}");
    let text = err.to_string();
    assert_eq!(
        text,
        "Jira refused the issue: field 'priority': Specify a valid priority"
    );
}

#[tokio::test]
async fn connection_check_reports_what_an_administrator_needs() {
    let site = common::start("/jira").await;
    site.handle.set_faults(jira_sandbox::FaultConfig {
        rate_limit_per_sec: Some(1000.0),
        ..Default::default()
    });
    let jira = common::client(
        &site,
        Dialect::DataCenterV2,
        common::api_token(),
        common::fast(),
    )
    .await;
    let report = postroom_jira::check(&jira).await.unwrap();
    assert_eq!(report.account_id, jira_sandbox::ADMIN_ACCOUNT_ID);
    assert!(
        report
            .projects
            .iter()
            .any(|p| p.key == "SUP" && p.can_set_reporter.is_some()),
        "{report:?}"
    );
    let text = report.to_string();
    assert!(text.contains("REST v2, wiki markup"), "{text}");
    assert!(text.contains("SUP"), "{text}");
    assert!(
        !text.contains(jira_sandbox::ADMIN_EMAIL),
        "no e-mail address in the output"
    );
}
