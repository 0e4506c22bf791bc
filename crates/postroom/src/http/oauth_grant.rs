//! A console session signed in through Jira lasts only while Jira still lets the account
//! in. A person can revoke postroom's access under "Connected apps" of their Atlassian
//! account (or a Data Center administrator can revoke their tokens), and an account can
//! lose the site; either must end the session, not just the next sign-in.
//!
//! So the sign-in's grant is kept with the session (sealed, see
//! [`postroom_store::console`]), and every `console.session_check_minutes` a request of the
//! session first confirms it with the provider: the refresh token is traded for a new
//! grant (a revoked grant is refused), and the new access token must still reach the
//! tenant's site as the same account. Only then is the request served. A provider that
//! cannot be reached leaves the session as it is until the next check: an outage at
//! Atlassian does not lock every administrator out, and the session still ends at its
//! lifetime.

use postroom_store::console::Session;
use serde::Deserialize;

use super::signin::{OauthClient, SignInError};
use super::{ApiError, AppState};
use crate::app;

/// The tokens of one sign-in through Jira's OAuth.
#[derive(Clone, Deserialize)]
pub struct Grant {
    pub access_token: String,
    /// Absent when the provider gave none; the grant then stands only until the access
    /// token expires.
    pub refresh_token: Option<String>,
    pub expires_at_ms: i64,
}

impl Grant {
    /// The form it is sealed in.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at_ms": self.expires_at_ms,
        })
        .to_string()
    }
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// What the provider says of a session's grant.
#[derive(Debug)]
enum Verdict {
    /// It stands; with the rotated grant to keep, when it was refreshed.
    Stands(Option<Grant>),
    /// It no longer stands: the session ends.
    Revoked(&'static str),
    /// The provider could not be asked; try again at the next check.
    Unreachable(SignInError),
}

impl OauthClient {
    /// Whether `grant`, signed in as `account_id`, still stands at `now_ms`.
    async fn confirm(&self, grant: &Grant, account_id: &str, now_ms: i64) -> Verdict {
        let (access, rotated) = match &grant.refresh_token {
            Some(refresh) => match self.refresh(refresh).await {
                Ok(fresh) => (fresh.access_token.clone(), Some(fresh)),
                Err(SignInError::TokenRefused { .. }) => {
                    return Verdict::Revoked("the provider refused the refresh token");
                }
                Err(e) => return Verdict::Unreachable(e),
            },
            None if grant.expires_at_ms <= now_ms => {
                return Verdict::Revoked("the access token expired and there is no refresh token");
            }
            None => (grant.access_token.clone(), None),
        };
        match self.account(&access).await {
            Ok(id) if id == account_id => Verdict::Stands(rotated),
            Ok(_) => Verdict::Revoked("the token now speaks for another account"),
            Err(SignInError::OtherSite(_)) => {
                Verdict::Revoked("the account no longer reaches this site")
            }
            Err(SignInError::TokenRefused { .. }) => {
                Verdict::Revoked("the provider refused the access token")
            }
            Err(e) => Verdict::Unreachable(e),
        }
    }
}

/// Confirms the grant of `session` (whose cookie is `secret`) when this request is the one
/// that claims the due check; ends the session and answers 401 when it no longer stands.
pub(super) async fn confirm(
    state: &AppState,
    oauth: &OauthClient,
    session: &Session,
    secret: &str,
) -> Result<(), ApiError> {
    let internal = |e: anyhow::Error| ApiError::Internal(e);
    let tenant = state
        .store
        .tenant(&session.tenant)
        .await
        .map_err(|e| internal(e.into()))?;
    let console = tenant.console();
    let now = app::now_ms();
    if !console
        .claim_check(secret, session.checked_at_ms, now)
        .await
        .map_err(|e| internal(e.into()))?
    {
        // Another request is asking (or just asked) the provider.
        return Ok(());
    }
    let cipher = state
        .intake
        .keyring()
        .cipher(&tenant)
        .await
        .map_err(|e| internal(e.into()))?;
    let kept = console
        .grant(&cipher, secret)
        .await
        .map_err(|e| internal(e.into()))?;
    let verdict = match kept.map(|json| serde_json::from_str::<Grant>(&json)) {
        Some(Ok(grant)) => oauth.confirm(&grant, &session.account_id, now).await,
        Some(Err(_)) | None => Verdict::Revoked("the session holds no readable grant"),
    };
    match verdict {
        Verdict::Stands(None) => Ok(()),
        Verdict::Stands(Some(rotated)) => {
            console
                .replace_grant(&cipher, secret, &rotated.to_json())
                .await
                .map_err(|e| internal(e.into()))?;
            Ok(())
        }
        Verdict::Revoked(why) => {
            state
                .store
                .end_console_session(secret)
                .await
                .map_err(|e| internal(e.into()))?;
            tracing::info!(
                tenant = %session.tenant.as_str(),
                why,
                "console session ended: its sign-in through Jira no longer stands"
            );
            Err(ApiError::Unauthorized)
        }
        Verdict::Unreachable(e) => {
            tracing::warn!(
                tenant = %session.tenant.as_str(),
                error = %e,
                "cannot confirm a console session's sign-in through Jira; asking again at the \
                 next check"
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_round_trips_and_never_shows_its_tokens() {
        let grant = Grant {
            access_token: "at-1".to_owned(),
            refresh_token: Some("rt-1".to_owned()),
            expires_at_ms: 42,
        };
        let back: Grant = serde_json::from_str(&grant.to_json()).unwrap();
        assert_eq!(
            (
                back.access_token.as_str(),
                back.refresh_token.as_deref(),
                back.expires_at_ms
            ),
            ("at-1", Some("rt-1"), 42)
        );
        let shown = format!("{grant:?}");
        assert!(
            !shown.contains("at-1") && !shown.contains("rt-1"),
            "{shown}"
        );
    }
}
