#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Rendering, applying, searching and importing canned responses against sandbox issues,
//! in both Jira dialects.

mod responses_support;

use postroom_core::canned::Scope;
use postroom_core::ports::tracker::{Dialect, IdempotencyKey, IssueTypeRef, NewIssue, Tracker};
use postroom_core::template::{CalendarDate, TemplateError};
use postroom_engine::responses::{ApplyRequest, ResponsesError};
use reqwest::Method;
use responses_support::{ADMIN, AGENT, World, draft, world};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000_000;

fn today() -> CalendarDate {
    CalendarDate::parse("2026-11-23").unwrap()
}

async fn issue(w: &World, summary: &str) -> String {
    let mut fields = Map::new();
    fields.insert("labels".into(), json!(["vip", "billing"]));
    fields.insert(
        jira_sandbox::EMAIL_PARTICIPANTS_FIELD.into(),
        json!("ops@customer.example"),
    );
    let created = w
        .jira
        .create_issue(&NewIssue {
            project: "SUP".into(),
            issue_type: IssueTypeRef::Name("Task".into()),
            summary: summary.into(),
            description: None,
            reporter: None,
            fields,
            properties: Vec::new(),
            idempotency_key: IdempotencyKey::parse(&format!("<{}@test>", id_of(summary))).unwrap(),
            may_exist: false,
            unknown_since_ms: None,
        })
        .await
        .unwrap();
    created.issue.key
}

