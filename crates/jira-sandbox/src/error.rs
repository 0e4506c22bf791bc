//! Jira's error body (`errorMessages` + `errors`) and the status codes that carry it.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered the way Jira answers it: a status code and the
/// `{"errorMessages": [...], "errors": {...}}` body that Jira clients parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {messages:?} {fields:?}")]
pub struct ApiError {
    /// HTTP status Jira uses for this failure.
    pub status: StatusCode,
    /// Messages not tied to a field.
    pub messages: Vec<String>,
    /// Field id → message.
    pub fields: BTreeMap<String, String>,
}

/// The JSON body Jira returns with a 4xx/5xx.
#[derive(Debug, Serialize)]
struct ErrorCollection<'a> {
    #[serde(rename = "errorMessages")]
    error_messages: &'a [String],
    errors: &'a BTreeMap<String, String>,
}

impl ApiError {
    /// An error with one general message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            messages: vec![message.into()],
            fields: BTreeMap::new(),
        }
    }

    /// A 400 naming the offending field, as Jira does for bad field values.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(field.into(), message.into());
        Self {
            status: StatusCode::BAD_REQUEST,
            messages: Vec::new(),
            fields,
        }
    }

    /// 400 with a general message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: Jira's message for missing or wrong credentials.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "You are not authenticated. Authentication required to perform this operation.",
        )
    }

    /// 403 with a reason.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404 for an issue that does not exist (or is not visible), with Jira's wording.
    pub fn issue_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Issue does not exist or you do not have permission to see it.",
        )
    }

    /// 404 with a message.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorCollection {
            error_messages: &self.messages,
            errors: &self.fields,
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                HeaderValue::from_static("Basic realm=\"protected-area\""),
            );
        }
        response
    }
}

/// Result type of route handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// Errors of starting or persisting a sandbox (not HTTP answers).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listener could not bind the requested address.
    #[error("cannot bind sandbox listener on {addr}: {source}")]
    Bind {
        /// Requested address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The state file could not be read or written.
    #[error("sandbox state file {path}: {source}")]
    StateIo {
        /// File path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The Forge platform could not make a key, a token or its HTTP client.
    #[error("sandbox Forge platform: {0}")]
    Forge(String),
    /// The HTTP client for webhook deliveries could not be built.
    #[error("cannot build the webhook HTTP client: {0}")]
    HttpClient(reqwest::Error),
    /// The state file is not a sandbox state document.
    #[error("sandbox state file {path} is not valid sandbox JSON: {source}")]
    StateFormat {
        /// File path.
        path: String,
        /// Cause.
        source: serde_json::Error,
    },
}
