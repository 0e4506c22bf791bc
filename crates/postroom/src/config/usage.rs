//! `[usage]`: what postroom counts about its own use, for the site's administrators.

use serde::{Deserialize, Serialize};

/// `[usage]`: the anonymous usage flags. They are counts per week (picker opened, template
/// inserted, comment posted, filters used, extension used or not), kept 365 days in
/// postroom's own database, shown to administrators on the console's overview and at
/// `GET /api/v1/usage`, and never sent to anyone. Insights (template uses per agent and
/// week) are part of canned responses and are kept whatever this says.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UsageConfig {
    /// Count the usage flags; `false` records nothing (what was counted before stays until
    /// its year is over).
    pub flags: bool,
}

impl Default for UsageConfig {
    fn default() -> Self {
        Self { flags: true }
    }
}
