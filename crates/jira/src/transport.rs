//! One call to Jira, end to end: wait for the limiter, sign, send, read the rate-limit
//! headers, and retry what may be retried.
//!
//! Retry rules: a 429 (and a 503 with `Retry-After`) is retried, for any method, only after
//! the wait Jira asked for, as Jira refuses those before doing anything. Other 5xx,
//! timeouts and broken connections are retried with backoff and jitter only for idempotent
//! calls; for the others the caller gets `Transient { outcome_unknown: true }` and decides
//! (issue creation then looks for the issue before creating again).

use std::time::{Duration, SystemTime};

use postroom_core::ports::tracker::TrackerError;
use rand::Rng;
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::client::JiraClient;
use crate::limiter::{CallScope, Priority, ThrottleScope};
use crate::{errors, headers};

/// What a call sends.
#[derive(Debug, Clone)]
pub(crate) enum CallBody {
    None,
    Json(Value),
    File {
        name: String,
        content_type: String,
        bytes: Vec<u8>,
    },
}

/// One REST call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    /// Path below the base URL, already percent-encoded, e.g. `/rest/api/3/issue/SUP-1`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: CallBody,
    /// True when sending the call twice has the same effect as sending it once.
    pub idempotent: bool,
    /// What the call is about, for messages (`issue SUP-1`, `the comment`).
    pub subject: String,
}

impl Call {
    pub(crate) fn new(method: Method, path: String, subject: impl Into<String>) -> Self {
        let idempotent = matches!(
            method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD
        );
        Self {
            method,
            path,
            query: Vec::new(),
            body: CallBody::None,
            idempotent,
            subject: subject.into(),
        }
    }

    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn json(mut self, body: Value) -> Self {
        self.body = CallBody::Json(body);
        self
    }

    pub(crate) fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A successful answer, read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON of type `T`.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
    ) -> Result<T, TrackerError> {
        serde_json::from_slice(&self.body).map_err(|e| TrackerError::Permanent {
            what: what.to_owned(),
            status: self.status,
            message: format!("Jira's answer could not be read: {e}"),
        })
    }
}

enum Step {
    Done(Result<Reply, TrackerError>),
    Retry(Duration),
}

impl JiraClient {
    /// Sends `call`, retrying as the module docs describe.
    pub(crate) async fn send(&self, call: &Call) -> Result<Reply, TrackerError> {
        let inner = self.inner();
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let last = attempt >= inner.politeness.max_attempts.max(1);
            let step = self.attempt(call, last, &mut refreshed, attempt).await;
            match step {
                Step::Done(result) => return result,
                Step::Retry(wait) => {
                    metrics::counter!("postroom_jira_retries_total", "tenant" => inner.tenant.clone()).increment(1);
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
    }

    async fn attempt(&self, call: &Call, last: bool, refreshed: &mut bool, attempt: u32) -> Step {
        let inner = self.inner();
        let what = call.label();
        let url = match self.url(&call.path, &call.query) {
            Ok(url) => url,
            Err(e) => return Step::Done(Err(e)),
        };
        let scope = CallScope::of(&call.method, &call.path);
        let permit = inner.limiter.acquire(&scope, Priority::current()).await;
        let request = match self.build(call, url) {
            Ok(r) => r,
            Err(e) => return Step::Done(Err(e)),
        };
        let used_auth = request
            .headers()
            .get(reqwest::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default();
        let started = std::time::Instant::now();
        let sent = inner.http.execute(request).await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return self.network_failure(call, &what, &e, last, attempt),
        };
        let status = response.status();
        let info = headers::read(response.headers(), SystemTime::now());
        headers::record(&inner.tenant, &info);
        self.remember_rate_headers(&info);
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => return self.network_failure(call, &what, &e, last, attempt),
        };
        metrics::histogram!("postroom_jira_request_seconds", "tenant" => inner.tenant.clone(), "method" => call.method.to_string())
            .record(started.elapsed().as_secs_f64());
        metrics::counter!("postroom_jira_responses_total", "tenant" => inner.tenant.clone(), "status" => status.as_u16().to_string())
            .increment(1);
        if status.is_success() || status.is_redirection() {
            permit.succeeded(info.near_limit);
            if info.remaining == Some(0.0)
                && let Some(wait) = info.reset_in
            {
                // The quota is spent: nothing more until it resets.
                inner.limiter.pause_site(wait);
            }
            return Step::Done(Ok(Reply {
                status: status.as_u16(),
                body,
            }));
        }
        if status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE && info.wait().is_some())
        {
            let wait = info
                .wait()
                .unwrap_or_else(|| backoff(&inner.politeness, attempt));
            if status == StatusCode::TOO_MANY_REQUESTS {
                permit.throttled(wait, ThrottleScope::from_reason(info.reason.as_deref()));
            } else {
                inner.limiter.pause_site(wait);
            }
            drop(permit);
            let may_retry = status == StatusCode::TOO_MANY_REQUESTS || call.idempotent;
            if may_retry && !last && wait <= inner.politeness.max_inline_wait {
                // The limiter holds every request of the tenant until the wait is over.
                return Step::Retry(Duration::ZERO);
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                return Step::Done(Err(TrackerError::RateLimited {
                    what,
                    retry_after: wait,
                    reason: info.reason,
                }));
            }
            return Step::Done(Err(TrackerError::Transient {
                what,
                message: "Jira is unavailable (503)".into(),
                outcome_unknown: !call.idempotent,
            }));
        }
        if status == StatusCode::UNAUTHORIZED
            && let Some(wait) = inner.auth.refused(&used_auth, &what)
        {
            // A Forge token Jira no longer takes: the call waits for the next one.
            return Step::Done(Err(wait));
        }
        if status == StatusCode::UNAUTHORIZED && !*refreshed && inner.auth.can_refresh() {
            *refreshed = true;
            return match inner.auth.refresh(&inner.http).await {
                Ok(()) => Step::Retry(Duration::ZERO),
                Err(e) => Step::Done(Err(e)),
            };
        }
        if status.is_server_error() {
            if call.idempotent && !last {
                return Step::Retry(backoff(&inner.politeness, attempt));
            }
            let mut e = errors::from_status(status.as_u16(), &body, &what, &call.subject);
            if let TrackerError::Transient {
                outcome_unknown, ..
            } = &mut e
            {
                *outcome_unknown = !call.idempotent;
            }
            return Step::Done(Err(e));
        }
        Step::Done(Err(errors::from_status(
            status.as_u16(),
            &body,
            &what,
            &call.subject,
        )))
    }

