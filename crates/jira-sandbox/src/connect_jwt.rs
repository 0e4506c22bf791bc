//! Atlassian Connect JWT: HS256 tokens signed with an installation's shared secret, whose
//! `qsh` claim binds the token to one canonical request (method, path, query).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Claims the sandbox reads.
#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    qsh: String,
}

/// Why a Connect JWT was refused (all answered 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts with a JSON payload.
    #[error("JWT is malformed")]
    Malformed,
    /// Signature, algorithm or expiry check failed.
    #[error("JWT rejected: {0}")]
    Invalid(String),
    /// `qsh` does not match the request (or is `context-qsh`, which REST calls may not use).
    #[error("qsh does not match the request")]
    QshMismatch,
}

/// The `iss` claim, read before verification to find the installation's secret.
pub fn issuer(token: &str) -> Result<String, JwtError> {
    let payload = token.split('.').nth(1).ok_or(JwtError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| JwtError::Malformed)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)?;
    claims
        .get("iss")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .ok_or(JwtError::Malformed)
}

/// Verifies signature, expiry and `qsh` against the request.
pub fn verify(
    token: &str,
    secret: &str,
    method: &str,
    path: &str,
    query: Option<&str>,
) -> Result<(), JwtError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss"]);
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map_err(|e| JwtError::Invalid(e.to_string()))?;
    let _ = data.claims.iss;
    if data.claims.qsh != qsh(method, path, query) {
        return Err(JwtError::QshMismatch);
    }
    Ok(())
}

/// `qsh` = hex SHA-256 of `METHOD&canonical-path&canonical-query`.
pub fn qsh(method: &str, path: &str, query: Option<&str>) -> String {
    let canonical = format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        canonical_path(path),
        canonical_query(query)
    );
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Path relative to the base URL's context path, no trailing slash, `&` as `%26`.
fn canonical_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    let p = if trimmed.is_empty() { "/" } else { trimmed };
    p.replace('&', "%26")
}

/// Query without `jwt`, names sorted, RFC 3986 encoding, repeated values sorted and joined by `,`.
fn canonical_query(query: Option<&str>) -> String {
    let mut params: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name);
        if name == "jwt" {
            continue;
        }
        params
            .entry(encode(&name))
            .or_default()
            .push(encode(&decode(value)));
    }
    params
        .into_iter()
        .map(|(name, mut values)| {
            values.sort();
            format!("{name}={}", values.join(","))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex_pair = bytes
            .get(i + 1..i + 3)
            .and_then(|h| Some((hex_digit(h[0])? << 4) | hex_digit(h[1])?));
        match (bytes[i], hex_pair) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};

    #[test]
    fn canonical_request_rules() {
        assert_eq!(canonical_path(""), "/");
        assert_eq!(canonical_path("/rest/api/3/issue/"), "/rest/api/3/issue");
        assert_eq!(canonical_path("/a&b"), "/a%26b");
        assert_eq!(canonical_query(None), "");
        assert_eq!(
            canonical_query(Some("b=2&a=x+y&jwt=abc&a=%41")),
            "a=A,x%20y&b=2"
        );
        assert_eq!(canonical_query(Some("q=a%2Cb&e=")), "e=&q=a%2Cb");
        assert_eq!(
            canonical_query(Some("n=%E2%82%AC%&t=%zz")),
            "n=%E2%82%AC%25&t=%25zz"
        );
    }

    #[test]
    fn empty_query_gives_trailing_ampersand() {
        let expected = hex::encode(Sha256::digest(b"GET&/rest/api/3/myself&"));
        assert_eq!(qsh("get", "/rest/api/3/myself", None), expected);
    }

    fn token(secret: &str, qsh: &str, exp_offset: i64) -> String {
        let now = crate::time::now_ms() / 1000;
        let claims =
            serde_json::json!({"iss": "postroom", "iat": now, "exp": now + exp_offset, "qsh": qsh});
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn verifies_signature_expiry_and_qsh() {
        let q = qsh("GET", "/rest/api/3/issue/SUP-1", Some("fields=summary"));
        let good = token("s3cret", &q, 60);
        assert_eq!(issuer(&good), Ok("postroom".into()));
        assert_eq!(
            verify(
                &good,
                "s3cret",
                "GET",
                "/rest/api/3/issue/SUP-1",
                Some("fields=summary&jwt=x")
            ),
            Ok(())
        );
        assert!(matches!(
            verify(
                &good,
                "other",
                "GET",
                "/rest/api/3/issue/SUP-1",
                Some("fields=summary")
            ),
            Err(JwtError::Invalid(_))
        ));
        assert_eq!(
            verify(
                &good,
                "s3cret",
                "GET",
                "/rest/api/3/issue/SUP-2",
                Some("fields=summary")
            ),
            Err(JwtError::QshMismatch)
        );
        let ctx = token("s3cret", "context-qsh", 60);
        assert_eq!(
            verify(&ctx, "s3cret", "GET", "/", None),
            Err(JwtError::QshMismatch)
        );
        let expired = token("s3cret", &q, -3600);
        assert!(matches!(
            verify(
                &expired,
                "s3cret",
                "GET",
                "/rest/api/3/issue/SUP-1",
                Some("fields=summary")
            ),
            Err(JwtError::Invalid(_))
        ));
        assert_eq!(issuer("garbage"), Err(JwtError::Malformed));
    }
}