/// A Message-ID-like key from a summary.
fn id_of(summary: &str) -> String {
    summary
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

const EVERY_KIND: &str = "\
{{ issue.key }}|{{ issue.summary }}|{{ issue.status }}|{{ issue.priority }}|{{ issue.type }}
{{ issue.project.key }}/{{ issue.project.name }}|{{ issue.labels | join(\",\") }}
{{ issue.fields['E-mail participants'] }}|{{ issue.fields.customfield_10050 }}
{{ reporter.display_name }}|{{ reporter.first_name }}|{{ agent.first_name }}
{{ assignee.display_name | default(\"nobody\") }}|{{ issue.due_date | date(\"%d %B\") | default(\"no due date\") }}
{{ today | date(\"%-d %B %Y\") }}|{{ issue.link }}
{% if issue.resolution %}resolved{% else %}open{% endif %}";

#[tokio::test]
async fn every_variable_kind_renders_and_missing_values_are_named() {
    let w = world(Dialect::CloudV3).await;
    let key = issue(&w, "Refund <b>now</b>").await;
    let t = w
        .as_(ADMIN)
        .create(draft("all", EVERY_KIND, Scope::Global), 1)
        .await
        .unwrap();
    let preview = w.as_(AGENT).render(&t.id, &key, today()).await.unwrap();
    let lines: Vec<&str> = preview.text.lines().collect();
    let n = &key[4..];
    assert!(
        lines[0].starts_with(&format!("SUP-{n}|Refund")),
        "{lines:?}"
    );
    assert!(lines[0].ends_with("|Open|Medium|Task"), "{lines:?}");
    assert!(
        !lines[0].contains("<b>"),
        "markup in a value is escaped: {lines:?}"
    );
    assert_eq!(lines[1], "SUP/Support|vip,billing");
    assert_eq!(lines[2], "ops@customer.example|ops@customer.example");
    assert_eq!(lines[3], "Sandbox Admin|Sandbox|Sandbox");
    assert_eq!(lines[4], "nobody|no due date");
    assert_eq!(
        lines[5],
        format!("23 November 2026|{}/browse/{key}", w.sandbox.base_url)
    );
    assert_eq!(lines[6], "open");
    assert_eq!(
        preview.missing,
        [
            "assignee.display_name",
            "issue.due_date",
            "issue.resolution"
        ]
    );
}

#[tokio::test]
async fn runaway_templates_fail_safely_and_unknown_issues_say_so() {
    let w = world(Dialect::CloudV3).await;
    let key = issue(&w, "loop").await;
    let forever =
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
    let t = w
        .templates
        .create(&draft("loop", forever, Scope::Global), ADMIN, 1)
        .await
        .unwrap();
    match w.as_(AGENT).render(&t.id, &key, today()).await {
        Err(ResponsesError::Render(
            TemplateError::TooMuchWork { .. } | TemplateError::OutputTooLarge,
        )) => {}
        other => panic!("{other:?}"),
    }
    let ok = w
        .templates
        .create(&draft("ok", "Hi", Scope::Global), ADMIN, 1)
        .await
        .unwrap();
    assert!(matches!(
        w.as_(AGENT).render(&ok.id, "SUP-99999", today()).await,
        Err(ResponsesError::IssueNotFound(_))
    ));
}

async fn comments(w: &World, version: u8, key: &str) -> Vec<Value> {
    let body = w
        .call(Method::GET, &format!("{version}/issue/{key}/comment"), None)
        .await;
    body["comments"].as_array().cloned().unwrap()
}

async fn status(w: &World, key: &str) -> String {
    let issue = w.jira.get_issue(key, &["status"]).await.unwrap();
    issue.fields["status"]["name"].as_str().unwrap().to_owned()
}

const BODY: &str = "Hello {{ reporter.first_name }},\n\nplease send the **invoice number**.";

#[tokio::test]
async fn apply_posts_adf_on_cloud_with_visibility_and_transition_and_counts_the_use() {
    let w = world(Dialect::CloudV3).await;
    let key = issue(&w, "apply v3").await;
    let t = w
        .as_(ADMIN)
        .create(draft("need info", BODY, Scope::Global), 1)
        .await
        .unwrap();
    let request = ApplyRequest {
        issue: key.clone(),
        public: Some(false),
        transition: Some("wait for customer".into()),
        ..Default::default()
    };
    let applied = w
        .as_(AGENT)
        .apply(&t.id, &request, today(), NOW)
        .await
        .unwrap();
    assert_eq!(applied.transition_id.as_deref(), Some("21"));
    let posted = comments(&w, 3, &key).await;
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["id"], applied.comment_id);
    assert_eq!(posted[0]["jsdPublic"], false);
    let body = &posted[0]["body"];
    assert_eq!(body["type"], "doc");
    let text = body.to_string();
    assert!(
        text.contains("\"strong\""),
        "bold became an ADF mark: {text}"
    );
    assert!(text.contains("Hello Sandbox,"), "{text}");
    assert_eq!(status(&w, &key).await, "Waiting for customer");
    let used = w.templates.get(&t.id).await.unwrap().unwrap();
    assert_eq!((used.usage_count, used.last_used_ms), (1, Some(NOW)));
    let recent = w.templates.recent_use(AGENT, NOW).await.unwrap();
    assert_eq!(recent.get(&t.id), Some(&(1, NOW)));
}

#[tokio::test]
async fn apply_posts_wiki_markup_on_data_center() {
    let w = world(Dialect::DataCenterV2).await;
    let key = issue(&w, "apply v2").await;
    let t = w
        .as_(ADMIN)
        .create(draft("need info", BODY, Scope::Global), 1)
        .await
        .unwrap();
    let request = ApplyRequest {
        issue: key.clone(),
        public: Some(true),
        transition: None,
        ..Default::default()
    };
    w.as_(AGENT)
        .apply(&t.id, &request, today(), NOW)
        .await
        .unwrap();
    let posted = comments(&w, 2, &key).await;
    let body = posted[0]["body"].as_str().unwrap();
    assert!(body.contains("*invoice number*"), "{body:?}");
    assert!(body.starts_with("Hello Sandbox,"), "{body:?}");
    assert_eq!(posted[0]["jsdPublic"], true);
    assert_eq!(status(&w, &key).await, "Open");
}

#[tokio::test]
async fn an_unavailable_transition_posts_nothing_and_counts_nothing() {
    let w = world(Dialect::CloudV3).await;
    let key = issue(&w, "no transition").await;
    let t = w
        .as_(ADMIN)
        .create(draft("x", BODY, Scope::Global), 1)
        .await
        .unwrap();
    let request = ApplyRequest {
        issue: key.clone(),
        public: None,
        transition: Some("Reopen".into()),
        ..Default::default()
    };
    match w.as_(AGENT).apply(&t.id, &request, today(), NOW).await {
        Err(ResponsesError::TransitionUnavailable { available, .. }) => {
            assert!(available.contains("Wait for customer"), "{available}");
        }
        other => panic!("{other:?}"),
    }
    assert!(comments(&w, 3, &key).await.is_empty());
    assert_eq!(
        w.templates.get(&t.id).await.unwrap().unwrap().usage_count,
        0
    );
}

#[tokio::test]
async fn search_fits_the_issue_and_ranks_by_the_callers_use() {
    let w = world(Dialect::CloudV3).await;
    let key = issue(&w, "search").await;
    let admin = w.as_(ADMIN);
    let a = admin
        .create(draft("Refund approved", "ok", Scope::Global), 1)
        .await
        .unwrap();
    let b = admin
        .create(draft("Refund denied", "no", Scope::Global), 1)
        .await
        .unwrap();
    admin
        .create(
            draft("Refund OPS", "ops", Scope::Projects(vec!["OPS".into()])).clone(),
            1,
        )
        .await
        .unwrap();
    let names = |list: Vec<postroom_engine::responses::Visible>| -> Vec<String> {
        list.into_iter().map(|v| v.template.draft.name).collect()
    };
    let all = names(admin.search("refund", None, 10, NOW).await.unwrap());
    assert_eq!(all, ["Refund approved", "Refund denied", "Refund OPS"]);
    let fit = names(admin.search("refund", Some(&key), 10, NOW).await.unwrap());
    assert_eq!(fit, ["Refund approved", "Refund denied"]);
    w.templates.record_use(&b.id, AGENT, NOW - 1).await.unwrap();
    let mine = names(
        w.as_(AGENT)
            .search("refund", Some(&key), 10, NOW)
            .await
            .unwrap(),
    );
    assert_eq!(mine, ["Refund denied", "Refund approved"]);
    let theirs = names(admin.search("refund", Some(&key), 10, NOW).await.unwrap());
    assert_eq!(
        theirs[0], "Refund denied",
        "overall use lifts it for everyone: {theirs:?}"
    );
    assert!(a.id != b.id);
}

#[tokio::test]
async fn import_checks_everything_first_and_export_leaves_personal_out() {
    let w = world(Dialect::CloudV3).await;
    let file = json!({"format": "postroom.templates", "version": 1, "templates": [
        {"name": "Mine", "body": "Hi", "scope": {"kind": "personal"}},
        {"name": "Everyone", "body": "Hi {{ reporter.frist_name }}", "scope": {"kind": "global"}},
    ]});
    let bytes = serde_json::to_vec(&file).unwrap();
    match w.as_(AGENT).import(&bytes, 1).await.unwrap_err() {
        ResponsesError::Invalid(problems) => {
            let got: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect();
            assert_eq!(
                got,
                ["templates[1].body: unknown variable reporter.frist_name (line 1)"]
            );
        }
        e => panic!("{e}"),
    }
    let fixed = String::from_utf8(bytes).unwrap().replace("frist", "first");
    match w.as_(AGENT).import(fixed.as_bytes(), 1).await.unwrap_err() {
        ResponsesError::Invalid(problems) => assert_eq!(problems[0].field, "templates[1].scope"),
        e => panic!("{e}"),
    }
    assert!(
        w.templates.list().await.unwrap().is_empty(),
        "nothing saved"
    );
    let made = w.as_(ADMIN).import(fixed.as_bytes(), 1).await.unwrap();
    assert_eq!(made.len(), 2);
    let export = w.as_(ADMIN).export().await.unwrap();
    let names: Vec<&str> = export.templates.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Everyone"]);
}
