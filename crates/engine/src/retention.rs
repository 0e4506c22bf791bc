//! Retention: what was kept for the audit goes when its period is over.
//!
//! One period covers a message's intake row, its raw mail and its processing result with
//! the sealed report, for every tenant of the instance. The purge is driven from outside
//! with the time it should take as "now", so tests (and `postroom audit purge --now`) can
//! run it as of any day.

use postroom_store::blobs::BlobKind;
use postroom_store::{OwnRetention, Store, TenantStore};

use crate::intake::{Intake, IntakeError};

/// The retention period when none is configured: 30 days, as DESIGN.md §5 states.
pub const DEFAULT_DAYS: u32 = 30;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Days a notification's full MIME and an unprocessed webhook payload are kept.
const SHORT_DAYS: i64 = 7;

/// A kind of audit data with a period of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Intake records and raw mail.
    Intake,
    /// Processing results with their sealed reports.
    Reports,
    /// Records of mail postroom sent (and, for at most a week, its MIME).
    SentMail,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Intake, Kind::Reports, Kind::SentMail];

    /// The name used in settings, flags and the API (`intake`, `reports`, `sent_mail`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Intake => "intake",
            Kind::Reports => "reports",
            Kind::SentMail => "sent_mail",
        }
    }
}

/// Days per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Periods {
    pub intake: u32,
    pub reports: u32,
    pub sent_mail: u32,
}

impl Periods {
    pub fn get(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Intake => self.intake,
            Kind::Reports => self.reports,
            Kind::SentMail => self.sent_mail,
        }
    }
}

/// A period the operator's bounds do not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{kind} period {days} days is outside this instance's bounds: {min} to {max} days \
     ([retention] min_days.{kind}, max_days.{kind})",
    kind = kind.name()
)]
pub struct OutOfBounds {
    pub kind: Kind,
    pub days: u32,
    pub min: u32,
    pub max: u32,
}

/// The operator's retention policy: the period of a site that chose none (`[inbound]
/// retention_days`) and, per kind, the least and most a site may choose (`[retention]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Policy {
    pub default_days: u32,
    pub min: Periods,
    pub max: Periods,
}

impl Policy {
    /// One period for every kind and no choice beyond it but shorter: the bounds before
    /// `[retention]` existed (1 day to `days`).
    pub fn uniform(days: u32) -> Self {
        let days = days.max(1);
        let all = |d| Periods {
            intake: d,
            reports: d,
            sent_mail: d,
        };
        Self {
            default_days: days,
            min: all(1),
            max: all(days),
        }
    }

    /// Checks a period a site asks for.
    pub fn check(&self, kind: Kind, days: u32) -> Result<(), OutOfBounds> {
        let (min, max) = (self.min.get(kind), self.max.get(kind));
        if (min..=max).contains(&days) {
            Ok(())
        } else {
            Err(OutOfBounds {
                kind,
                days,
                min,
                max,
            })
        }
    }

    /// The periods in force for a site with `own` choices: each its own, else the
    /// instance's, always within the kind's bounds (bounds narrowed after a site chose
    /// win over its choice).
    pub fn periods(&self, own: &OwnRetention) -> Periods {
        let pick = |kind: Kind, own: Option<u32>| {
            let (min, max) = (self.min.get(kind), self.max.get(kind).max(1));
            own.unwrap_or(self.default_days)
                .clamp(min.min(max).max(1), max)
        };
        Periods {
            intake: pick(Kind::Intake, own.intake),
            reports: pick(Kind::Reports, own.reports),
            sent_mail: pick(Kind::SentMail, own.sent_mail),
        }
    }
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
    /// Saved profile versions past a year and beyond the last 50.
    pub profile_versions: u64,
}

impl Purged {
    fn add(&mut self, other: Purged) {
        self.intake += other.intake;
        self.raw_mail += other.raw_mail;
        self.reports += other.reports;
        self.sent_mail += other.sent_mail;
        self.sent_mime += other.sent_mime;
        self.webhook_events += other.webhook_events;
        self.profile_versions += other.profile_versions;
    }
}

/// The purge of the audit data, with the policy in force.
#[derive(Debug, Clone)]
pub struct Retention {
    intake: Intake,
    policy: Policy,
}

