//! What the client benchmarks share: a new issue each time, and a client of a sandbox.

#![allow(clippy::unwrap_used, dead_code)] // benchmark set-up; each bench uses a part

use std::sync::atomic::{AtomicU64, Ordering};

use jira_sandbox::{Credentials, RunningSandbox};
use postroom_core::adf;
use postroom_core::ports::tracker::{Dialect, IdempotencyKey, IssueTypeRef, NewIssue};
use postroom_jira::{Auth, JiraClient, JiraConfig, Politeness, Secret};
use serde_json::Map;

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A new issue with an idempotency key never used before in this process.
pub fn issue() -> NewIssue {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    NewIssue {
        project: "SUP".into(),
        issue_type: IssueTypeRef::Id("10001".into()),
        summary: format!("Bench {n}"),
        description: Some(adf::from_text("A short mail body\nwith two lines.")),
        reporter: None,
        fields: Map::new(),
        properties: Vec::new(),
        idempotency_key: IdempotencyKey::parse(&format!("<bench-{n}@mail.test>")).unwrap(),
        may_exist: false,
        unknown_since_ms: None,
    }
}

/// A Cloud client of `sandbox` as its administrator.
pub async fn client(sandbox: &RunningSandbox, politeness: Politeness) -> JiraClient {
    let admin = Credentials::admin();
    let mut config = JiraConfig::new(
        sandbox.base_url.clone(),
        Auth::ApiToken {
            email: admin.email,
            token: Secret::new(admin.api_token),
        },
    );
    config.dialect = Some(Dialect::CloudV3);
    config.politeness = politeness;
    JiraClient::connect(config).await.unwrap()
}
