//! `[retention]`: the bounds within which each site chooses its own retention periods.

use postroom_engine::retention::{Kind, Periods, Policy};
use serde::{Deserialize, Serialize};

/// `[retention]`: the least and the most days a site may keep each kind of audit data
/// (`tenant set --intake-days/--reports-days/--sent-mail-days`, or `PUT
/// /api/v1/settings/retention`). A site that chose nothing keeps `[inbound]
/// retention_days`, brought within these bounds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// `[retention.min_days]`: the shortest period a site may choose, per kind; 1 day
    /// where unset.
    pub min_days: KindDays,
    /// `[retention.max_days]`: the longest period a site may choose, per kind;
    /// `[inbound] retention_days` where unset.
    pub max_days: KindDays,
}

/// Days for each kind of audit data.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KindDays {
    /// Intake records and raw mail.
    pub intake: Option<u32>,
    /// Processing results with their reports.
    pub reports: Option<u32>,
    /// Records of mail postroom sent (its MIME is kept a week at most within that).
    pub sent_mail: Option<u32>,
}

impl KindDays {
    fn or(self, fallback: u32) -> Periods {
        Periods {
            intake: self.intake.unwrap_or(fallback),
            reports: self.reports.unwrap_or(fallback),
            sent_mail: self.sent_mail.unwrap_or(fallback),
        }
    }
}

impl RetentionConfig {
    /// The policy in force, with `default_days` (`[inbound] retention_days`).
    pub fn policy(&self, default_days: u32) -> Policy {
        Policy {
            default_days,
            min: self.min_days.or(1),
            max: self.max_days.or(default_days),
        }
    }

    pub(super) fn validate(&self, default_days: u32) -> Result<(), (String, String)> {
        let policy = self.policy(default_days);
        for kind in Kind::ALL {
            let (min, max) = (policy.min.get(kind), policy.max.get(kind));
            if min == 0 {
                return Err((
                    format!("retention.min_days.{}", kind.name()),
                    "must be at least 1 day: the audit needs a message until it is processed"
                        .to_owned(),
                ));
            }
            if min > max {
                return Err((
                    format!("retention.max_days.{}", kind.name()),
                    format!("{max} is less than min_days.{} ({min})", kind.name()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_bounds_are_one_day_to_the_instances_period_and_crossed_ones_are_refused() {
        let config = RetentionConfig::default();
        assert_eq!(config.policy(30), Policy::uniform(30));
        assert!(config.validate(30).is_ok());
        let mut narrowed = RetentionConfig::default();
        narrowed.min_days.reports = Some(40);
        let (key, message) = narrowed.validate(30).err().unwrap_or_default();
        assert_eq!(key, "retention.max_days.reports");
        assert!(message.contains("40"), "{message}");
        narrowed.max_days.reports = Some(365);
        assert!(narrowed.validate(30).is_ok());
        let mut zero = RetentionConfig::default();
        zero.min_days.sent_mail = Some(0);
        assert!(zero.validate(30).is_err());
    }
}
