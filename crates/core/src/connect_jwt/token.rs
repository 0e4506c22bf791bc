//! HS256 JWT encoding and checking for Connect tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::CONTEXT_QSH;

/// The claims of a Connect token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectClaims {
    /// Issuer: the app key (app → Jira) or the installation's client key (Jira → app).
    pub iss: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// Hash of the canonical request, or [`CONTEXT_QSH`].
    pub qsh: String,
    /// The user on whose behalf the request is made, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

/// Which `qsh` a verifier accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QshRule {
    /// Only the hash of this request (webhooks, lifecycle callbacks, API calls).
    Request(String),
    /// This request's hash or `context-qsh` (endpoints meant for the browser context).
    RequestOrContext(String),
}

/// Why a Connect token was refused. Messages never include the token or the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the JWT is malformed: {0}")]
    Malformed(&'static str),
    #[error("the JWT uses algorithm {0:?}; only HS256 is accepted")]
    UnsupportedAlgorithm(String),
    #[error("the JWT signature does not match the shared secret of issuer {iss:?}")]
    BadSignature { iss: String },
    #[error("the JWT expired at {exp}, now is {now}")]
    Expired { exp: i64, now: i64 },
    #[error("the JWT is issued in the future ({iat}, now is {now})")]
    IssuedInFuture { iat: i64, now: i64 },
    #[error("the JWT's qsh does not match this request")]
    QshMismatch,
    #[error("a context token (qsh=context-qsh) is not accepted for this request")]
    ContextQshNotAllowed,
    #[error("the shared secret cannot be used as an HMAC key")]
    UnusableSecret,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

/// Signs `claims` with `secret` (HS256) and returns the compact token.
pub fn sign(claims: &ConnectClaims, secret: &[u8]) -> Result<String, JwtError> {
    let header = Header {
        alg: "HS256".to_owned(),
        typ: Some("JWT".to_owned()),
    };
    let header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap_or_default());
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{body}");
    let signature = URL_SAFE_NO_PAD.encode(
        mac(secret, signing_input.as_bytes())?
            .finalize()
            .into_bytes(),
    );
    Ok(format!("{signing_input}.{signature}"))
}

fn mac(secret: &[u8], input: &[u8]) -> Result<Hmac<Sha256>, JwtError> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| JwtError::UnusableSecret)?;
    mac.update(input);
    Ok(mac)
}

fn split(token: &str) -> Result<(&str, &str, &str), JwtError> {
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(c), Some(s), None) => Ok((h, c, s)),
        _ => Err(JwtError::Malformed("expected three dot-separated parts")),
    }
}

/// Reads the claims without checking anything, to learn the issuer and so find the secret.
pub fn decode_unverified(token: &str) -> Result<ConnectClaims, JwtError> {
    let (_, claims, _) = split(token)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(claims)
        .map_err(|_| JwtError::Malformed("claims are not base64url"))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| JwtError::Malformed("claims are not the Connect claim set"))
}

