//! A sandbox Jira, a client for it, a store and a service per caller, for the canned
//! response tests.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::time::Duration;

use jira_sandbox::{Credentials, RunningSandbox, Sandbox, SandboxConfig};
use postroom_core::canned::{Draft, Scope};
use postroom_core::ports::tracker::Dialect;
use postroom_core::tenant::TenantId;
use postroom_engine::responses::{FactsCache, Responses};
use postroom_jira::{Auth, JiraClient, JiraConfig, Secret};
use postroom_store::JiraConnection;
use postroom_store::templates::Templates;
use postroom_store::testing::{self, TestStore};
use serde_json::Value;

pub use jira_sandbox::{ADMIN_ACCOUNT_ID as ADMIN, AGENT_ACCOUNT_ID as AGENT};

pub struct World {
    pub sandbox: RunningSandbox,
    pub jira: JiraClient,
    pub store: TestStore,
    pub templates: Templates,
    pub cache: FactsCache,
}

pub async fn world(dialect: Dialect) -> World {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let admin = Credentials::admin();
    let mut config = JiraConfig::new(
        sandbox.base_url.clone(),
        Auth::ApiToken {
            email: admin.email,
            token: Secret::new(admin.api_token),
        },
    );
    config.dialect = Some(dialect);
    let jira = JiraClient::connect(config).await.unwrap();
    let store = testing::sqlite().await.unwrap();
    let tenant = store
        .store
        .ensure_tenant(
            &TenantId::parse("default").unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap();
    World {
        sandbox,
        jira,
        store,
        templates: Templates::new(tenant),
        cache: FactsCache::with_ttl(Duration::ZERO),
    }
}

impl World {
    pub fn as_(&self, account: &str) -> Responses<'_, JiraClient> {
        Responses::new(
            &self.jira,
            self.templates.clone(),
            &self.cache,
            "default",
            &self.sandbox.base_url,
            account,
        )
    }

    /// A REST call to the sandbox as its administrator, in `version` (2 or 3).
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/rest/api/{path}", self.sandbox.base_url);
        let mut request = reqwest::Client::new()
            .request(method, url)
            .header("Authorization", Credentials::admin().basic_header());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }
}

pub fn draft(name: &str, body: &str, scope: Scope) -> Draft {
    Draft {
        name: name.to_owned(),
        body: body.to_owned(),
        description: String::new(),
        folder: None,
        tags: Vec::new(),
        scope,
    }
}
