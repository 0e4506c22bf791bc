//! OAuth 2.0 token endpoint (authorization code and refresh token grants, refresh tokens
//! rotate as Atlassian's do). Codes come from `POST /_sandbox/oauth/codes`, standing in for
//! the browser consent step.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::state::model::CodeGrant;
use crate::time::now_ms;

/// Lifetime of issued access tokens, as on Atlassian (one hour).
pub const ACCESS_TOKEN_SECS: i64 = 3600;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// A random opaque token.
pub fn random_token(prefix: &str) -> String {
    let n: u128 = rand::random();
    format!("{prefix}{n:032x}")
}

/// Reads a JSON or form-encoded body into a flat map of strings.
fn params(bytes: &Bytes) -> Map<String, Value> {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(bytes) {
        return map;
    }
    form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

/// Whether a token request repeats what its code was issued for: the same `redirect_uri`
/// and, when a PKCE challenge was sent, a verifier whose SHA-256 (base64url) is it. A code
/// is good for one try either way.
fn grant_matches(bound: &CodeGrant, redirect_uri: &str, verifier: &str) -> bool {
    let challenge_ok = match &bound.code_challenge {
        None => true,
        Some(challenge) => {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == *challenge
        }
    };
    bound.redirect_uri == redirect_uri && challenge_ok
}

/// `POST {oauth_token_path}`.
pub async fn token(State(app): State<App>, body: Bytes) -> Response {
    let p = params(&body);
    let get = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let (client, secret, grant) = (get("client_id"), get("client_secret"), get("grant_type"));
    let account = {
        let mut site = app.store.write();
        if site.oauth.clients.get(&client) != Some(&secret) {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Unknown client or wrong client secret.",
            );
        }
        let found = match grant.as_str() {
            "authorization_code" => {
                let code = get("code");
                if let Some(bound) = site.oauth.grants.remove(&code)
                    && !grant_matches(&bound, &get("redirect_uri"), &get("code_verifier"))
                {
                    site.oauth.codes.remove(&code);
                    return oauth_error(
                        StatusCode::FORBIDDEN,
                        "invalid_grant",
                        "The redirect_uri or code_verifier does not match the authorization request.",
                    );
                }
                site.oauth.codes.remove(&code)
            }
            "refresh_token" => site.oauth.refresh_tokens.remove(&get("refresh_token")),
            "" => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "grant_type is required.",
                );
            }
            _ => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "Use authorization_code or refresh_token.",
                );
            }
        };
        let Some(account) = found else {
            return oauth_error(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Unknown or invalid code or refresh token.",
            );
        };
        let access = random_token("sbx-at-");
        let refresh = random_token("sbx-rt-");
        site.oauth.access_tokens.insert(
            access.clone(),
            (account.clone(), now_ms() + ACCESS_TOKEN_SECS * 1000),
        );
        site.oauth.refresh_tokens.insert(refresh.clone(), account);
        (access, refresh)
    };
    app.store.persist();
    app.stats.effect("oauth_token_issued");
    let (access, refresh) = account;
    Json(json!({
        "access_token": access, "token_type": "Bearer", "expires_in": ACCESS_TOKEN_SECS,
        "refresh_token": refresh, "scope": "read:jira-work write:jira-work read:jira-user offline_access",
    }))
    .into_response()
}
