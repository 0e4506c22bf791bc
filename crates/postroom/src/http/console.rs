//! The console's bundle at `/`: the committed build of `ui/` (see `ui/README.md`),
//! embedded in the binary so that `cargo build` needs no Node and the binary is the whole
//! deployment.
//!
//! Every console response carries a strict Content-Security-Policy: scripts, styles and
//! connections only from this origin, no inline script or style, no plugins, and
//! `frame-ancestors 'self'`, so no other site can frame the console to trick a click.

use std::io::Write;
use std::sync::LazyLock;

use axum::Router;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

const INDEX: &[u8] = include_bytes!("../../../../ui/dist/index.html");
const SCRIPT: &[u8] = include_bytes!("../../../../ui/dist/assets/console.js");
const STYLE: &[u8] = include_bytes!("../../../../ui/dist/assets/console.css");

/// The chunks of Forge's bridge, which the bundle loads only inside Jira (see
/// `ui/src/transport.ts`). postroom never serves them; they are part of the Forge app's
/// resource, which `serve --sandbox` hands its Forge platform.
const BRIDGE_CHUNKS: [(&str, &[u8]); 2] = [
    (
        "assets/forge-out.js",
        include_bytes!("../../../../ui/dist/assets/forge-out.js"),
    ),
    (
        "assets/forge-iframe-resizer.js",
        include_bytes!("../../../../ui/dist/assets/forge-iframe-resizer.js"),
    ),
];

/// Every file of the bundle by its path in `ui/dist`: the Forge app's `console` resource.
pub fn resource() -> Vec<(&'static str, &'static [u8])> {
    let mut files = vec![
        ("index.html", INDEX),
        ("assets/console.js", SCRIPT),
        ("assets/console.css", STYLE),
    ];
    files.extend(BRIDGE_CHUNKS);
    files
}

/// The Forge app's `picker` resource, the issue view's own bundle (`ui/dist/issue`, see
/// `ui/src/issue.tsx`). postroom never serves it itself: only Jira shows it, and
/// `serve --sandbox` hands it to its Forge platform.
const PICKER: [(&str, &[u8]); 5] = [
    (
        "index.html",
        include_bytes!("../../../../ui/dist/issue/index.html"),
    ),
    (
        "assets/issue.js",
        include_bytes!("../../../../ui/dist/issue/assets/issue.js"),
    ),
    (
        "assets/issue.css",
        include_bytes!("../../../../ui/dist/issue/assets/issue.css"),
    ),
    (
        "assets/forge-out.js",
        include_bytes!("../../../../ui/dist/issue/assets/forge-out.js"),
    ),
    (
        "assets/forge-iframe-resizer.js",
        include_bytes!("../../../../ui/dist/issue/assets/forge-iframe-resizer.js"),
    ),
];

/// Every file of the issue view's bundle by its path in `ui/dist/issue`.
pub fn picker_resource() -> Vec<(&'static str, &'static [u8])> {
    PICKER.to_vec()
}

/// The policy of every console page. `frame-src 'self'` lets a mail's HTML be shown in a
/// sandboxed frame of this origin with a policy of its own.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

/// The script and stylesheet gzipped, made once on first use: a browser on a slow link
/// fetches a third of the bytes.
static SCRIPT_GZ: LazyLock<Option<Vec<u8>>> = LazyLock::new(|| gzip(SCRIPT));
static STYLE_GZ: LazyLock<Option<Vec<u8>>> = LazyLock::new(|| gzip(STYLE));

/// The console's routes: the page (at `/`, and at `/agent` for the agent's picker, a
/// bookmark agents keep) and its two assets.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/agent",
            get(|| async { asset(INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/assets/console.js",
            get(|headers: HeaderMap| async move {
                compressible(
                    &headers,
                    SCRIPT,
                    &SCRIPT_GZ,
                    "text/javascript; charset=utf-8",
                )
            }),
        )
        .route(
            "/assets/console.css",
            get(|headers: HeaderMap| async move {
                compressible(&headers, STYLE, &STYLE_GZ, "text/css; charset=utf-8")
            }),
        )
}

/// `bytes` gzipped when the request accepts gzip (and compressing worked), else as is;
/// caches are told the answer depends on `Accept-Encoding`.
fn compressible(
    request: &HeaderMap,
    bytes: &'static [u8],
    gzipped: &'static LazyLock<Option<Vec<u8>>>,
    content_type: &'static str,
) -> Response {
    let mut response = match gzipped.as_deref().filter(|_| accepts_gzip(request)) {
        Some(body) => {
            let mut response = asset(body, content_type);
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        None => asset(bytes, content_type),
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether `Accept-Encoding` names gzip (or `*`) without refusing it with `q=0`.
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn gzip_is_chosen_only_when_accepted() {
        assert!(accepts_gzip(&accept("gzip, deflate, br")));
        assert!(accepts_gzip(&accept("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&accept("*")));
        assert!(!accepts_gzip(&accept("gzip;q=0, br")));
        assert!(!accepts_gzip(&accept("identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn the_gzipped_assets_are_smaller_and_unpack_to_the_same_bytes() {
        use std::io::Read;
        for (plain, gzipped) in [(SCRIPT, &SCRIPT_GZ), (STYLE, &STYLE_GZ)] {
            let packed = gzipped.as_deref().unwrap();
            assert!(packed.len() * 2 < plain.len());
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(packed)
                .read_to_end(&mut unpacked)
                .unwrap();
            assert_eq!(unpacked, plain);
        }
    }
}
