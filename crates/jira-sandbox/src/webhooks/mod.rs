//! Outgoing webhooks like Jira's: events, payloads, HMAC signatures, retries with backoff.

mod deliver;
mod payload;

pub use deliver::{is_loopback_url, signature};
pub use payload::{ChangeItem, change};

use crate::app::App;

/// Something that happened on the site that webhooks may report.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `jira:issue_created`.
    IssueCreated {
        /// Issue id.
        issue: u64,
        /// Acting account.
        user: String,
    },
    /// `jira:issue_updated` with a changelog (field edits, transitions).
    IssueUpdated {
        /// Issue id.
        issue: u64,
        /// Acting account.
        user: String,
        /// What changed.
        changes: Vec<ChangeItem>,
    },
    /// `comment_created` (also raises `jira:issue_updated`, `issue_commented`).
    CommentCreated {
        /// Issue id.
        issue: u64,
        /// Comment id.
        comment: u64,
        /// Acting account.
        user: String,
    },
    /// `comment_updated` (also raises `jira:issue_updated`, `issue_comment_edited`).
    CommentUpdated {
        /// Issue id.
        issue: u64,
        /// Comment id.
        comment: u64,
        /// Acting account.
        user: String,
    },
}

/// Builds payloads for every webhook that wants `events` and delivers them in the background.
pub fn emit(app: &App, events: Vec<Event>) {
    let deliveries = {
        let site = app.store.read();
        events
            .iter()
            .flat_map(|e| payload::deliveries(app, &site, e))
            .collect::<Vec<_>>()
    };
    for delivery in deliveries {
        let app = app.clone();
        tokio::spawn(async move { deliver::deliver(&app, delivery).await });
    }
}
