//! `GET /api/v1/overview`: is postroom well, and what needs an administrator now — the
//! console's first page, as one call.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use postroom_store::mailboxes::Mailboxes;
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::jobs::{DepthBody, depth_of};
use super::{ApiError, AppState};
use crate::app;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// One listener this process runs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListenerBody {
    /// `http`, `smtp` or `lmtp`.
    pub name: String,
    pub address: String,
}

/// One IMAP mailbox the tenant's instances poll.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MailboxBody {
    pub name: String,
    /// The last poll that moved its cursor or renewed its lease.
    pub last_poll_ms: i64,
    /// What went wrong in its latest poll (a fixed phrase); null when it went through.
    pub last_error: Option<String>,
    /// Since when that error is reported.
    pub last_error_ms: Option<i64>,
    /// Messages in the folder not taken in yet, as the latest poll counted them.
    pub waiting: Option<u32>,
}

/// The tenant's Jira as this process sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JiraBody {
    pub configured: bool,
    pub url: Option<String>,
    /// Whether this process has connected to it (tried now, for at most 3 seconds, when it
    /// had not yet); later failures show in the queue and the dead jobs. Null without Jira.
    pub reachable: Option<bool>,
    /// Requests per second postroom sent the site, as last measured.
    pub requests_per_sec: Option<f64>,
    /// The lowest rate (requests/s) at which an endpoint of the site last answered 429;
    /// null while none has.
    pub limit_seen: Option<f64>,
    /// 429s that slowed postroom down or paused a scope, since this process started.
    pub throttled: Option<u64>,
    /// Seconds postroom's requests spent waiting for the site's pace, summed, since this
    /// process started.
    pub waited_secs: Option<f64>,
    /// Requests in flight at once allowed now (it adapts up to `jira.max_concurrency`).
    pub concurrency: Option<usize>,
    /// The latest rate-limit headers Jira sent (`X-RateLimit-Remaining`, `Retry-After`, …).
    pub rate_limit_headers: BTreeMap<String, String>,
}

/// The site's standing as a Jira Cloud site that installed postroom's Forge app.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForgeBody {
    pub installed_at_ms: i64,
    /// Set while the site has uninstalled the app.
    pub uninstalled_at_ms: Option<i64>,
    /// When the site's data is erased unless it installs the app again.
    pub erase_at_ms: Option<i64>,
    /// The licence the latest invocation token carried; null when it carried none
    /// (development, free and private installs, which count as licensed).
    pub licence_active: Option<bool>,
    /// Until when postroom holds a valid app system token; null when it holds none (the
    /// site's Jira work waits for the next call from Forge).
    pub system_token_until_ms: Option<i64>,
}

/// A count of one outcome.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    pub status: String,
    pub count: u64,
}

/// Something an administrator should look at, and where it is fixed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttentionBody {
    /// `error` or `warning`.
    pub severity: String,
    pub text: String,
    /// The console page that fixes it (`#/jobs`), if there is one.
    pub link: Option<String>,
    /// Otherwise the command that does.
    pub command: Option<String>,
}

/// The overview.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverviewBody {
    pub listeners: Vec<ListenerBody>,
    pub mailboxes: Vec<MailboxBody>,
    pub jira: JiraBody,
    /// Jobs by kind.
    pub queue: Vec<DepthBody>,
    pub dead_jobs: i64,
    /// Mails taken in during the last 24 hours, by outcome.
    pub last_24h: Vec<OutcomeCount>,
    pub attention: Vec<AttentionBody>,
    /// Set for a Jira Cloud site that installed postroom's Forge app.
    pub forge: Option<ForgeBody>,
}

