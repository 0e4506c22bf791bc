//! Shared helpers: a sandbox on 127.0.0.1:0 and a client that speaks to it.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jira_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use reqwest::{Client, Method, RequestBuilder};
use serde_json::{Value, json};

pub struct Site {
    pub sb: RunningSandbox,
    pub http: Client,
    pub auth: String,
}

pub async fn start() -> Site {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> Site {
    let sb = Sandbox::start(config).await.expect("sandbox starts");
    let auth = sb.admin().basic_header();
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Site { sb, http, auth }
}

impl Site {
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.sb.base_url))
            .header("authorization", &self.auth)
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn create(&self, summary: &str) -> String {
        let (status, body) = self
            .send(Method::POST, "/rest/api/3/issue", Some(issue_body(summary)))
            .await;
        assert_eq!(status, 201, "{body}");
        body["key"].as_str().unwrap().to_owned()
    }
}

pub fn adf(text: &str) -> Value {
    json!({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":text}]}]})
}

pub fn issue_body(summary: &str) -> Value {
    json!({"fields": {
        "project": {"key": "SUP"},
        "issuetype": {"name": "Service Request"},
        "summary": summary,
        "description": adf("It does not work."),
    }})
}
