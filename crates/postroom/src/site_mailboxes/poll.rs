//! `serve` following the console's mailboxes: at every step of the tenancy loop (2 s) the
//! stored mailboxes and their revisions are read; a new one gets a poller, an edited one a
//! new poller, a removed one (or one of a site no longer served) is stopped. A console
//! mailbox whose name `postroom.toml` or the profile uses is not polled: the other wins.

use std::collections::{HashMap, HashSet};

use postroom_core::tenant::TenantId;
use postroom_engine::intake::Intake;
use postroom_mail::imap::Poller;
use postroom_store::Store;
use postroom_store::crypto::Keyring;
use postroom_store::mailboxes::Mailboxes;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::inbound::MailboxSink;

#[derive(Debug)]
struct Running {
    revision: i64,
    stop: CancellationToken,
}

/// The pollers of console mailboxes this instance runs.
#[derive(Debug, Default)]
pub struct SitePollers {
    running: HashMap<(TenantId, String), Running>,
}

/// What a poller needs.
#[derive(Debug)]
pub struct PollContext<'a> {
    pub config: &'a Config,
    pub store: &'a Store,
    pub keyring: &'a Keyring,
    pub intake: &'a Intake,
    pub holder: &'a str,
    pub shutdown: &'a CancellationToken,
}

impl SitePollers {
    /// Brings the pollers in line with the stored mailboxes of the tenants in `served`.
    pub async fn step(&mut self, cx: &PollContext<'_>, served: &HashSet<TenantId>) {
        let revisions = match cx.store.site_mailbox_revisions().await {
            Ok(revisions) => revisions,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the console's mailboxes");
                return;
            }
        };
        let wanted: HashMap<(TenantId, String), i64> = revisions
            .into_iter()
            .filter(|r| served.contains(&r.tenant))
            .map(|r| ((r.tenant, r.name), r.revision))
            .collect();
        self.running.retain(|key, running| {
            let keep = wanted.get(key) == Some(&running.revision);
            if !keep {
                running.stop.cancel();
                tracing::info!(tenant = %key.0, mailbox = %key.1, "console mailbox poller stopped");
            }
            keep
        });
        for ((tenant_id, name), revision) in wanted {
            let key = (tenant_id, name);
            if self.running.contains_key(&key) {
                continue;
            }
            let stop = cx.shutdown.child_token();
            start(cx, &key.0, &key.1, &stop).await;
            self.running.insert(key, Running { revision, stop });
        }
    }
}

/// Starts the poller of one console mailbox, or says why it is not polled.
async fn start(cx: &PollContext<'_>, id: &TenantId, name: &str, stop: &CancellationToken) {
    let tenant = match cx.store.tenant(id).await {
        Ok(tenant) => tenant,
        Err(e) => {
            tracing::warn!(tenant = %id, error = %e, "cannot open the tenant");
            return;
        }
    };
    match super::taken_names(cx.config, &tenant).await {
        Ok(taken) => {
            if let Some((_, place)) = taken.iter().find(|(n, _)| n == name) {
                tracing::warn!(tenant = %id, mailbox = %name, "the console mailbox is not polled: {place} has the same name and wins");
                return;
            }
        }
        Err(e) => {
            tracing::warn!(tenant = %id, error = %format!("{e:#}"), "cannot read the profile's mailboxes");
        }
    }
    let stored = match tenant.site_mailbox(name).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(tenant = %id, mailbox = %name, error = %e, "cannot read the console mailbox");
            return;
        }
    };
    let settings = match super::resolve(cx.config, cx.keyring, &tenant, &stored).await {
        Ok(settings) => settings,
        Err(e) => {
            tracing::warn!(tenant = %id, mailbox = %name, error = %format!("{e:#}"), "the console mailbox is not polled");
            return;
        }
    };
    let poller = Poller::new(
        settings.clone(),
        MailboxSink::new(cx.intake.clone(), tenant.clone()).store_raw(settings.store_raw),
        Mailboxes::new(tenant.clone()),
        cx.holder.to_owned(),
    )
    .on_rotation(super::rotation_hook(cx.keyring, &tenant, name));
    tracing::info!(tenant = %id, mailbox = %name, "console mailbox poller started");
    tokio::spawn(poller.run(stop.clone()));
}
