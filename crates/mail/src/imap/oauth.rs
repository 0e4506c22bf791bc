//! Access tokens for `XOAUTH2`, from an OAuth 2.0 token endpoint (RFC 6749 section 6).
//!
//! Google and Microsoft 365 hand out short-lived access tokens in exchange for a long-lived
//! refresh token. The refresh is one form POST, so it is done with reqwest directly rather
//! than a general OAuth client. A token is reused until shortly before it expires, so a
//! poller that reconnects often does not ask the endpoint every time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use super::settings::Secret;

/// Refresh this long before the endpoint said the token expires: a token that expires
/// between fetching it and the server checking it would fail the login.
const MARGIN: Duration = Duration::from_secs(60);

/// Why no access token could be had.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot reach the token endpoint {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The endpoint answered with an OAuth error: usually a revoked or expired refresh
    /// token (`invalid_grant`) or a wrong client (`invalid_client`).
    #[error("the token endpoint {url} refused the refresh token: {error}{}", describe(.description))]
    Refused {
        url: String,
        error: String,
        description: Option<String>,
    },
    #[error("the token endpoint {url} answered HTTP {status} without an access token")]
    Malformed { url: String, status: u16 },
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

/// Told the refresh token the endpoint handed out in place of the one it was given
/// (Microsoft rotates them), so that it can be kept where the old one was.
pub type RotationHook = Arc<dyn Fn(Secret) + Send + Sync>;

#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Hands out a valid access token, refreshing it when needed. A refresh token the
/// endpoint rotates is used from then on, and handed to the [`RotationHook`] if there is
/// one.
pub struct TokenSource {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    refresh_token: std::sync::Mutex<Secret>,
    cached: Mutex<Option<(Secret, Instant)>>,
    rotated: Option<RotationHook>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("rotation_hook", &self.rotated.is_some())
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub fn new(
        token_url: &str,
        client_id: &str,
        client_secret: Secret,
        refresh_token: Secret,
    ) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            token_url: token_url.to_owned(),
            client_id: client_id.to_owned(),
            client_secret,
            refresh_token: std::sync::Mutex::new(refresh_token),
            cached: Mutex::new(None),
            rotated: None,
        }
    }

    /// Hands every rotated refresh token to `hook`.
    pub fn on_rotation(mut self, hook: RotationHook) -> Self {
        self.rotated = Some(hook);
        self
    }

    fn current_refresh_token(&self) -> Secret {
        self.refresh_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A token that is still valid for at least [`MARGIN`].
    pub async fn access_token(&self) -> Result<Secret, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = self.refresh().await?;
        *cached = Some((
            token.clone(),
            Instant::now() + lifetime.saturating_sub(MARGIN),
        ));
        Ok(token)
    }

    /// Forgets the cached token, after the IMAP server refused it (revoked early).
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    async fn refresh(&self) -> Result<(Secret, Duration), TokenError> {
        let refresh_token = self.current_refresh_token();
        let body = form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", &self.client_id),
            ("client_secret", self.client_secret.expose()),
        ]);
        let unreachable = |e: reqwest::Error| TokenError::Unreachable {
            url: self.token_url.clone(),
            reason: e.to_string(),
        };
        let response = self
            .http
            .post(&self.token_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status().as_u16();
        let malformed = || TokenError::Malformed {
            url: self.token_url.clone(),
            status,
        };
        let answer: Answer = response.json().await.map_err(|_| malformed())?;
        if let Some(error) = answer.error {
            return Err(TokenError::Refused {
                url: self.token_url.clone(),
                error,
                description: answer.error_description,
            });
        }
        let token = answer.access_token.ok_or_else(malformed)?;
        if let Some(new) = answer
            .refresh_token
            .filter(|t| !t.is_empty() && t != refresh_token.expose())
        {
            let new = Secret::new(new);
            *self
                .refresh_token
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = new.clone();
            if let Some(hook) = &self.rotated {
                hook(new);
            }
        }
        // Without `expires_in` the endpoint promises nothing: assume the common hour.
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        Ok((Secret::new(token), lifetime))
    }
}

/// `application/x-www-form-urlencoded`: unreserved characters as they are, the rest as
/// `%XX` (space too, which every endpoint accepts).
fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encodes_everything_but_unreserved_characters() {
        assert_eq!(
            form(&[("a", "x y&z=1/+é"), ("b", "A-z_0.9~")]),
            "a=x%20y%26z%3D1%2F%2B%C3%A9&b=A-z_0.9~"
        );
        assert_eq!(form(&[]), "");
    }

    #[test]
    fn refusal_text_names_the_oauth_error() {
        let err = TokenError::Refused {
            url: "http://t/token".to_owned(),
            error: "invalid_grant".to_owned(),
            description: Some("expired".to_owned()),
        };
        assert_eq!(
            err.to_string(),
            "the token endpoint http://t/token refused the refresh token: invalid_grant (expired)"
        );
    }
}