/// Listeners, mailboxes, Jira, the queue, the last day's mail and what needs attention.
#[utoipa::path(get, path = "/api/v1/overview", tag = "console",
    responses((status = 200, body = OverviewBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<OverviewBody>, ApiError> {
    caller.require_admin()?;
    let tenant = state.tenant_of(&caller).await?;
    let now = app::now_ms();
    let queue = depth_of(&state, &caller.tenant, now).await?;
    let dead_jobs = queue.iter().map(|d| d.dead).sum();
    let mailboxes = Mailboxes::new(tenant.clone())
        .activity()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .into_iter()
        .map(|m| MailboxBody {
            name: m.name,
            last_poll_ms: m.last_poll_ms,
            last_error: m.problem,
            last_error_ms: m.problem_at_ms,
            waiting: m.waiting,
        })
        .collect::<Vec<_>>();
    let counts: BTreeMap<String, u64> = tenant
        .audit_counts(now - DAY_MS)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .into_iter()
        .map(|(status, n)| (status.as_str().to_owned(), u64::try_from(n).unwrap_or(0)))
        .collect();
    let jira = jira(&state, &caller).await;
    let forge = forge(&state, &tenant, now).await?;
    let mut attention = attention(&jira, &mailboxes, dead_jobs, &counts);
    if let Some(forge) = &forge {
        // A Forge site's Jira is the app's: "no Jira configured" would mislead.
        attention.retain(|a| a.command.as_deref() != Some("postroom jira check"));
        attention.splice(0..0, forge_attention(forge, now));
    }
    Ok(Json(OverviewBody {
        listeners: state
            .console
            .listeners
            .iter()
            .map(|(name, address)| ListenerBody {
                name: name.clone(),
                address: address.clone(),
            })
            .collect(),
        mailboxes,
        jira,
        queue,
        dead_jobs,
        last_24h: counts
            .into_iter()
            .map(|(status, count)| OutcomeCount { status, count })
            .collect(),
        attention,
        forge,
    }))
}

async fn forge(
    state: &AppState,
    tenant: &postroom_store::TenantStore,
    now: i64,
) -> Result<Option<ForgeBody>, ApiError> {
    let Some(installation) = tenant
        .forge_installation()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
    else {
        return Ok(None);
    };
    let (until, keep_days) = match &state.forge {
        Some(edge) => {
            let token = edge.tokens.of(tenant.id());
            (
                token.usable(now).and(token.expires_at_ms()),
                edge.erase_after_days,
            )
        }
        None => (None, crate::config::ForgeConfig::default().erase_after_days),
    };
    Ok(Some(ForgeBody {
        installed_at_ms: installation.installed_at_ms,
        uninstalled_at_ms: installation.uninstalled_at_ms,
        erase_at_ms: installation
            .uninstalled_at_ms
            .map(|at| at.saturating_add(i64::from(keep_days).saturating_mul(DAY_MS))),
        licence_active: installation.licence_active,
        system_token_until_ms: until,
    }))
}

fn forge_attention(forge: &ForgeBody, now: i64) -> Vec<AttentionBody> {
    let item = |severity: &str, text: String| AttentionBody {
        severity: severity.to_owned(),
        text,
        link: None,
        command: None,
    };
    let mut items = Vec::new();
    if let Some(erase_at) = forge.erase_at_ms {
        let days = (erase_at - now).max(0) / DAY_MS;
        items.push(item(
            "error",
            format!(
                "This site uninstalled postroom's Jira app: its mail is refused, and its data \
                 is erased in {days} day(s) unless the app is installed again."
            ),
        ));
    } else if forge.licence_active == Some(false) {
        items.push(item(
            "error",
            "The app's licence is inactive: mail is taken in and held until it is active \
             again."
                .to_owned(),
        ));
    } else if forge.system_token_until_ms.is_none() {
        items.push(item(
            "warning",
            "postroom holds no valid token from Jira Cloud now: Jira work waits for the next \
             call from Forge (within five minutes)."
                .to_owned(),
        ));
    }
    items
}

async fn jira(state: &AppState, caller: &ApiCaller) -> JiraBody {
    let Some(site) = state.trackers.get(&caller.tenant) else {
        return JiraBody {
            configured: false,
            url: None,
            reachable: None,
            requests_per_sec: None,
            limit_seen: None,
            throttled: None,
            waited_secs: None,
            concurrency: None,
            rate_limit_headers: BTreeMap::new(),
        };
    };
    let client = tokio::time::timeout(Duration::from_secs(3), site.client()).await;
    let client = match client {
        Ok(Ok(client)) => Some(client),
        _ => None,
    };
    let pace = client.map(postroom_jira::JiraClient::pace);
    JiraBody {
        configured: true,
        url: Some(site.site_url().to_owned()),
        reachable: Some(client.is_some()),
        requests_per_sec: pace.as_ref().map(|p| p.requests_per_sec),
        limit_seen: pace.as_ref().and_then(|p| p.limit_seen),
        throttled: pace.as_ref().map(|p| p.throttled),
        waited_secs: pace.as_ref().map(|p| p.waited_secs),
        concurrency: pace.as_ref().map(|p| p.concurrency),
        rate_limit_headers: client
            .map(|c| c.rate_limit_headers_seen())
            .unwrap_or_default(),
    }
}

fn attention(
    jira: &JiraBody,
    mailboxes: &[MailboxBody],
    dead_jobs: i64,
    counts: &BTreeMap<String, u64>,
) -> Vec<AttentionBody> {
    let mut items = Vec::new();
    let mut add = |severity: &str, text: String, link: Option<&str>, command: Option<&str>| {
        items.push(AttentionBody {
            severity: severity.to_owned(),
            text,
            link: link.map(str::to_owned),
            command: command.map(str::to_owned),
        });
    };
    if !jira.configured {
        add(
            "error",
            "No Jira site is configured: mail is taken in and held.".to_owned(),
            None,
            Some("postroom jira check"),
        );
    } else if jira.reachable == Some(false) {
        add(
            "error",
            "Jira is not answering: mail waits in the queue.".to_owned(),
            None,
            Some("postroom jira check"),
        );
    }
    for mailbox in mailboxes {
        if let Some(error) = &mailbox.last_error {
            add(
                "error",
                format!("Mailbox {}: {error}.", mailbox.name),
                None,
                Some(&format!("postroom mailbox test {}", mailbox.name)),
            );
        }
    }
    if dead_jobs > 0 {
        add(
            "error",
            format!("{dead_jobs} dead job(s) wait for a retry."),
            Some("#/jobs"),
            None,
        );
    }
    for (status, severity, what) in [
        ("failed", "error", "failed"),
        ("held", "warning", "are held for an administrator"),
    ] {
        if let Some(n) = counts.get(status).filter(|n| **n > 0) {
            add(
                severity,
                format!("{n} mail(s) of the last 24 hours {what}."),
                Some(&format!("#/audit?status={status}")),
                None,
            );
        }
    }
    items
}
