//! The client: one per tenant, cheap to clone, all clones sharing one limiter.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postroom_core::adf::Doc;
use postroom_core::ports::tracker::{Dialect, ServerInfo, TrackerError};
use reqwest::{Method, Url};
use serde::Deserialize;

use crate::auth::{Auth, AuthState, OAuthTokens};
use crate::config::{JiraConfig, Politeness};
use crate::headers::RateLimitInfo;
use crate::limiter::{Limiter, PaceReport};
use crate::transport::Call;

/// A Jira REST client for one tenant, implementing [`postroom_core::ports::tracker::Tracker`]
/// for Cloud (v3, ADF) and Data Center (v2, wiki markup).
#[derive(Debug, Clone)]
pub struct JiraClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub http: reqwest::Client,
    /// Base URL without a trailing slash, context path included.
    pub base_url: String,
    pub dialect: Dialect,
    pub auth: AuthState,
    pub limiter: Arc<Limiter>,
    pub politeness: Politeness,
    pub tenant: String,
    pub index_lag_allowance: Duration,
    pub unknown_outcome_max: Duration,
    /// Issues found to share one idempotency key with another (see [`JiraClient::duplicates_seen`]).
    pub duplicates: std::sync::atomic::AtomicU64,
    rate_headers: Mutex<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerInfoBody {
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    deployment_type: String,
    #[serde(default)]
    server_title: String,
}

