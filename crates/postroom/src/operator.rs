//! Delivering operator events (see [`postroom_engine::operator`]) to the operator's
//! Slack-compatible incoming webhook (`[operator] webhook_url_file`): one POST of
//! `{"text": …}` per event. A 5xx, a 429 or no answer is retried as any job is; another 4xx
//! parks the job as dead (the URL is wrong, and retrying would not change that).

use std::sync::Arc;
use std::time::Duration;

use postroom_core::ports::tracker::Tracker;
use postroom_engine::inbound::Sites;
use postroom_engine::operator;
use postroom_engine::worker::{Handler, JobContext, JobError};
use postroom_store::crypto::Keyring;
use postroom_store::{Store, TenantStore};

use crate::config::Secret;
use crate::trackers::Trackers;

/// How long the webhook has to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// The handler of [`operator::OPERATOR_EVENT_JOB`] jobs. Cheap to clone.
#[derive(Clone)]
pub struct OperatorWebhook {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    keyring: Keyring,
    trackers: Trackers,
    url: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for OperatorWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OperatorWebhook")
    }
}

impl OperatorWebhook {
    pub fn new(
        store: Store,
        keyring: Keyring,
        trackers: Trackers,
        url: Secret,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .user_agent(concat!("postroom/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                keyring,
                trackers,
                url,
                http,
            }),
        })
    }

    /// The site's own URL as Jira states it (for a Forge site, its API base URL is
    /// Atlassian's gateway), else the configured one, else the tenant's name.
    async fn site(&self, tenant: &TenantStore) -> String {
        if let Ok(Some(jira)) = self.inner.trackers.tracker(tenant.id()).await
            && let Ok(info) = jira.server_info().await
            && !info.base_url.is_empty()
        {
            return info.base_url;
        }
        match tenant.record().await {
            Ok(record) => record
                .jira
                .url
                .unwrap_or_else(|| format!("(tenant {})", tenant.id().as_str())),
            Err(_) => format!("(tenant {})", tenant.id().as_str()),
        }
    }

    async fn deliver(&self, ctx: &mut JobContext) -> Result<(), JobError> {
        let inner = &self.inner;
        let tenant = inner
            .store
            .tenant(&ctx.job().tenant)
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?;
        let event = operator::open(
            &tenant,
            &inner.keyring,
            &ctx.job().idempotency_key,
            ctx.payload(),
        )
        .await
        .map_err(|e| JobError::Permanent(format!("the event cannot be read: {e}")))?;
        let text = event.message(&self.site(&tenant).await);
        let sent = inner
            .http
            .post(inner.url.expose())
            .json(&serde_json::json!({ "text": text }))
            .send()
            .await;
        // Neither the URL (the webhook's secret) nor the text goes into the job's error.
        let status = match sent {
            Ok(response) => response.status(),
            Err(e) if e.is_timeout() => {
                return Err(JobError::Transient(
                    "the operator's webhook did not answer in time".to_owned(),
                ));
            }
            Err(_) => {
                return Err(JobError::Transient(
                    "the operator's webhook cannot be reached".to_owned(),
                ));
            }
        };
        if status.is_success() {
            tracing::info!(tenant = %tenant.id(), kind = kind(&event), "operator event delivered");
            Ok(())
        } else if status.is_server_error() || status.as_u16() == 429 {
            Err(JobError::Transient(format!(
                "the operator's webhook answered {status}"
            )))
        } else {
            Err(JobError::Permanent(format!(
                "the operator's webhook refused the event ({status}); check [operator] \
                 webhook_url_file, then retry the job"
            )))
        }
    }
}

fn kind(event: &operator::OperatorEvent) -> &'static str {
    match event {
        operator::OperatorEvent::Installed => "installed",
        operator::OperatorEvent::Uninstalled => "uninstalled",
        operator::OperatorEvent::Feedback { .. } => "feedback",
    }
}

impl Handler for OperatorWebhook {
    fn run<'a>(
        &'a self,
        ctx: &'a mut JobContext,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>> {
        Box::pin(self.deliver(ctx))
    }
}
