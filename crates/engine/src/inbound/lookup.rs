//! Answers to core's thread lookups: Message-IDs from the thread map (by keyed hash), issue
//! keys from Jira (does the issue exist and may postroom see it).

use std::collections::HashMap;

use postroom_core::ports::tracker::{Tracker, TrackerError};
use postroom_core::redact::Redactor;
use postroom_core::thread::{Answers, Lookups};
use postroom_store::TenantStore;

use super::{Failure, transient};

/// Answers `lookups`; `tracker` is only used when there are keys to check.
pub(super) async fn answers<T: Tracker>(
    tenant: &TenantStore,
    redactor: &Redactor,
    tracker: Option<&T>,
    lookups: &Lookups,
) -> Result<Answers, Failure> {
    let mut answers = Answers {
        looked_up: true,
        ..Answers::default()
    };
    if !lookups.message_ids.is_empty() {
        let by_hash: HashMap<String, &String> = lookups
            .message_ids
            .iter()
            .map(|id| (redactor.message_id_key(id), id))
            .collect();
        let hashes: Vec<String> = by_hash.keys().cloned().collect();
        let found = tenant.thread_lookup(&hashes).await.map_err(transient)?;
        for (hash, issue) in found {
            if let Some(id) = by_hash.get(&hash) {
                answers.message_ids.insert((*id).clone(), issue);
            }
        }
    }
    if let Some(tracker) = tracker {
        for key in &lookups.issue_keys {
            match tracker.get_issue(key, &["status"]).await {
                // The key as written counts, even when Jira answers with a moved issue's
                // new key: a comment posted to the old key reaches the same issue.
                Ok(_) => {
                    answers.existing_keys.insert(key.clone());
                }
                Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(answers)
}
