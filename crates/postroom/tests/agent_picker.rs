#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The agent's picker through the API it uses, in-process against the Jira sandbox: which
//! templates each role is offered (scopes × roles), finding an issue, the preview with the
//! agent's values, posting, favourites, saving a reply as a personal template, Insights,
//! and the local usage flags (counted only here, and not at all with `usage.flags = false`).

mod console_support;

use console_support::{Console, Who};
use jira_sandbox::{ADMIN_ACCOUNT_ID, AGENT_ACCOUNT_ID, Credentials};
use postroom_core::canned::{Draft, Scope};
use postroom_store::templates::Templates;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

/// One template of each scope, by the owner named.
const SEEDED: [(&str, &str); 7] = [
    ("personal of admin", "admin"),
    ("personal of agent", "agent"),
    ("global", "admin"),
    ("project SUP", "admin"),
    ("project OPS", "admin"),
    ("group jira-servicemanagement-users", "admin"),
    ("group tier-2", "admin"),
];

fn scope_of(name: &str) -> Scope {
    match name {
        n if n.starts_with("personal") => Scope::Personal,
        "global" => Scope::Global,
        n if n.starts_with("project ") => Scope::Projects(vec![n[8..].to_owned()]),
        n => Scope::Groups(vec![n[6..].to_owned()]),
    }
}

async fn seed(console: &Console) {
    let store = Templates::new(console.tenant().await);
    for (name, owner) in SEEDED {
        let owner = if owner == "admin" {
            ADMIN_ACCOUNT_ID
        } else {
            AGENT_ACCOUNT_ID
        };
        let draft = Draft {
            name: name.to_owned(),
            body: format!("Hello {{{{ reporter.display_name }}}}, {name}."),
            description: String::new(),
            folder: None,
            tags: vec!["matrix".to_owned()],
            scope: scope_of(name),
        };
        store.create(&draft, owner, 1).await.unwrap();
    }
}

