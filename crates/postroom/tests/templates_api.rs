#![allow(clippy::unwrap_used, clippy::expect_used)]

//! `/api/v1/templates` in-process, against the Jira sandbox over HTTP and a real SQLite
//! store: status codes of the scope rules, validation, render and apply, import and
//! export, and tenant isolation on every endpoint.

use std::net::SocketAddr;
use std::sync::Arc;

use jira_sandbox::{ADMIN_ACCOUNT_ID, AGENT_ACCOUNT_ID, Credentials, RunningSandbox, Sandbox};
use postroom::http::{self, AppState, Readiness};
use postroom::trackers::Trackers;
use postroom_core::ports::tracker::Dialect;
use postroom_core::tenant::TenantId;
use postroom_jira::{Auth, JiraConfig, Secret};
use postroom_store::JiraConnection;
use postroom_store::testing::{self, TestStore};
use postroom_store::tokens::{ApiTokens, Scope};
use reqwest::Method;
use serde_json::{Value, json};

struct Api {
    base: String,
    sandbox: RunningSandbox,
    _store: TestStore,
    admin: String,
    agent: String,
    other_tenant_admin: String,
}

async fn token(t: &TestStore, tenant: &str, account: &str) -> String {
    let handle = t
        .store
        .ensure_tenant(
            &TenantId::parse(tenant).unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap();
    let (_, secret) = ApiTokens::new(handle)
        .create(account, "test", Scope::Agent, 1)
        .await
        .unwrap();
    secret.expose().to_owned()
}

/// A server whose tenants `default` and `other` both use one sandbox (when `with_jira`).
async fn start(with_jira: bool) -> Api {
    let sandbox = Sandbox::start(jira_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let store = testing::sqlite().await.unwrap();
    let admin = token(&store, "default", ADMIN_ACCOUNT_ID).await;
    let agent = token(&store, "default", AGENT_ACCOUNT_ID).await;
    let other_tenant_admin = token(&store, "other", ADMIN_ACCOUNT_ID).await;
    let trackers = Trackers::default();
    if with_jira {
        for tenant in ["default", "other"] {
            let creds = Credentials::admin();
            let mut config = JiraConfig::new(
                sandbox.base_url.clone(),
                Auth::ApiToken {
                    email: creds.email,
                    token: Secret::new(creds.api_token),
                },
            );
            config.dialect = Some(Dialect::CloudV3);
            trackers.insert(TenantId::parse(tenant).unwrap(), config);
        }
    }
    let keys = tempfile::tempdir().unwrap();
    let intake = postroom_engine::intake::Intake::new(
        postroom_store::crypto::Keyring::new(
            postroom_store::crypto::KeyVault::new(keys.path()),
            postroom_store::crypto::MasterKey::generate(),
            None,
        ),
        postroom_store::blobs::BlobStore::open(&postroom_store::blobs::BlobConfig::Memory).unwrap(),
        1 << 20,
    );
    let webhooks = http::WebhookReceiver {
        intake: postroom_engine::webhooks::Webhooks::new(
            store.store.clone(),
            intake.keyring().clone(),
            intake.committed(),
        ),
        secrets: http::WebhookSecrets::new(
            Default::default(),
            store.store.clone(),
            intake.keyring().clone(),
        ),
        max_body_bytes: 1 << 20,
    };
    let router = http::router(AppState {
        store: store.store.clone(),
        readiness: Arc::new(Readiness::expecting(&[])),
        intake,
        trackers,
        upload_store_raw: true,
        retention: postroom_engine::retention::Policy::uniform(30),
        webhooks,
        metrics: http::MetricsAccess::default(),
        console: http::ConsoleSettings::default(),
        trusted_proxies: Vec::new().into(),
        forge: None,
        usage_flags: true,
        operator_events: false,
        backups: None,
        outbound: Default::default(),
        profile: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    Api {
        base: format!("http://{addr}/api/v1"),
        sandbox,
        _store: store,
        admin,
        agent,
        other_tenant_admin,
    }
}

impl Api {
    async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn create(&self, token: &str, name: &str, scope: Value) -> String {
        let body = json!({"name": name, "body": "Hi {{ reporter.first_name }}, **thanks**.", "scope": scope});
        let (status, made) = self
            .call(token, Method::POST, "/templates", Some(body))
            .await;
        assert_eq!(status, 201, "{made}");
        made["id"].as_str().unwrap().to_owned()
    }

    async fn issue(&self) -> String {
        let body = json!({"fields": {"project": {"key": "SUP"}, "issuetype": {"name": "Task"}, "summary": "API"}});
        let made: Value = reqwest::Client::new()
            .post(format!("{}/rest/api/3/issue", self.sandbox.base_url))
            .header("Authorization", Credentials::admin().basic_header())
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        made["key"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn scope_rules_answer_404_403_and_422() {
    let api = start(true).await;
    let global = api
        .create(&api.admin, "Global", json!({"kind": "global"}))
        .await;
    let personal = api
        .create(&api.admin, "Mine", json!({"kind": "personal"}))
        .await;

    let (status, seen) = api
        .call(
            &api.agent,
            Method::GET,
            &format!("/templates/{global}"),
            None,
        )
        .await;
    assert_eq!((status, seen["access"].as_str()), (200, Some("use")));
    let change = json!({"name": "x", "body": "y", "scope": {"kind": "global"}});
    let path = format!("/templates/{global}");
    assert_eq!(
        api.call(&api.agent, Method::PUT, &path, Some(change.clone()))
            .await
            .0,
        403
    );
    assert_eq!(
        api.call(&api.agent, Method::DELETE, &path, None).await.0,
        403
    );
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let (status, _) = api
            .call(
                &api.agent,
                method.clone(),
                &format!("/templates/{personal}"),
                Some(change.clone()),
            )
            .await;
        assert_eq!(status, 404, "{method} on another agent's personal template");
    }
    let (_, listed) = api.call(&api.agent, Method::GET, "/templates", None).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Global"]);

    let bad =
        json!({"name": "", "body": "{{ reporter.frist_name }}", "scope": {"kind": "personal"}});
    let (status, body) = api
        .call(&api.agent, Method::POST, "/templates", Some(bad))
        .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "body"], "{body}");
    let wrong = json!({"name": "n", "body": "b", "scope": {"kind": "global", "values": ["x"]}});
    let (status, body) = api
        .call(&api.agent, Method::POST, "/templates", Some(wrong))
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("scope.values"))
    );
    let (status, body) = api
        .call(
            &api.agent,
            Method::POST,
            "/templates",
            Some(json!({"name": 5})),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("name")),
        "{body}"
    );
    let (status, _) = api
        .call(
            &api.agent,
            Method::POST,
            "/templates",
            Some(json!({"name": "n", "body": "b", "scope": {"kind": "global"}})),
        )
        .await;
    assert_eq!(status, 403, "only Jira admins create global templates");

    assert_eq!(
        api.call(&api.admin, Method::DELETE, &path, None).await.0,
        204
    );
    assert_eq!(api.call(&api.admin, Method::GET, &path, None).await.0, 404);
}

#[tokio::test]
async fn render_and_apply_post_the_comment_and_count_the_use() {
    let api = start(true).await;
    let id = api
        .create(
            &api.admin,
            "Ack",
            json!({"kind": "projects", "values": ["SUP"]}),
        )
        .await;
    let key = api.issue().await;
    let (status, preview) = api
        .call(
            &api.agent,
            Method::POST,
            &format!("/templates/{id}/render"),
            Some(json!({"issue": key})),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["text"], "Hi Sandbox, **thanks**.");
    let (status, body) = api
        .call(
            &api.agent,
            Method::POST,
            &format!("/templates/{id}/render"),
            Some(json!({"issue": "SUP-99999"})),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("issue"))
    );

    let apply = json!({"issue": key, "public": false, "transition": "Wait for customer"});
    let (status, applied) = api
        .call(
            &api.agent,
            Method::POST,
            &format!("/templates/{id}/apply"),
            Some(apply),
        )
        .await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["transition_id"], "21");
    let (status, _) = api
        .call(
            &api.agent,
            Method::POST,
            &format!("/templates/{id}/apply"),
            Some(json!({"issue": key, "transition": "Start progress"})),
        )
        .await;
    assert_eq!(
        status, 409,
        "Start progress is not available from Waiting for customer"
    );
    let (_, shown) = api
        .call(&api.agent, Method::GET, &format!("/templates/{id}"), None)
        .await;
    assert_eq!(shown["usage_count"], 1);
    let (_, found) = api
        .call(
            &api.agent,
            Method::GET,
            &format!("/templates/search?q=ack&issue={key}"),
            None,
        )
        .await;
    assert_eq!(found[0]["id"], id.as_str());
}

