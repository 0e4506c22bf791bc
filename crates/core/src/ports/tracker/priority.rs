//! Who is waiting: an agent at a page comes before live mail, and live mail before a bulk
//! import, on the same site.
//!
//! The priority is carried by the task (a task-local), not passed through every call, so
//! that the code between the HTTP handler or the job and the tracker does not change: the
//! handler of an agent's request runs its work in [`Priority::scope`], the worker runs a
//! bulk import's jobs the same way, and the tracker adapter reads [`Priority::current`] when
//! it queues a request. A task spawned inside does not inherit it and runs as
//! [`Priority::Live`].

use std::future::Future;

/// The order in which a site's waiting requests are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// A person is waiting on a page: a canned response, a console check.
    Interactive,
    /// Mail as it arrives, notifications, scheduled work.
    Live,
    /// An import of existing mail (`postroom process --bulk`).
    Bulk,
}

tokio::task_local! {
    static PRIORITY: Priority;
}

impl Priority {
    /// Runs `work` with this priority for every Jira request it makes.
    pub async fn scope<F: Future>(self, work: F) -> F::Output {
        PRIORITY.scope(self, work).await
    }

    /// The priority of the running task ([`Priority::Live`] outside any scope).
    pub fn current() -> Self {
        PRIORITY.try_with(|p| *p).unwrap_or(Priority::Live)
    }

    /// Its name in metrics and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Interactive => "interactive",
            Priority::Live => "live",
            Priority::Bulk => "bulk",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_scope_sets_the_priority_and_live_is_the_default() {
        assert_eq!(Priority::current(), Priority::Live);
        let inner = Priority::Bulk.scope(async { Priority::current() }).await;
        assert_eq!(inner, Priority::Bulk);
        assert_eq!(Priority::current(), Priority::Live);
        assert!(Priority::Interactive < Priority::Live && Priority::Live < Priority::Bulk);
    }
}
