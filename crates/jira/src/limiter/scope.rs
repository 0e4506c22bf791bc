//! What a request touches, in the terms of Jira's limits: its endpoint (method and route)
//! for the burst limits, the issue it writes for the per-issue write limit.

use reqwest::Method;

/// The limits a request counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallScope {
    /// `METHOD route`, ids and keys replaced by `{}`: `POST /rest/api/3/issue/{}/comment`.
    pub endpoint: String,
    /// The issue a write targets (key or id, upper case), if it targets one.
    pub issue_write: Option<String>,
}

impl CallScope {
    /// The scope of `method` on `path` (below the base URL, without the query).
    pub(crate) fn of(method: &Method, path: &str) -> Self {
        Self {
            endpoint: format!("{method} {}", route(path)),
            issue_write: written_issue(method, path),
        }
    }
}

/// The path with every segment that names one thing (it holds a digit: an issue key, an id)
/// replaced by `{}`, so that all issues share one endpoint, as Jira counts them.
fn route(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.bytes().any(|b| b.is_ascii_digit()) && !is_version(segment) {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `2`, `3`, `latest`: the API version segment stays as it is.
fn is_version(segment: &str) -> bool {
    segment.len() == 1 && segment.bytes().all(|b| b.is_ascii_digit())
}

/// The issue a write targets: the segment after `issue`, unless it names a collection
/// (`bulk`, `createmeta`, `picker`) rather than an issue.
fn written_issue(method: &Method, path: &str) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let mut segments = path.split('/');
    segments.find(|s| *s == "issue")?;
    segments
        .next()
        .filter(|s| !s.is_empty() && !matches!(*s, "bulk" | "createmeta" | "picker"))
        .map(str::to_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_share_an_endpoint_and_versions_stay() {
        let a = CallScope::of(&Method::POST, "/rest/api/3/issue/SUP-1/comment");
        let b = CallScope::of(&Method::POST, "/rest/api/3/issue/OPS-42/comment");
        assert_eq!(a.endpoint, "POST /rest/api/3/issue/{}/comment");
        assert_eq!(a.endpoint, b.endpoint);
        assert_eq!(a.issue_write.as_deref(), Some("SUP-1"));
        assert_eq!(
            CallScope::of(&Method::GET, "/rest/api/2/issue/10001").endpoint,
            "GET /rest/api/2/issue/{}"
        );
        assert_ne!(
            CallScope::of(&Method::GET, "/rest/api/3/issue/SUP-1").endpoint,
            CallScope::of(&Method::PUT, "/rest/api/3/issue/SUP-1").endpoint,
            "the method is part of the endpoint"
        );
    }

    #[test]
    fn only_writes_to_one_issue_name_it() {
        assert_eq!(
            CallScope::of(&Method::GET, "/rest/api/3/issue/SUP-1").issue_write,
            None
        );
        assert_eq!(
            CallScope::of(&Method::POST, "/rest/api/3/issue").issue_write,
            None
        );
        assert_eq!(
            CallScope::of(&Method::POST, "/rest/api/3/issue/bulk").issue_write,
            None
        );
        assert_eq!(
            CallScope::of(
                &Method::PUT,
                "/jira/rest/api/2/issue/sup-7/properties/postroom.idempotency"
            )
            .issue_write
            .as_deref(),
            Some("SUP-7")
        );
        assert_eq!(
            CallScope::of(&Method::POST, "/rest/servicedeskapi/request").issue_write,
            None
        );
    }
}
