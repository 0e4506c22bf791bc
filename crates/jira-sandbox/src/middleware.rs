//! Per-request middleware: counting (outermost) and fault injection (after auth).

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::error::ApiError;
use crate::faults::Throttle;
use crate::stats::LoggedRequest;

/// `METHOD route` of a request, using the matched route template when there is one.
fn endpoint(req: &Request) -> String {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_owned(), |m| m.as_str().to_owned());
    format!("{} {route}", req.method())
}

/// Middleware: counts each request and response by endpoint, and logs it with its times.
pub async fn count(State(app): State<App>, req: Request, next: Next) -> Response {
    let received = std::time::Instant::now();
    let key = endpoint(&req);
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_owned(), |m| m.as_str().to_owned());
    let path = req.uri().path().to_owned();
    let issue_write = written_issue(&req).map(|i| i.to_ascii_uppercase());
    app.stats.request(&key);
    let response = next.run(req).await;
    let status = response.status().as_u16();
    app.stats.response(&key, status);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    app.stats.log(LoggedRequest {
        received_ms: app.stats.since_start_ms(received),
        answered_ms: app.stats.since_start_ms(std::time::Instant::now()),
        method,
        route,
        path,
        issue_write,
        status,
        retry_after_secs: header("retry-after").and_then(|v| v.parse().ok()),
        reason: header("ratelimit-reason"),
    });
    response
}

fn is_write(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::DELETE)
}

/// The issue key or id a write targets (`.../issue/{key}/...`), for the per-issue limit.
fn written_issue(req: &Request) -> Option<String> {
    if !is_write(req.method()) {
        return None;
    }
    let mut segments = req.uri().path().split('/');
    segments.find(|s| *s == "issue")?;
    segments
        .next()
        .filter(|s| !s.is_empty() && !matches!(*s, "bulk" | "createmeta" | "picker"))
        .map(str::to_owned)
}

fn throttled(app: &App, t: &Throttle) -> Response {
    app.stats.effect("throttled");
    let mut response =
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded.").into_response();
    let headers = response.headers_mut();
    headers.insert("retry-after", HeaderValue::from(t.retry_after_secs));
    if let Ok(reset) = HeaderValue::from_str(&t.reset) {
        headers.insert("x-ratelimit-reset", reset);
    }
    headers.insert("ratelimit-reason", HeaderValue::from_static(t.reason));
    response
}

/// Middleware: outage, rate limits, injected errors and latency before the handler;
/// dropped responses after a committed write.
pub async fn inject(State(app): State<App>, req: Request, next: Next) -> Response {
    if app.faults.in_outage() {
        app.stats.effect("outage_503");
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable (sandbox outage).",
        )
        .into_response();
    }
    if let Err(t) = app.faults.take_quota() {
        return throttled(&app, &t);
    }
    if let Err(t) = app.faults.take_endpoint(&endpoint(&req)) {
        return throttled(&app, &t);
    }
    if let Some(issue) = written_issue(&req)
        && let Err(t) = app.faults.take_issue_write(&issue)
    {
        return throttled(&app, &t);
    }
    let latency = app.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match app.faults.draw_error() {
        Some(500) => {
            app.stats.effect("fault_500");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error (sandbox fault).",
            )
            .into_response();
        }
        Some(_) => {
            app.stats.effect("fault_503");
            let mut r = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable (sandbox fault).",
            )
            .into_response();
            r.headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            return r;
        }
        None => {}
    }
    let write = is_write(req.method());
    let response = next.run(req).await;
    if write && response.status().is_success() && app.faults.draw_drop() {
        app.stats.effect("response_dropped");
        return dropped(response);
    }
    response
}

/// A response whose body fails at once: hyper aborts the connection, so the client sees a
/// transport error although the write was committed.
fn dropped(committed: Response) -> Response {
    let (parts, _) = committed.into_parts();
    let failing = futures::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("sandbox dropped the response"))
    });
    let mut response = Response::from_parts(parts, Body::from_stream(failing));
    response.headers_mut().remove("content-length");
    response
}
