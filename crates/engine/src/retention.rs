//! Retention: what was kept for the audit goes when its period is over.
//!
//! One period covers a message's intake row, its raw mail and its processing result with
//! the sealed report, for every tenant of the instance. The purge is driven from outside
//! with the time it should take as "now", so tests (and `postroom audit purge --now`) can
//! run it as of any day.

use postroom_store::blobs::BlobKind;
use postroom_store::{Store, TenantStore};

use crate::intake::{Intake, IntakeError};

/// The retention period when none is configured: 30 days, as DESIGN.md §5 states.
pub const DEFAULT_DAYS: u32 = 30;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Days a notification's full MIME and an unprocessed webhook payload are kept.
const SHORT_DAYS: i64 = 7;

/// A site's retention period in days: its own when it chose one, never more than the
/// instance's (the operator's bound) and never less than a day.
pub fn period(instance_days: u32, own: Option<u32>) -> u32 {
    own.map_or(instance_days, |days| days.clamp(1, instance_days.max(1)))
}

/// What one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    /// Intake rows (refused ones included).
    pub intake: u64,
    /// Raw-mail blobs.
    pub raw_mail: u64,
    /// Processing results with their reports.
    pub reports: u64,
    /// Records of mail postroom sent (acknowledgements, notifications).
    pub sent_mail: u64,
    /// Full MIME copies of sent notifications (kept 7 days).
    pub sent_mime: u64,
    /// Jira webhook deliveries (payloads are dropped once processed, or after 7 days).
    pub webhook_events: u64,
}

impl Purged {
    fn add(&mut self, other: Purged) {
        self.intake += other.intake;
        self.raw_mail += other.raw_mail;
        self.reports += other.reports;
        self.sent_mail += other.sent_mail;
        self.sent_mime += other.sent_mime;
        self.webhook_events += other.webhook_events;
    }
}

/// The purge of the audit data, with the period in force.
#[derive(Debug, Clone)]
pub struct Retention {
    intake: Intake,
    days: u32,
}

impl Retention {
    pub fn new(intake: Intake, days: u32) -> Self {
        Self { intake, days }
    }

    pub fn days(&self) -> u32 {
        self.days
    }

    /// The period of `tenant`: see [`period`].
    pub async fn days_of(&self, tenant: &TenantStore) -> Result<u32, IntakeError> {
        Ok(period(self.days, tenant.record().await?.retention_days))
    }

    /// Deletes one tenant's intake rows, raw mail and results older than its period.
    pub async fn purge_tenant(
        &self,
        tenant: &TenantStore,
        now_ms: i64,
    ) -> Result<Purged, IntakeError> {
        let days = self.days_of(tenant).await?;
        let cutoff = now_ms.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
        let reports = tenant.purge_results_before(cutoff).await?;
        let (rows, with_blob) = tenant.purge_intake_before(cutoff).await?;
        self.intake.discard_raw(tenant, &with_blob).await?;
        // Places and claims of mail whose job died for good; a settled message left none.
        tenant.purge_conversations_before(cutoff).await?;
        // Sent-mail records share the reports' period; the hourly-cap counters are only
        // needed for a day (DESIGN.md §5).
        let counters = now_ms.saturating_sub(postroom_store::outbound::COUNTER_RETENTION_MS);
        // Notifications' MIME and unprocessed webhook payloads are kept a week at most,
        // and never longer than the audit period (DESIGN.md §5).
        let week = now_ms.saturating_sub(SHORT_DAYS * DAY_MS).max(cutoff);
        let mime = tenant.sent_mime_before(week).await?;
        self.intake
            .discard(tenant, BlobKind::SentMime, &mime)
            .await?;
        tenant.forget_sent_mime(&mime).await?;
        let sent_mail = tenant.purge_sent_mail_before(cutoff, counters).await?;
        let webhook_events = tenant.purge_webhook_events(week, cutoff).await?;
        Ok(Purged {
            intake: rows,
            raw_mail: with_blob.len() as u64,
            reports,
            sent_mail,
            sent_mime: mime.len() as u64,
            webhook_events,
        })
    }

    /// Purges every tenant of the instance and publishes the run in metrics
    /// (`postroom_purge_*`). A tenant that fails is logged and left for the next run; the
    /// others are purged all the same.
    pub async fn purge_all(&self, store: &Store, now_ms: i64) -> Result<Purged, IntakeError> {
        let mut total = Purged::default();
        let mut failed = 0u64;
        for record in store.list_tenants().await? {
            let tenant = store.tenant(&record.id).await?;
            match self.purge_tenant(&tenant, now_ms).await {
                Ok(purged) => total.add(purged),
                Err(e) => {
                    failed += 1;
                    tracing::warn!(tenant = %record.id, error = %e, "cannot purge a tenant's audit data");
                }
            }
        }
        publish(total, failed, now_ms);
        Ok(total)
    }
}

fn publish(purged: Purged, failed: u64, now_ms: i64) {
    let seconds = now_ms as f64 / 1000.0;
    metrics::gauge!("postroom_purge_last_run_timestamp_seconds").set(seconds);
    metrics::counter!("postroom_purge_runs_total").increment(1);
    metrics::counter!("postroom_purge_failed_tenants_total").increment(failed);
    for (what, count) in [
        ("intake", purged.intake),
        ("raw_mail", purged.raw_mail),
        ("reports", purged.reports),
        ("sent_mail", purged.sent_mail),
        ("sent_mime", purged.sent_mime),
        ("webhook_events", purged.webhook_events),
    ] {
        metrics::counter!("postroom_purge_deleted_total", "what" => what).increment(count);
        metrics::gauge!("postroom_purge_last_deleted", "what" => what).set(count as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::period;

    #[test]
    fn a_sites_period_stays_within_the_instances() {
        assert_eq!(period(30, None), 30);
        assert_eq!(period(30, Some(7)), 7);
        assert_eq!(period(30, Some(90)), 30, "never more than the operator's");
        assert_eq!(period(30, Some(0)), 1, "never less than a day");
    }
}
