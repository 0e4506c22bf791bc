//! The four ways postroom authenticates to Jira, and what each puts on a request.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use postroom_core::connect_jwt::{CanonicalRequest, ConnectClaims, parse_query, sign};
use postroom_core::ports::tracker::TrackerError;
use reqwest::Url;
use serde::Deserialize;

use postroom_core::secret::Secret;

/// How to authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    /// Jira Cloud API token: Basic with the account's e-mail and the token.
    ApiToken {
        /// Account e-mail (the Basic user name).
        email: String,
        /// API token.
        token: Secret,
    },
    /// Jira Data Center personal access token: `Authorization: Bearer`.
    PersonalAccessToken(Secret),
    /// OAuth 2.0 (3LO) access token, refreshed with the refresh token when Jira says 401.
    OAuth(OAuthTokens),
    /// Atlassian Connect app: a fresh HS256 JWT per request with the request's `qsh`.
    Connect {
        /// The app key (the JWT issuer).
        app_key: String,
        /// The installation's shared secret.
        shared_secret: Secret,
    },
}

/// OAuth 2.0 tokens and what is needed to refresh them.
#[derive(Debug, Clone)]
pub struct OAuthTokens {
    /// Current access token.
    pub access_token: Secret,
    /// Refresh token (rotating on Atlassian: each refresh returns a new one).
    pub refresh_token: Option<Secret>,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: Secret,
    /// Token endpoint, e.g. `https://auth.atlassian.com/oauth/token`.
    pub token_url: String,
}

/// Seconds a Connect token stays valid: long enough for a slow request, short enough
/// that a leaked one is soon useless.
const CONNECT_TOKEN_TTL_SECS: i64 = 180;

/// The credentials in use; OAuth tokens change when refreshed.
#[derive(Debug)]
pub(crate) struct AuthState {
    auth: Mutex<Auth>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: Option<String>,
}

impl AuthState {
    pub(crate) fn new(auth: Auth) -> Self {
        Self {
            auth: Mutex::new(auth),
        }
    }

    fn current(&self) -> Auth {
        self.auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The current OAuth tokens (after refreshes), for the caller to store.
    pub(crate) fn oauth_tokens(&self) -> Option<OAuthTokens> {
        match self.current() {
            Auth::OAuth(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn can_refresh(&self) -> bool {
        matches!(
            self.current(),
            Auth::OAuth(OAuthTokens {
                refresh_token: Some(_),
                ..
            })
        )
    }

    /// The `Authorization` header value for `method url`; `context_path` is the base URL's
    /// path, which the Connect `qsh` leaves out.
    pub(crate) fn header(
        &self,
        method: &str,
        url: &Url,
        context_path: &str,
    ) -> Result<String, TrackerError> {
        Ok(match self.current() {
            Auth::ApiToken { email, token } => basic(&email, token.expose()),
            Auth::PersonalAccessToken(pat) => format!("Bearer {}", pat.expose()),
            Auth::OAuth(t) => format!("Bearer {}", t.access_token.expose()),
            Auth::Connect {
                app_key,
                shared_secret,
            } => {
                let query = parse_query(url.query().unwrap_or_default());
                let qsh = CanonicalRequest::new(method, context_path, url.path(), &query).qsh();
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let now = i64::try_from(now).unwrap_or(i64::MAX / 2);
                let claims = ConnectClaims {
                    iss: app_key,
                    iat: now,
                    exp: now + CONNECT_TOKEN_TTL_SECS,
                    qsh,
                    sub: None,
                };
                let token = sign(&claims, shared_secret.expose().as_bytes()).map_err(|e| {
                    TrackerError::Permanent {
                        what: "signing a Connect JWT".to_owned(),
                        status: 0,
                        message: e.to_string(),
                    }
                })?;
                format!("JWT {token}")
            }
        })
    }

    /// Trades the refresh token for new tokens. Atlassian rotates refresh tokens, so both
    /// are replaced.
    pub(crate) async fn refresh(&self, http: &reqwest::Client) -> Result<(), TrackerError> {
        let Auth::OAuth(tokens) = self.current() else {
            return Ok(());
        };
        let what = "refreshing the OAuth access token".to_owned();
        let Some(refresh) = tokens.refresh_token.clone() else {
            return Err(TrackerError::Permanent {
                what,
                status: 401,
                message: "no refresh token configured".into(),
            });
        };
        let body = serde_json::json!({
            "grant_type": "refresh_token",
            "client_id": tokens.client_id,
            "client_secret": tokens.client_secret.expose(),
            "refresh_token": refresh.expose(),
        });
        let response = http
            .post(&tokens.token_url)
            .json(&body)
            .send()
            .await
            .map_err(|e| TrackerError::Transient {
                what: what.clone(),
                message: e.without_url().to_string(),
                outcome_unknown: false,
            })?;
        let status = response.status().as_u16();
        if status >= 500 {
            return Err(TrackerError::Transient {
                what,
                message: format!("HTTP {status}"),
                outcome_unknown: false,
            });
        }
        if status != 200 {
            return Err(TrackerError::Permanent {
                what,
                status,
                message: "the token endpoint refused the refresh token".into(),
            });
        }
        let fresh: TokenResponse = response.json().await.map_err(|e| TrackerError::Permanent {
            what: what.clone(),
            status,
            message: format!("unreadable token response: {}", e.without_url()),
        })?;
        let mut guard = self
            .auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Auth::OAuth(t) = &mut *guard {
            t.access_token = Secret::new(fresh.access_token);
            if let Some(r) = fresh.refresh_token {
                t.refresh_token = Some(Secret::new(r));
            }
        }
        tracing::info!("refreshed the OAuth access token");
        Ok(())
    }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_is_standard_base64() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic("a", ""), "Basic YTo=");
        assert_eq!(basic("ab", "c"), "Basic YWI6Yw==");
    }

    #[test]
    fn connect_header_signs_the_path_below_the_context_path() {
        let state = AuthState::new(Auth::Connect {
            app_key: "app".into(),
            shared_secret: Secret::new("s"),
        });
        let url = Url::parse("https://h.test/jira/rest/api/2/issue/A-1?b=2&a=1").unwrap();
        let header = state.header("GET", &url, "/jira").unwrap();
        let token = header.strip_prefix("JWT ").unwrap();
        let claims = postroom_core::connect_jwt::decode_unverified(token).unwrap();
        let expected =
            CanonicalRequest::new("GET", "", "/rest/api/2/issue/A-1", &parse_query("a=1&b=2"))
                .qsh();
        assert_eq!(claims.qsh, expected);
        assert_eq!(claims.exp - claims.iat, CONNECT_TOKEN_TTL_SECS);
    }
}
