//! The four ways postroom authenticates to Jira, and what each puts on a request.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postroom_core::ports::tracker::TrackerError;
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
    /// The Forge app's system token for one installation (`Authorization: Bearer`), as
    /// Forge last handed it over; calls wait while none is valid.
    Forge(SystemToken),
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

/// How long a call waits for a fresh system token before it is tried again: Forge's
/// scheduled trigger brings one every five minutes, any other call of the app sooner.
pub const FORGE_TOKEN_WAIT: Duration = Duration::from_secs(30);

/// A token is not used in its last seconds, so that it does not expire on the way.
const FORGE_TOKEN_MARGIN_MS: i64 = 30_000;

/// The app system token of one Forge installation, shared by the HTTP edge that receives
/// it with every call and the client that spends it. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SystemToken {
    held: Arc<RwLock<Option<HeldToken>>>,
}

#[derive(Debug, Clone)]
struct HeldToken {
    token: Secret,
    expires_at_ms: i64,
}

impl SystemToken {
    /// Holds `token`, valid until `expires_at_ms`, unless the one held lasts longer.
    pub fn offer(&self, token: Secret, expires_at_ms: i64) -> bool {
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        if held
            .as_ref()
            .is_some_and(|h| h.expires_at_ms > expires_at_ms)
        {
            return false;
        }
        *held = Some(HeldToken {
            token,
            expires_at_ms,
        });
        true
    }

    /// The token to call with at `now_ms`, `None` while none is valid.
    pub fn usable(&self, now_ms: i64) -> Option<Secret> {
        self.held
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|h| h.expires_at_ms - FORGE_TOKEN_MARGIN_MS > now_ms)
            .map(|h| h.token.clone())
    }

    /// When the held token expires, if one is held.
    pub fn expires_at_ms(&self) -> Option<i64> {
        self.held
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|h| h.expires_at_ms)
    }

    /// Jira refused `token`: it is dropped (unless a newer one replaced it meanwhile).
    fn refused(&self, token: &Secret) {
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        if held
            .as_ref()
            .is_some_and(|h| h.token.expose() == token.expose())
        {
            *held = None;
        }
    }
}

/// The error of a call made while no valid system token is held: the job waits (without
/// using up an attempt) until a trigger brings one.
fn waiting_for_token(what: &str) -> TrackerError {
    TrackerError::RateLimited {
        what: what.to_owned(),
        retry_after: FORGE_TOKEN_WAIT,
        reason: Some("waiting for a fresh Forge app system token".to_owned()),
    }
}

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

    /// Jira said 401 to `header`: for a Forge installation the token is dropped and the
    /// call waits for a fresh one (`Some`); other kinds answer `None`.
    pub(crate) fn refused(&self, header: &str, what: &str) -> Option<TrackerError> {
        let Auth::Forge(token) = self.current() else {
            return None;
        };
        if let Some(used) = header.strip_prefix("Bearer ") {
            token.refused(&Secret::new(used));
        }
        Some(waiting_for_token(what))
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

    /// The `Authorization` header value for a call described as `what`.
    pub(crate) fn header(&self, what: &str) -> Result<String, TrackerError> {
        Ok(match self.current() {
            Auth::ApiToken { email, token } => basic(&email, token.expose()),
            Auth::PersonalAccessToken(pat) => format!("Bearer {}", pat.expose()),
            Auth::OAuth(t) => format!("Bearer {}", t.access_token.expose()),
            Auth::Forge(token) => {
                let token = token
                    .usable(now_ms())
                    .ok_or_else(|| waiting_for_token(what))?;
                format!("Bearer {}", token.expose())
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

fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
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
    fn forge_calls_wait_while_no_token_is_valid() {
        let token = SystemToken::default();
        let state = AuthState::new(Auth::Forge(token.clone()));
        let waiting = state.header("GET /issue").unwrap_err();
        assert_eq!(waiting.retry_after(), Some(FORGE_TOKEN_WAIT));
        // A token in its last seconds is not used either.
        token.offer(Secret::new("almost"), now_ms() + FORGE_TOKEN_MARGIN_MS / 2);
        assert!(state.header("GET /issue").is_err());
        token.offer(Secret::new("fresh"), now_ms() + 600_000);
        assert_eq!(state.header("GET /issue").unwrap(), "Bearer fresh");
    }

    #[test]
    fn a_shorter_token_does_not_replace_a_longer_one() {
        let token = SystemToken::default();
        assert!(token.offer(Secret::new("long"), now_ms() + 900_000));
        assert!(!token.offer(Secret::new("short"), now_ms() + 300_000));
        assert_eq!(token.usable(now_ms()).unwrap().expose(), "long");
    }

    #[test]
    fn a_refused_token_is_dropped_but_not_a_newer_one() {
        let token = SystemToken::default();
        let state = AuthState::new(Auth::Forge(token.clone()));
        token.offer(Secret::new("old"), now_ms() + 600_000);
        let header = state.header("GET /x").unwrap();
        token.offer(Secret::new("new"), now_ms() + 900_000);
        assert!(state.refused(&header, "GET /x").is_some());
        assert_eq!(token.usable(now_ms()).unwrap().expose(), "new");
        let header = state.header("GET /x").unwrap();
        state.refused(&header, "GET /x");
        assert!(token.usable(now_ms()).is_none());
        // Other kinds of auth are not Forge's business.
        let pat = AuthState::new(Auth::PersonalAccessToken(Secret::new("p")));
        assert!(pat.refused("Bearer p", "GET /x").is_none());
    }
}
