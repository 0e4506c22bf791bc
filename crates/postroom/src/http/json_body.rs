//! The body of a JSON endpoint: taken only when it says it is JSON, so that a form post or
//! a plain-text body gets a clear 415 instead of a confusing parse error (and a browser's
//! cross-site "simple" request, which cannot send `application/json`, is refused).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;

use super::ApiError;

/// The raw bytes of a body whose `Content-Type` is `application/json` or `…+json`.
#[derive(Debug)]
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if !is_json(&content_type) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "the body must be JSON (Content-Type: application/json), not {content_type:?}"
            )));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(format!(
                    "the body is larger than this endpoint takes: {e}"
                ))
            } else {
                ApiError::BadRequest(format!("cannot read the body: {e}"))
            }
        })?;
        Ok(Self(bytes))
    }
}

/// `application/json`, or a JSON-based type such as `application/merge-patch+json`, with
/// or without parameters.
fn is_json(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The media type of a `Content-Type` value, lower case, without its parameters.
pub(super) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_types_with_parameters_pass_and_others_do_not() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        for other in [
            "",
            "text/plain",
            "application/x-www-form-urlencoded",
            "text/json+x",
        ] {
            assert!(!is_json(other), "{other}");
        }
    }
}
