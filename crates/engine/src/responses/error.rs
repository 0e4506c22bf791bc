//! What a canned-response request can fail with, in terms the HTTP edge maps to a status.

use postroom_core::canned::Problem;
use postroom_core::ports::tracker::TrackerError;
use postroom_core::template::TemplateError;
use postroom_store::StoreError;

/// A canned-response operation that did not happen (or, for [`Self::PartlyApplied`], did
/// only in part).
#[derive(Debug, thiserror::Error)]
pub enum ResponsesError {
    /// No such template, or one the caller may not see (the two are not told apart).
    #[error("no template {0}")]
    NotFound(String),
    /// The caller sees the template but may not do this with it, or may not use this scope.
    #[error("{0}")]
    Forbidden(String),
    /// The template (or an import) has problems; each names its field.
    #[error("the template has {} problem(s)", .0.len())]
    Invalid(Vec<Problem>),
    /// The template could not be rendered for this issue (too much work, a filter error).
    #[error("the template cannot be rendered: {0}")]
    Render(#[from] TemplateError),
    /// The issue does not exist or is not visible to postroom.
    #[error("issue {0} was not found")]
    IssueNotFound(String),
    /// The requested transition is not available on the issue now; nothing was posted.
    #[error("transition {wanted:?} is not available on {issue}; available: {available}")]
    TransitionUnavailable {
        /// Issue key.
        issue: String,
        /// The transition asked for (id or name).
        wanted: String,
        /// Names of the transitions that are available.
        available: String,
    },
    /// The comment was posted but the transition then failed.
    #[error("the comment {comment_id} was posted on {issue}, but the transition failed: {source}")]
    PartlyApplied {
        /// Issue key.
        issue: String,
        /// Id of the posted comment.
        comment_id: String,
        /// Why the transition failed.
        #[source]
        source: TrackerError,
    },
    /// Jira failed or refused.
    #[error(transparent)]
    Tracker(#[from] TrackerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