/// A session's request: GET, or POST/PUT/DELETE with a JSON body and the CSRF token.
async fn call(
    console: &Console,
    session: &(String, String),
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = console
        .http
        .request(method, format!("{}/api/v1{path}", console.base))
        .header(COOKIE, &session.0)
        .header("X-CSRF-Token", &session.1);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn names(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn each_role_is_offered_only_the_templates_its_scopes_allow_in_the_issues_project() {
    let console = Console::start().await;
    seed(&console).await;
    // (who, project) → what the picker offers; the table of the canned-responses issue.
    let table: [(Who, &str, &[&str]); 6] = [
        (
            Who::Admin,
            "SUP",
            &[
                "global",
                "group jira-servicemanagement-users",
                "group tier-2",
                "personal of admin",
                "project SUP",
            ],
        ),
        (
            Who::Admin,
            "OPS",
            &[
                "global",
                "group jira-servicemanagement-users",
                "group tier-2",
                "personal of admin",
                "project OPS",
            ],
        ),
        (Who::ProjectAdmin, "SUP", &["global", "project SUP"]),
        (Who::ProjectAdmin, "OPS", &["global"]),
        (
            Who::Agent,
            "SUP",
            &[
                "global",
                "group jira-servicemanagement-users",
                "personal of agent",
                "project SUP",
            ],
        ),
        (
            Who::Agent,
            "OPS",
            &[
                "global",
                "group jira-servicemanagement-users",
                "personal of agent",
            ],
        ),
    ];
    let mut wrong = Vec::new();
    for (who, project, expected) in table {
        let session = console.session(who).await;
        for query in ["", "matrix"] {
            let path = format!("/templates/search?q={query}&project={project}&limit=100");
            let (status, body) = call(&console, &session, reqwest::Method::GET, &path, None).await;
            assert_eq!(status, 200, "{who:?} {path}: {body}");
            if names(&body) != expected {
                wrong.push(format!(
                    "{who:?} in {project} ({query:?}): {:?}",
                    names(&body)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    console.sandbox.shutdown().await;
}

/// A new SUP issue reported by a customer, made through the sandbox's REST API.
async fn issue(console: &Console) -> String {
    let made: Value = console
        .http
        .post(format!("{}/rest/api/3/issue", console.sandbox.base_url))
        .header("Authorization", Credentials::admin().basic_header())
        .json(
            &json!({"fields": {"project": {"key": "SUP"}, "summary": "Printer jams",
                                  "issuetype": {"id": "10001"}}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    made["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_agent_finds_an_issue_previews_fills_posts_and_saves_a_reply() {
    use reqwest::Method;
    let console = Console::start().await;
    let key = issue(&console).await;
    let agent = console.session(Who::Agent).await;
    let admin = console.session(Who::Admin).await;
    let draft = json!({"name": "Due date answer", "body": "Due on {{ issue.due_date }}.",
                       "scope": {"kind": "global"}});
    let (status, made) = call(&console, &admin, Method::POST, "/templates", Some(draft)).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();

    let (status, found) = call(
        &console,
        &agent,
        Method::GET,
        &format!("/agent/issues?q={}", key.to_lowercase()),
        None,
    )
    .await;
    assert_eq!(
        (status, found[0]["key"].as_str()),
        (200, Some(key.as_str())),
        "{found}"
    );
    let jql = "project%20%3D%20SUP%20ORDER%20BY%20created%20DESC";
    let (status, found) = call(
        &console,
        &agent,
        Method::GET,
        &format!("/agent/issues?q={jql}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["key"] == key.as_str())
    );
    let (status, bad) = call(
        &console,
        &agent,
        Method::GET,
        "/agent/issues?q=project%20%3D%3D",
        None,
    )
    .await;
    assert_eq!(status, 422, "bad JQL is the agent's to fix: {bad}");
    let (status, answerable) = call(
        &console,
        &agent,
        Method::GET,
        &format!("/agent/issues/{key}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{answerable}");
    assert!(
        answerable["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Wait for customer")
    );

    let render = |values: Value, inserted: bool| json!({"issue": key, "values": values, "inserted": inserted});
    let (status, preview) = call(
        &console,
        &agent,
        Method::POST,
        &format!("/templates/{id}/render"),
        Some(render(json!({}), true)),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["missing"], json!(["issue.due_date"]));
    let (_, preview) = call(
        &console,
        &agent,
        Method::POST,
        &format!("/templates/{id}/render"),
        Some(render(json!({"issue.due_date": "Friday"}), false)),
    )
    .await;
    assert_eq!(preview["text"], "Due on Friday.");
    assert_eq!(preview["missing"], json!([]));

    let (status, favoured) = call(
        &console,
        &agent,
        Method::PUT,
        &format!("/templates/{id}/favourite"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{favoured}");
    let (_, favourites) = call(&console, &agent, Method::GET, "/agent/favourites", None).await;
    assert_eq!(favourites, json!([id]));

    let apply = json!({"issue": key, "public": false, "transition": "Wait for customer",
                       "values": {"issue.due_date": "Friday"}});
    let (status, applied) = call(
        &console,
        &agent,
        Method::POST,
        &format!("/templates/{id}/apply"),
        Some(apply),
    )
    .await;
    assert_eq!(status, 200, "{applied}");
    let seen: Value = console
        .http
        .get(format!(
            "{}/rest/api/3/issue/{key}?fields=status,comment",
            console.sandbox.base_url
        ))
        .header("Authorization", Credentials::admin().basic_header())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["fields"]["status"]["name"], "Waiting for customer");
    assert!(
        seen["fields"]["comment"]
            .to_string()
            .contains("Due on Friday."),
        "{seen}"
    );

    let mine =
        json!({"name": "My friday answer", "body": applied["text"], "scope": {"kind": "personal"}});
    let (status, saved) = call(&console, &agent, Method::POST, "/templates", Some(mine)).await;
    assert_eq!(status, 201, "{saved}");
    let (_, hits) = call(
        &console,
        &agent,
        Method::GET,
        "/templates/search?q=friday&project=SUP",
        None,
    )
    .await;
    assert_eq!(names(&hits), ["My friday answer"]);
    let (_, hits) = call(
        &console,
        &admin,
        Method::GET,
        "/templates/search?q=friday&project=SUP",
        None,
    )
    .await;
    assert_eq!(
        names(&hits),
        Vec::<String>::new(),
        "a personal template is its owner's only"
    );

    let (status, usage) = call(&console, &admin, Method::GET, "/usage", None).await;
    assert_eq!(status, 200, "{usage}");
    let week = &usage["insights"][0];
    assert_eq!(
        (
            week["template_id"].as_str(),
            week["inserted"].as_i64(),
            week["posted"].as_i64()
        ),
        (Some(id.as_str()), Some(1), Some(1)),
        "{usage}"
    );
    assert!(
        !usage.to_string().contains("Friday"),
        "Insights hold no text: {usage}"
    );
    let (status, _) = call(&console, &agent, Method::GET, "/usage", None).await;
    assert_eq!(status, 403, "usage is for administrators");
    console.sandbox.shutdown().await;
}

/// The counts of `/api/v1/usage`, by flag.
async fn flags(console: &Console) -> Value {
    let admin = console.session(Who::Admin).await;
    let (status, usage) = call(console, &admin, reqwest::Method::GET, "/usage", None).await;
    assert_eq!(status, 200, "{usage}");
    let mut out = serde_json::Map::new();
    for f in usage["flags"].as_array().unwrap() {
        out.insert(f["flag"].as_str().unwrap().to_owned(), f["count"].clone());
    }
    out.insert("enabled".to_owned(), usage["flags_enabled"].clone());
    Value::Object(out)
}

#[tokio::test]
async fn usage_flags_are_counted_here_only_and_not_at_all_when_switched_off() {
    for enabled in [true, false] {
        let console = Console::start_flags(enabled).await;
        let agent = console.session(Who::Agent).await;
        let before = console.sandbox.handle.stats();
        // Inserts and posts are counted by postroom itself, never reported; unknown names
        // are refused.
        for (flag, answer) in [
            ("picker_opened", 204),
            ("picker_opened", 204),
            ("filters_used", 204),
            ("extension_not_used", 204),
            ("comment_posted", 422),
            ("keystrokes", 422),
        ] {
            let body = json!({ "flag": flag });
            let path = "/usage/flags";
            let (status, body) =
                call(&console, &agent, reqwest::Method::POST, path, Some(body)).await;
            assert_eq!(status, answer, "{flag}: {body}");
        }
        assert_eq!(
            console.sandbox.handle.stats(),
            before,
            "nothing went to Jira, the only peer"
        );
        let counted = flags(&console).await;
        let (opened, filtered) = if enabled { (2, 1) } else { (0, 0) };
        assert_eq!(counted["enabled"], enabled);
        assert_eq!(counted["picker_opened"], opened, "{counted}");
        assert_eq!(counted["filters_used"], filtered, "{counted}");
        let rows: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM usage_flags")
            .fetch_one(console.store.store.db().pool())
            .await
            .unwrap();
        assert_eq!(rows.0 > 0, enabled, "rows in usage_flags");
        console.sandbox.shutdown().await;
    }
}

/// The issue's check of «Interactive work first»: an agent's apply, made through the API,
/// is served before the requests of a bulk import and of live mail already queued on the
/// same site (live work queued too shows that the API marks its requests interactive).
#[tokio::test]
async fn an_agents_apply_goes_before_a_bulk_imports_queued_requests() {
    use postroom_core::ports::tracker::{NewComment, Priority, Tracker};
    use postroom_core::tenant::TenantId;
    use reqwest::Method;
    let console = Console::start().await;
    let busy = issue(&console).await;
    let key = issue(&console).await;
    let admin = console.session(Who::Admin).await;
    let agent = console.session(Who::Agent).await;
    let draft = json!({"name": "Thanks", "body": "Thank you.", "scope": {"kind": "global"}});
    let (status, made) = call(&console, &admin, Method::POST, "/templates", Some(draft)).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    // One request at a time, four a second: the import queues up behind the pace.
    console.pace_default_site(postroom_jira::Politeness {
        start_rate: 4.0,
        requests_per_sec: Some(4.0),
        max_concurrency: 1,
        ..postroom_jira::Politeness::default()
    });
    let site = console.trackers.get(&TenantId::default_tenant()).unwrap();
    let jira = site.client().await.unwrap().clone();
    let mut import = tokio::task::JoinSet::new();
    for n in 0..16 {
        let jira = jira.clone();
        let busy = busy.clone();
        let priority = if n % 2 == 0 {
            Priority::Bulk
        } else {
            Priority::Live
        };
        import.spawn(priority.scope(async move {
            let comment = NewComment {
                body: postroom_core::adf::from_text(&format!("imported {n}")),
                visibility: None,
                public: None,
                properties: Vec::new(),
            };
            jira.add_comment(&busy, &comment).await.map(|_| ())
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let asked = console.sandbox.handle.requests().len();
    let apply = json!({"issue": key, "public": false});
    let (status, applied) = call(
        &console,
        &agent,
        Method::POST,
        &format!("/templates/{id}/apply"),
        Some(apply),
    )
    .await;
    assert_eq!(status, 200, "{applied}");
    let log = console.sandbox.handle.requests();
    assert!(
        log.iter()
            .skip(asked)
            .any(|r| r.path.contains(&format!("/{key}"))),
        "the apply reached the site"
    );
    let overtaken = log
        .iter()
        .skip(asked)
        .take_while(|r| !r.path.contains(&format!("/{key}")))
        .filter(|r| r.path.contains(&format!("/{busy}/")))
        .count();
    assert!(
        overtaken <= 1,
        "the apply must go before the queued work (one request may be on its way): \
         {overtaken} queued requests went first"
    );
    let imported = import.join_all().await;
    assert!(imported.iter().all(Result::is_ok), "{imported:?}");
    let posted = console
        .sandbox
        .handle
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/comment") && r.status == 201)
        .count();
    assert_eq!(posted, 17, "the queued 16 comments and the agent's");
}