impl Retention {
    pub fn new(intake: Intake, policy: Policy) -> Self {
        Self { intake, policy }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The periods of `tenant`: see [`Policy::periods`].
    pub async fn periods_of(&self, tenant: &TenantStore) -> Result<Periods, IntakeError> {
        Ok(self.policy.periods(&tenant.record().await?.retention))
    }

    /// Deletes one tenant's audit data older than its period of each kind.
    pub async fn purge_tenant(
        &self,
        tenant: &TenantStore,
        now_ms: i64,
    ) -> Result<Purged, IntakeError> {
        let periods = self.periods_of(tenant).await?;
        let cutoff = |days: u32| now_ms.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
        let (intake_cutoff, reports_cutoff, sent_cutoff) = (
            cutoff(periods.intake),
            cutoff(periods.reports),
            cutoff(periods.sent_mail),
        );
        let reports = tenant.purge_results_before(reports_cutoff).await?;
        let (rows, with_blob) = tenant.purge_intake_before(intake_cutoff).await?;
        self.intake.discard_raw(tenant, &with_blob).await?;
        // Places and claims of mail whose job died for good; a settled message left none.
        tenant.purge_conversations_before(intake_cutoff).await?;
        // The hourly-cap counters are only needed for a day (DESIGN.md §5).
        let counters = now_ms.saturating_sub(postroom_store::outbound::COUNTER_RETENTION_MS);
        // Notifications' MIME is kept a week at most, and never longer than the records of
        // sent mail; unprocessed webhook payloads a week at most, and their rows never
        // longer than the intake period (DESIGN.md §5).
        let week = now_ms.saturating_sub(SHORT_DAYS * DAY_MS);
        let mime = tenant.sent_mime_before(week.max(sent_cutoff)).await?;
        self.intake
            .discard(tenant, BlobKind::SentMime, &mime)
            .await?;
        tenant.forget_sent_mime(&mime).await?;
        let sent_mail = tenant.purge_sent_mail_before(sent_cutoff, counters).await?;
        let webhook_events = tenant
            .purge_webhook_events(week.max(intake_cutoff), intake_cutoff)
            .await?;
        // Remembered Jira account lookups are trusted an hour at most (inbound::users).
        tenant
            .forget_sender_accounts_before(now_ms.saturating_sub(crate::inbound::users::HIT_TTL_MS))
            .await?;
        // Profile versions: the last 50 or a year, whichever keeps more.
        let profile_versions = tenant.prune_profile_versions(now_ms).await?;
        Ok(Purged {
            intake: rows,
            raw_mail: with_blob.len() as u64,
            reports,
            sent_mail,
            sent_mime: mime.len() as u64,
            webhook_events,
            profile_versions,
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
        ("profile_versions", purged.profile_versions),
    ] {
        metrics::counter!("postroom_purge_deleted_total", "what" => what).increment(count);
        metrics::gauge!("postroom_purge_last_deleted", "what" => what).set(count as f64);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn own(intake: Option<u32>, reports: Option<u32>, sent_mail: Option<u32>) -> OwnRetention {
        OwnRetention {
            intake,
            reports,
            sent_mail,
        }
    }

    #[test]
    fn a_sites_periods_are_its_own_within_the_operators_bounds() {
        let uniform = Policy::uniform(30);
        assert_eq!(uniform.periods(&own(None, None, None)).reports, 30);
        assert_eq!(uniform.periods(&own(Some(7), None, None)).intake, 7);
        assert_eq!(
            uniform.periods(&own(Some(90), None, None)).intake,
            30,
            "never more than the operator's"
        );
        assert_eq!(uniform.periods(&own(Some(0), None, None)).intake, 1);
        let policy = Policy {
            default_days: 30,
            min: Periods {
                intake: 7,
                reports: 14,
                sent_mail: 1,
            },
            max: Periods {
                intake: 90,
                reports: 365,
                sent_mail: 30,
            },
        };
        let periods = policy.periods(&own(Some(3), Some(200), Some(60)));
        assert_eq!(
            (periods.intake, periods.reports, periods.sent_mail),
            (7, 200, 30)
        );
        assert!(policy.check(Kind::Reports, 14).is_ok());
        assert!(policy.check(Kind::Reports, 365).is_ok());
        let err = policy.check(Kind::Reports, 13).unwrap_err();
        assert_eq!((err.min, err.max), (14, 365));
        assert!(err.to_string().contains("max_days.reports"), "{err}");
        assert!(policy.check(Kind::SentMail, 31).is_err());
        assert!(policy.check(Kind::Intake, 0).is_err());
    }
}