/// Checks a token: HS256 signature with `secret`, `exp` not passed and `iat` not in the
/// future (both with `leeway_secs`), and `qsh` per `rule`. Returns the claims.
pub fn verify(
    token: &str,
    secret: &[u8],
    now: i64,
    leeway_secs: i64,
    rule: &QshRule,
) -> Result<ConnectClaims, JwtError> {
    let (header_part, body, signature) = split(token)?;
    let header: Header = URL_SAFE_NO_PAD
        .decode(header_part)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed("header is not a JWT header"))?;
    if header.alg != "HS256" {
        return Err(JwtError::UnsupportedAlgorithm(header.alg));
    }
    let claims = decode_unverified(token)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtError::Malformed("signature is not base64url"))?;
    let signing_input = &token[..header_part.len() + 1 + body.len()];
    mac(secret, signing_input.as_bytes())?
        .verify_slice(&signature)
        .map_err(|_| JwtError::BadSignature {
            iss: claims.iss.clone(),
        })?;
    if now > claims.exp.saturating_add(leeway_secs) {
        return Err(JwtError::Expired {
            exp: claims.exp,
            now,
        });
    }
    if claims.iat > now.saturating_add(leeway_secs) {
        return Err(JwtError::IssuedInFuture {
            iat: claims.iat,
            now,
        });
    }
    match rule {
        QshRule::Request(expected) if claims.qsh == *expected => Ok(claims),
        QshRule::Request(_) if claims.qsh == CONTEXT_QSH => Err(JwtError::ContextQshNotAllowed),
        QshRule::RequestOrContext(expected)
            if claims.qsh == *expected || claims.qsh == CONTEXT_QSH =>
        {
            Ok(claims)
        }
        _ => Err(JwtError::QshMismatch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect_jwt::CanonicalRequest;

    const SECRET: &[u8] = b"shared-secret-of-the-installation";

    fn claims(qsh: &str) -> ConnectClaims {
        ConnectClaims {
            iss: "postroom".to_owned(),
            iat: 1_000,
            exp: 1_180,
            qsh: qsh.to_owned(),
            sub: None,
        }
    }

    fn qsh(path: &str, query: &str) -> String {
        CanonicalRequest::new(
            "GET",
            "/jira",
            path,
            &crate::connect_jwt::parse_query(query),
        )
        .qsh()
    }

    #[test]
    fn signed_token_verifies_for_its_request_only() {
        let good = qsh("/jira/rest/api/2/issue/A-1", "expand=x");
        let token = sign(&claims(&good), SECRET).unwrap();
        assert_eq!(
            verify(&token, SECRET, 1_100, 0, &QshRule::Request(good.clone())).unwrap(),
            claims(&good)
        );
        let other_path = qsh("/jira/rest/api/2/issue/A-2", "expand=x");
        assert_eq!(
            verify(&token, SECRET, 1_100, 0, &QshRule::Request(other_path)),
            Err(JwtError::QshMismatch)
        );
        let other_query = qsh("/jira/rest/api/2/issue/A-1", "expand=y");
        assert_eq!(
            verify(&token, SECRET, 1_100, 0, &QshRule::Request(other_query)),
            Err(JwtError::QshMismatch)
        );
        assert!(matches!(
            verify(&token, b"other", 1_100, 0, &QshRule::Request(good.clone())),
            Err(JwtError::BadSignature { .. })
        ));
        assert_eq!(
            verify(&token, SECRET, 1_181, 0, &QshRule::Request(good.clone())),
            Err(JwtError::Expired {
                exp: 1_180,
                now: 1_181
            })
        );
        assert!(verify(&token, SECRET, 1_181, 30, &QshRule::Request(good.clone())).is_ok());
        assert!(matches!(
            verify(&token, SECRET, 900, 0, &QshRule::Request(good)),
            Err(JwtError::IssuedInFuture { .. })
        ));
    }

    #[test]
    fn tampered_claims_fail_the_signature() {
        let token = sign(&claims("abc"), SECRET).unwrap();
        let (h, _, s) = split(&token).unwrap();
        let mut forged = claims("abc");
        forged.exp = 9_999_999;
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let forged = format!("{h}.{body}.{s}");
        assert!(matches!(
            verify(&forged, SECRET, 1_100, 0, &QshRule::Request("abc".into())),
            Err(JwtError::BadSignature { .. })
        ));
    }

    #[test]
    fn context_tokens_only_where_allowed() {
        let token = sign(&claims(CONTEXT_QSH), SECRET).unwrap();
        assert_eq!(
            verify(&token, SECRET, 1_100, 0, &QshRule::Request("x".into())),
            Err(JwtError::ContextQshNotAllowed)
        );
        assert!(
            verify(
                &token,
                SECRET,
                1_100,
                0,
                &QshRule::RequestOrContext("x".into())
            )
            .is_ok()
        );
    }

    #[test]
    fn other_algorithms_and_garbage_are_refused() {
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims("a")).unwrap());
        let token = format!("{none_header}.{body}.");
        assert_eq!(
            verify(&token, SECRET, 1_100, 0, &QshRule::Request("a".into())),
            Err(JwtError::UnsupportedAlgorithm("none".into()))
        );
        for garbage in ["", "a.b", "a.b.c.d", "!!.!!.!!", "e30.e30.e30"] {
            assert!(
                matches!(
                    verify(garbage, SECRET, 0, 0, &QshRule::Request("a".into())),
                    Err(JwtError::Malformed(_))
                ),
                "{garbage}"
            );
        }
    }

    #[test]
    fn known_token_matches_an_independent_hs256() {
        let token = sign(&claims("q"), b"k").unwrap();
        let (_, _, sig) = split(&token).unwrap();
        assert_eq!(sig, KNOWN_SIG);
    }

    const KNOWN_SIG: &str = "d-JcLvv45BK9dnpX-ko6tcC_afL8me7KCX1-0RQePfE";
}
