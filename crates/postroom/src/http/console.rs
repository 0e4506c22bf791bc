//! The console's bundle at `/`: the committed build of `ui/` (see `ui/README.md`),
//! embedded in the binary so that `cargo build` needs no Node and the binary is the whole
//! deployment.
//!
//! Every console response carries a strict Content-Security-Policy: scripts, styles and
//! connections only from this origin, no inline script or style, no plugins, and
//! `frame-ancestors 'self'`, so no other site can frame the console to trick a click.

use axum::Router;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

const INDEX: &[u8] = include_bytes!("../../../../ui/dist/index.html");
const SCRIPT: &[u8] = include_bytes!("../../../../ui/dist/assets/console.js");
const STYLE: &[u8] = include_bytes!("../../../../ui/dist/assets/console.css");

/// The policy of every console page. `frame-src 'self'` lets a mail's HTML be shown in a
/// sandboxed frame of this origin with a policy of its own.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

/// The console's routes: the page and its two assets.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/assets/console.js",
            get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/console.css",
            get(|| async { asset(STYLE, "text/css; charset=utf-8") }),
        )
}

/// The headers every console response carries.
pub fn secure_headers(headers: &mut HeaderMap) {
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        (header::REFERRER_POLICY, "no-referrer"),
        // The file names are fixed, so the browser asks again each time; the page is small.
        (header::CACHE_CONTROL, "no-cache"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

fn asset(bytes: &'static [u8], content_type: &'static str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    secure_headers(response.headers_mut());
    response
}
