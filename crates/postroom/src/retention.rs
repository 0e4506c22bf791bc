//! A site's own retention periods, changed within the operator's bounds: the one rule
//! behind `tenant set --intake-days …` and `PUT /api/v1/settings/retention`.

use postroom_engine::retention::{Kind, OutOfBounds, Periods, Policy};
use postroom_store::{OwnRetention, StoreError, TenantStore};

/// A change of a site's periods, per kind: `None` leaves it, `Some(0)` returns it to the
/// instance's, `Some(days)` sets it (checked against the bounds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionChange {
    pub intake: Option<u32>,
    pub reports: Option<u32>,
    pub sent_mail: Option<u32>,
}

impl RetentionChange {
    /// The same change for every kind.
    pub fn all(days: u32) -> Self {
        Self {
            intake: Some(days),
            reports: Some(days),
            sent_mail: Some(days),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn each(&self) -> [(Kind, Option<u32>); 3] {
        [
            (Kind::Intake, self.intake),
            (Kind::Reports, self.reports),
            (Kind::SentMail, self.sent_mail),
        ]
    }
}

/// Why a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(transparent)]
    OutOfBounds(#[from] OutOfBounds),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks every requested period against `policy` first (nothing changes when one is out
/// of bounds), then stores the site's choices; returns the periods now in force.
pub async fn apply(
    policy: &Policy,
    tenant: &TenantStore,
    change: RetentionChange,
    now_ms: i64,
) -> Result<Periods, RetentionError> {
    for (kind, days) in change.each() {
        if let Some(days) = days.filter(|d| *d > 0) {
            policy.check(kind, days)?;
        }
    }
    let mut own = tenant.record().await?.retention;
    let merge = |current: Option<u32>, requested: Option<u32>| match requested {
        None => current,
        Some(0) => None,
        Some(days) => Some(days),
    };
    own = OwnRetention {
        intake: merge(own.intake, change.intake),
        reports: merge(own.reports, change.reports),
        sent_mail: merge(own.sent_mail, change.sent_mail),
    };
    tenant.set_retention(&own, now_ms).await?;
    Ok(policy.periods(&own))
}