    /// A failure without an HTTP answer. If the request never left (connect error), any call
    /// may be retried; otherwise only an idempotent one.
    fn network_failure(
        &self,
        call: &Call,
        what: &str,
        e: &reqwest::Error,
        last: bool,
        attempt: u32,
    ) -> Step {
        let never_sent = e.is_connect();
        let message = if e.is_timeout() {
            "timed out".to_owned()
        } else {
            describe(e)
        };
        tracing::debug!(call = %what, error = %message, "Jira request failed");
        if (never_sent || call.idempotent) && !last {
            return Step::Retry(backoff(&self.inner().politeness, attempt));
        }
        Step::Done(Err(TrackerError::Transient {
            what: what.to_owned(),
            message,
            outcome_unknown: !never_sent && !call.idempotent,
        }))
    }

    fn url(&self, path: &str, query: &[(String, String)]) -> Result<Url, TrackerError> {
        let inner = self.inner();
        let mut url = Url::parse(&format!("{}{}", inner.base_url, path)).map_err(|e| {
            TrackerError::Permanent {
                what: format!("building the URL for {path}"),
                status: 0,
                message: e.to_string(),
            }
        })?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok(url)
    }

    fn build(&self, call: &Call, url: Url) -> Result<reqwest::Request, TrackerError> {
        let inner = self.inner();
        let auth = inner.auth.header(&call.label())?;
        let mut builder = inner
            .http
            .request(call.method.clone(), url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .header(reqwest::header::ACCEPT, "application/json");
        builder = match &call.body {
            CallBody::None => builder,
            CallBody::Json(v) => builder.json(v),
            CallBody::File {
                name,
                content_type,
                bytes,
            } => {
                let part = reqwest::multipart::Part::bytes(bytes.clone())
                    .file_name(name.clone())
                    .mime_str(content_type)
                    .map_err(|e| TrackerError::Invalid {
                        what: format!("the attachment's content type {content_type:?}"),
                        messages: vec![e.to_string()],
                        errors: Vec::new(),
                    })?;
                builder
                    .header("X-Atlassian-Token", "no-check")
                    .multipart(reqwest::multipart::Form::new().part("file", part))
            }
        };
        builder.build().map_err(|e| TrackerError::Permanent {
            what: call.label(),
            status: 0,
            message: describe(&e),
        })
    }
}

/// The error text without the URL (which may carry personal data in its query).
fn describe(e: &reqwest::Error) -> String {
    let mut s = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        if !s.is_empty() {
            s.push_str(": ");
        }
        s.push_str(&err.to_string());
        source = err.source();
    }
    if let Some(url) = e.url() {
        s = s.replace(url.as_str(), "<url>");
    }
    s
}

/// Exponential backoff with jitter: between half and all of `base * 2^(attempt-1)`,
/// capped, so that many clients retrying at once spread out.
pub(crate) fn backoff(p: &crate::config::Politeness, attempt: u32) -> Duration {
    let exp = p
        .base_backoff
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(p.max_backoff);
    let factor: f64 = rand::rng().random_range(0.5..=1.0);
    capped.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Politeness;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let p = Politeness {
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..Politeness::default()
        };
        for _ in 0..100 {
            let first = backoff(&p, 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = backoff(&p, 3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            assert!(backoff(&p, 30) <= Duration::from_secs(1));
        }
    }
}
