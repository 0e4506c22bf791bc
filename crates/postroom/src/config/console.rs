//! `[console]`: sessions of the console and its sign-in through Jira.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;

/// How long console sessions last, and how people sign in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Minutes without a request after which a session ends.
    pub session_idle_minutes: u64,
    /// Hours after sign-in after which a session ends however busy it is (1–12).
    pub session_max_hours: u64,
    pub oauth: OauthConfig,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 60,
            session_max_hours: 12,
            oauth: OauthConfig::default(),
        }
    }
}

/// Which OAuth 2.0 provider signs people in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OauthProvider {
    /// Atlassian's 3LO for Jira Cloud: `auth.atlassian.com`, then the account's
    /// accessible resources must include the site.
    #[default]
    Atlassian,
}

/// `[console.oauth]`: the OAuth 2.0 (3LO) app people sign in with. Unset `client_id`:
/// no OAuth sign-in (one-time links still work).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OauthConfig {
    pub provider: OauthProvider,
    pub client_id: Option<String>,
    /// The client secret; prefer `client_secret_file`. Never written back out.
    #[serde(skip_serializing)]
    pub client_secret: Option<Secret>,
    /// A file (mode 0600) holding the client secret; read at start.
    pub client_secret_file: Option<PathBuf>,
    /// The authorization endpoint (the browser is sent there).
    pub authorize_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// Where the sites an access token reaches are listed.
    pub resources_url: String,
    /// Where the token's own account is read.
    pub me_url: String,
}

impl Default for OauthConfig {
    fn default() -> Self {
        Self {
            provider: OauthProvider::Atlassian,
            client_id: None,
            client_secret: None,
            client_secret_file: None,
            authorize_url: "https://auth.atlassian.com/authorize".to_owned(),
            token_url: "https://auth.atlassian.com/oauth/token".to_owned(),
            resources_url: "https://api.atlassian.com/oauth/token/accessible-resources".to_owned(),
            me_url: "https://api.atlassian.com/me".to_owned(),
        }
    }
}

impl ConsoleConfig {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if !(1..=12).contains(&self.session_max_hours) {
            return Err((
                "console.session_max_hours".to_owned(),
                "must be 1 to 12 hours".to_owned(),
            ));
        }
        if self.session_idle_minutes == 0 || self.session_idle_minutes > self.session_max_hours * 60
        {
            return Err((
                "console.session_idle_minutes".to_owned(),
                "must be at least 1 minute and at most console.session_max_hours".to_owned(),
            ));
        }
        if self.oauth.client_secret.is_some() && self.oauth.client_secret_file.is_some() {
            return Err((
                "console.oauth.client_secret_file".to_owned(),
                "set either console.oauth.client_secret or client_secret_file, not both".to_owned(),
            ));
        }
        for (key, url) in [
            ("authorize_url", &self.oauth.authorize_url),
            ("token_url", &self.oauth.token_url),
            ("resources_url", &self.oauth.resources_url),
            ("me_url", &self.oauth.me_url),
        ] {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err((
                    format!("console.oauth.{key}"),
                    format!("{url:?} is not an http(s) URL"),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn read_secret_files(&mut self) -> Result<(), (String, String)> {
        if let Some(path) = &self.oauth.client_secret_file {
            let secret = Secret::from_file(path)
                .map_err(|message| ("console.oauth.client_secret_file".to_owned(), message))?;
            self.oauth.client_secret = Some(secret);
        }
        Ok(())
    }
}
