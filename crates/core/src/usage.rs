//! What postroom counts about its own use, for the site's administrators only: Insights
//! (how often each template is inserted and posted, per agent and week) and the anonymous
//! usage flags (how often the picker's features are used). Counts, never text; kept a year;
//! never sent anywhere.

use serde::{Deserialize, Serialize};

/// How long weekly counts are kept.
pub const KEPT_MS: i64 = 365 * DAY_MS;

const DAY_MS: i64 = 86_400_000;

/// The start of the week (Monday 00:00 UTC, Unix ms) that `at_ms` falls in: the unit of
/// every count, so that a year of use is at most 53 rows per template, agent and flag.
pub fn week_start(at_ms: i64) -> i64 {
    let day = at_ms.div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: day 0 is three days after a Monday.
    (day - (day + 3).rem_euclid(7)) * DAY_MS
}

/// A feature whose use is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageFlag {
    /// The picker was opened on an issue.
    PickerOpened,
    /// A template was inserted into a reply.
    TemplateInserted,
    /// A reply made from a template was posted.
    CommentPosted,
    /// The picker's search was narrowed by words.
    FiltersUsed,
    /// The picker ran inside the browser extension (part two).
    ExtensionUsed,
    /// The picker ran outside the browser extension.
    ExtensionNotUsed,
}

impl UsageFlag {
    /// Every flag, in the order they are shown.
    pub const ALL: [UsageFlag; 6] = [
        UsageFlag::PickerOpened,
        UsageFlag::TemplateInserted,
        UsageFlag::CommentPosted,
        UsageFlag::FiltersUsed,
        UsageFlag::ExtensionUsed,
        UsageFlag::ExtensionNotUsed,
    ];

    /// The flag's stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UsageFlag::PickerOpened => "picker_opened",
            UsageFlag::TemplateInserted => "template_inserted",
            UsageFlag::CommentPosted => "comment_posted",
            UsageFlag::FiltersUsed => "filters_used",
            UsageFlag::ExtensionUsed => "extension_used",
            UsageFlag::ExtensionNotUsed => "extension_not_used",
        }
    }

    /// The flag stored as `name`; `None` for a name postroom does not count.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_midnight_utc() {
        // 2026-12-07 is a Monday; 2026-12-13 23:59 the Sunday after.
        let monday = 1_796_601_600_000;
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday + 7 * DAY_MS - 1), monday);
        assert_eq!(week_start(monday - 1), monday - 7 * DAY_MS);
        assert_eq!(week_start(0), -3 * DAY_MS);
    }

    #[test]
    fn flags_round_trip_through_their_names() {
        for flag in UsageFlag::ALL {
            assert_eq!(UsageFlag::parse(flag.as_str()), Some(flag));
        }
        assert_eq!(UsageFlag::parse("keystrokes"), None);
    }
}