impl JiraClient {
    /// Builds the client. When the configuration names no dialect, asks `serverInfo`
    /// (which needs no dialect: both versions serve it) and picks by `deploymentType`.
    pub async fn connect(config: JiraConfig) -> Result<Self, TrackerError> {
        let base = Url::parse(config.base_url.trim_end_matches('/')).map_err(|e| {
            TrackerError::Permanent {
                what: format!("reading the Jira base URL {:?}", config.base_url),
                status: 0,
                message: e.to_string(),
            }
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(TrackerError::Permanent {
                what: format!("reading the Jira base URL {:?}", config.base_url),
                status: 0,
                message: "the URL must start with https:// (or http:// for a local test site)"
                    .into(),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(config.politeness.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("postroom/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TrackerError::Permanent {
                what: "building the HTTP client".into(),
                status: 0,
                message: e.to_string(),
            })?;
        let mut client = Self {
            inner: Arc::new(Inner {
                http,
                base_url: config.base_url.trim_end_matches('/').to_owned(),
                dialect: config.dialect.unwrap_or(Dialect::CloudV3),
                auth: AuthState::new(config.auth),
                limiter: Arc::new(Limiter::new(
                    &config.politeness,
                    config.app_budget.clone(),
                    config.fleet.clone(),
                    &config.tenant,
                )),
                politeness: config.politeness,
                tenant: config.tenant,
                index_lag_allowance: config.index_lag_allowance,
                unknown_outcome_max: config.unknown_outcome_max,
                duplicates: std::sync::atomic::AtomicU64::new(0),
                rate_headers: Mutex::new(BTreeMap::new()),
            }),
        };
        if config.dialect.is_none() {
            let info = client.fetch_server_info().await?;
            let dialect = Dialect::from_deployment_type(&info.deployment_type);
            if let Some(inner) = Arc::get_mut(&mut client.inner) {
                inner.dialect = dialect;
            }
        }
        Ok(client)
    }

    /// A client of the same site that calls with `auth` instead: a person's own token
    /// (a Forge user token), so that what they do in Jira is done as them. It shares this
    /// client's limiter, so the site's pace holds whoever is calling.
    pub fn acting_as(&self, auth: Auth) -> JiraClient {
        let inner = &self.inner;
        JiraClient {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                base_url: inner.base_url.clone(),
                dialect: inner.dialect,
                auth: AuthState::new(auth),
                limiter: Arc::clone(&inner.limiter),
                politeness: inner.politeness.clone(),
                tenant: inner.tenant.clone(),
                index_lag_allowance: inner.index_lag_allowance,
                unknown_outcome_max: inner.unknown_outcome_max,
                duplicates: std::sync::atomic::AtomicU64::new(0),
                rate_headers: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The REST dialect in use.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    /// The OAuth tokens now in use: after a refresh the caller should store them, as
    /// Atlassian rotates refresh tokens.
    pub fn oauth_tokens(&self) -> Option<OAuthTokens> {
        self.inner.auth.oauth_tokens()
    }

    /// The rate-limit headers seen so far (latest value of each), for diagnostics.
    pub fn rate_limit_headers_seen(&self) -> BTreeMap<String, String> {
        self.inner
            .rate_headers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many times a lookup found one mail's idempotency key on more than one issue
    /// (also counted in `postroom_jira_duplicate_issues_total`).
    pub fn duplicates_seen(&self) -> u64 {
        self.inner
            .duplicates
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The site's pace: rates, the limits seen, 429s, time spent waiting.
    pub fn pace(&self) -> PaceReport {
        self.inner.limiter.report()
    }

    pub(crate) fn remember_rate_headers(&self, info: &RateLimitInfo) {
        if info.raw.is_empty() {
            return;
        }
        let mut seen = self
            .inner
            .rate_headers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.extend(info.raw.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    /// `/rest/api/3` + `path` on Cloud, `/rest/api/2` + `path` on Data Center.
    pub(crate) fn api(&self, path: &str) -> String {
        match self.inner.dialect {
            Dialect::CloudV3 => format!("/rest/api/3{path}"),
            Dialect::DataCenterV2 => format!("/rest/api/2{path}"),
        }
    }

    pub(crate) fn is_cloud(&self) -> bool {
        self.inner.dialect == Dialect::CloudV3
    }

    /// Rich text in the dialect's wire form: ADF JSON or a wiki-markup string.
    pub(crate) fn rich_text(&self, doc: &Doc) -> serde_json::Value {
        if self.is_cloud() {
            serde_json::to_value(doc).unwrap_or(serde_json::Value::Null)
        } else {
            serde_json::Value::String(postroom_core::wiki::from_adf(doc))
        }
    }

    /// Rich text from the wire: ADF JSON as is, wiki markup parsed, anything else as text.
    pub(crate) fn doc_from_wire(value: &serde_json::Value) -> Doc {
        match value {
            serde_json::Value::String(s) => postroom_core::wiki::to_adf(s),
            serde_json::Value::Null => Doc::new(Vec::new()),
            other => serde_json::from_value(other.clone())
                .unwrap_or_else(|_| postroom_core::adf::from_text(&other.to_string())),
        }
    }

    /// The user reference in a request body: `accountId` on Cloud, `name` on Data Center.
    pub(crate) fn user_ref(&self, id: &str) -> serde_json::Value {
        if self.is_cloud() {
            serde_json::json!({ "accountId": id })
        } else {
            serde_json::json!({ "name": id })
        }
    }

    /// The query parameter naming a user: `accountId` on Cloud, `username` on Data Center.
    pub(crate) fn user_param(&self) -> &'static str {
        if self.is_cloud() {
            "accountId"
        } else {
            "username"
        }
    }

    pub(crate) async fn fetch_server_info(&self) -> Result<ServerInfo, TrackerError> {
        // serverInfo exists in both versions; v2 is the one every deployment has.
        let call = Call::new(Method::GET, "/rest/api/2/serverInfo".into(), "serverInfo");
        let body: ServerInfoBody = self.send(&call).await?.json("serverInfo")?;
        Ok(ServerInfo {
            base_url: body.base_url,
            version: body.version,
            deployment_type: body.deployment_type,
            server_title: body.server_title,
        })
    }
}

/// Percent-encodes one path segment (issue key, property key, id).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(seg("SUP-12"), "SUP-12");
        assert_eq!(seg("postroom.idempotency"), "postroom.idempotency");
        assert_eq!(seg("a/b c?"), "a%2Fb%20c%3F");
        assert_eq!(seg("é"), "%C3%A9");
    }
}