#[tokio::test]
async fn import_and_export_through_the_api() {
    let api = start(true).await;
    let file = json!({"format": "postroom.templates", "version": 1, "templates": [
        {"name": "A", "body": "ok", "scope": {"kind": "global"}},
        {"name": "B", "body": "{{ issue.nope }}", "scope": {"kind": "global"}},
    ]});
    let (status, body) = api
        .call(
            &api.admin,
            Method::POST,
            "/templates/import",
            Some(file.clone()),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "templates[1].body", "{body}");
    let fixed: Value =
        serde_json::from_str(&file.to_string().replace("issue.nope", "issue.key")).unwrap();
    let (status, body) = api
        .call(&api.admin, Method::POST, "/templates/import", Some(fixed))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["imported"].as_array().unwrap().len(), 2);
    let (status, export) = api
        .call(&api.agent, Method::GET, "/templates/export", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(export["format"], "postroom.templates");
    let (status, again) = api
        .call(&api.admin, Method::POST, "/templates/import", Some(export))
        .await;
    assert_eq!(
        (status, again["imported"].as_array().map(Vec::len)),
        (201, Some(2)),
        "{again}"
    );
}

#[tokio::test]
async fn a_token_of_another_tenant_gets_404_everywhere() {
    let api = start(true).await;
    let id = api
        .create(&api.admin, "Default's", json!({"kind": "global"}))
        .await;
    let key = api.issue().await;
    let other = &api.other_tenant_admin;
    let draft = json!({"name": "x", "body": "y", "scope": {"kind": "global"}});
    let calls = [
        (Method::GET, format!("/templates/{id}"), None),
        (Method::PUT, format!("/templates/{id}"), Some(draft)),
        (Method::DELETE, format!("/templates/{id}"), None),
        (
            Method::POST,
            format!("/templates/{id}/render"),
            Some(json!({"issue": key})),
        ),
        (
            Method::POST,
            format!("/templates/{id}/apply"),
            Some(json!({"issue": key})),
        ),
    ];
    for (method, path, body) in calls {
        let (status, answer) = api.call(other, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
    for path in [
        "/templates",
        "/templates/search?q=default",
        "/templates/export",
    ] {
        let (status, answer) = api.call(other, Method::GET, path, None).await;
        assert_eq!(status, 200);
        assert!(
            !answer.to_string().contains("Default's"),
            "{path}: {answer}"
        );
    }
    let (_, still) = api
        .call(&api.admin, Method::GET, &format!("/templates/{id}"), None)
        .await;
    assert_eq!(
        (still["name"].as_str(), still["usage_count"].as_i64()),
        (Some("Default's"), Some(0))
    );
}

#[tokio::test]
async fn without_jira_the_api_says_so_with_503() {
    let api = start(false).await;
    let (status, body) = api.call(&api.agent, Method::GET, "/templates", None).await;
    assert_eq!(status, 503);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no Jira site is configured"),
        "{body}"
    );
    assert_eq!(
        api.call("pr_nope", Method::GET, "/templates", None).await.0,
        401
    );
}

#[tokio::test]
async fn the_editor_previews_an_unsaved_body_and_refuses_one_that_cannot_compile() {
    let api = start(true).await;
    let key = api.issue().await;
    let (status, variables) = api
        .call(&api.agent, Method::GET, "/templates/variables", None)
        .await;
    assert_eq!(status, 200, "{variables}");
    let variables: Vec<&str> = variables
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for wanted in ["issue.key", "reporter.first_name", "today"] {
        assert!(variables.contains(&wanted), "{wanted} in {variables:?}");
    }

    let good = json!({"body": "About {{ issue.key }}.", "issue": key});
    let (status, shown) = api
        .call(&api.agent, Method::POST, "/templates/preview", Some(good))
        .await;
    assert_eq!(
        (status, shown["text"].as_str()),
        (200, Some(&*format!("About {key}.")))
    );

    for (body, says) in [
        ("Hi\nthere {% if %}", "line 2"),
        (
            "Hi\n\n{{ reporter.frist_name }}",
            "unknown variable reporter.frist_name (line 3)",
        ),
    ] {
        let (status, refused) = api
            .call(
                &api.agent,
                Method::POST,
                "/templates/preview",
                Some(json!({"body": body, "issue": key})),
            )
            .await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["errors"][0]["field"], "body");
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let (status, _) = api
        .call(
            &api.agent,
            Method::POST,
            "/templates/preview",
            Some(json!({"body": "x", "issue": "SUP-999999"})),
        )
        .await;
    assert_eq!(
        status, 422,
        "an issue that does not exist is the issue field's problem"
    );
}

#[tokio::test]
async fn insights_count_api_uses_of_the_templates_one_administers_only() {
    let api = start(true).await;
    let key = api.issue().await;
    let shared = api
        .create(
            &api.admin,
            "Shared",
            json!({"kind": "projects", "values": ["SUP"]}),
        )
        .await;
    let personal = api
        .create(&api.agent, "Agent's own", json!({"kind": "personal"}))
        .await;
    for (token, id) in [
        (&api.agent, &shared),
        (&api.agent, &personal),
        (&api.admin, &shared),
    ] {
        let (status, done) = api
            .call(
                token,
                Method::POST,
                &format!("/templates/{id}/apply"),
                Some(json!({"issue": key})),
            )
            .await;
        assert_eq!(status, 200, "{done}");
    }

    let (status, admin) = api
        .call(&api.admin, Method::GET, "/templates/insights", None)
        .await;
    assert_eq!(status, 200, "{admin}");
    let templates = admin["templates"].as_array().unwrap();
    assert_eq!(
        templates.len(),
        1,
        "the agent's personal template is theirs: {admin}"
    );
    assert_eq!(templates[0]["id"], *shared);
    assert_eq!(templates[0]["posted"], 2);
    assert_eq!(admin["agents"].as_array().unwrap().len(), 2);
    assert_eq!(admin["weeks"][0]["posted"], 2, "{admin}");
    assert_eq!(admin["top_by_project"][0]["project"], "SUP");
    assert_eq!(admin["top_by_project"][0]["template_id"], *shared);
    assert!(!admin.to_string().contains(&personal));
    assert!(!admin.to_string().contains("Agent's own"));

    let (status, mine) = api
        .call(&api.agent, Method::GET, "/templates/insights", None)
        .await;
    assert_eq!(status, 200, "{mine}");
    let names: Vec<&str> = mine["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Agent's own"],
        "an agent administers only their own"
    );
    assert_eq!(mine["templates"][0]["posted"], 1);

    let path = format!("/templates/insights?template={personal}");
    assert_eq!(api.call(&api.admin, Method::GET, &path, None).await.0, 404);
}
