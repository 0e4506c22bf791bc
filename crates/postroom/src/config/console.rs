//! `[console]`: sessions of the console and its sign-in through Jira.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;

/// `[console]`: how long console sessions last, and how people sign in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Minutes without a request after which a session ends.
    pub session_idle_minutes: u64,
    /// Hours after sign-in after which a session ends however busy it is (1–12).
    pub session_max_hours: u64,
    /// Minutes between two checks that a session signed in through Jira still holds a
    /// grant the provider honours (its refresh token, the site among the account's); a
    /// revoked grant ends the session at its next request after that. 0: on every request.
    pub session_check_minutes: u64,
    pub oauth: OauthConfig,
    /// `[console.oauth_google]`: the Google OAuth 2.0 app that connects Gmail and Google
    /// Workspace mailboxes (scope `https://mail.google.com/`). Unset `client_id`: no
    /// "Connect Google" button.
    pub oauth_google: MailboxOauthConfig,
    /// `[console.oauth_microsoft]`: the Microsoft Entra app that connects Microsoft 365
    /// mailboxes (scopes `https://outlook.office.com/IMAP.AccessAsUser.All offline_access`).
    /// Unset `client_id`: no "Connect Microsoft 365" button.
    pub oauth_microsoft: MailboxOauthConfig,
}

/// The OAuth 2.0 app of a mail provider, for connecting its mailboxes in the console. The
/// redirect URI to register with the provider is `PUBLIC_URL/auth/mailbox/callback`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailboxOauthConfig {
    /// The app's client id; unset: the provider cannot be connected.
    pub client_id: Option<String>,
    /// The client secret; prefer `client_secret_file`. Never written back out.
    #[serde(skip_serializing)]
    pub client_secret: Option<Secret>,
    /// A file (mode 0600) holding the client secret; read at start.
    pub client_secret_file: Option<PathBuf>,
    /// The authorization endpoint; default: the provider's
    /// (`https://accounts.google.com/o/oauth2/v2/auth`,
    /// `https://login.microsoftonline.com/common/oauth2/v2.0/authorize`).
    pub authorize_url: Option<String>,
    /// The token endpoint; default: the provider's (`https://oauth2.googleapis.com/token`,
    /// `https://login.microsoftonline.com/common/oauth2/v2.0/token`).
    pub token_url: Option<String>,
}

impl MailboxOauthConfig {
    fn validate(&self, table: &str) -> Result<(), (String, String)> {
        if self.client_secret.is_some() && self.client_secret_file.is_some() {
            return Err((
                format!("console.{table}.client_secret_file"),
                "set either client_secret or client_secret_file, not both".to_owned(),
            ));
        }
        if self.client_id.is_some()
            && self.client_secret.is_none()
            && self.client_secret_file.is_none()
        {
            return Err((
                format!("console.{table}.client_secret_file"),
                "client_id is set but no client secret".to_owned(),
            ));
        }
        for (key, url) in [
            ("authorize_url", &self.authorize_url),
            ("token_url", &self.token_url),
        ] {
            if let Some(url) = url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err((
                    format!("console.{table}.{key}"),
                    format!("{url:?} is not an http(s) URL"),
                ));
            }
        }
        Ok(())
    }

    fn read_secret_file(&mut self, table: &str) -> Result<(), (String, String)> {
        if let Some(path) = &self.client_secret_file {
            let secret = Secret::from_file(path)
                .map_err(|message| (format!("console.{table}.client_secret_file"), message))?;
            self.client_secret = Some(secret);
        }
        Ok(())
    }
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 60,
            session_max_hours: 12,
            session_check_minutes: 5,
            oauth: OauthConfig::default(),
            oauth_google: MailboxOauthConfig::default(),
            oauth_microsoft: MailboxOauthConfig::default(),
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
    /// Jira Data Center's own OAuth 2.0 provider (an incoming application link), at
    /// `JIRA/rest/oauth2/latest/…`; the account is the site's by construction.
    DataCenter,
}

/// `[console.oauth]`: the OAuth 2.0 (3LO) app people sign in with. Unset `client_id`:
/// no OAuth sign-in (one-time links still work).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OauthConfig {
    /// Which provider signs people in.
    pub provider: OauthProvider,
    /// The OAuth 2.0 app's client id; unset: no "Sign in with Jira" (links still work).
    pub client_id: Option<String>,
    /// The client secret; prefer `client_secret_file`. Never written back out.
    #[serde(skip_serializing)]
    pub client_secret: Option<Secret>,
    /// A file (mode 0600) holding the client secret; read at start.
    pub client_secret_file: Option<PathBuf>,
    /// The authorization endpoint (the browser is sent there); default: the provider's
    /// (`https://auth.atlassian.com/authorize`, or `JIRA/rest/oauth2/latest/authorize`).
    pub authorize_url: Option<String>,
    /// The token endpoint (`https://auth.atlassian.com/oauth/token`, or
    /// `JIRA/rest/oauth2/latest/token`).
    pub token_url: Option<String>,
    /// Where the sites an access token reaches are listed (Atlassian only:
    /// `https://api.atlassian.com/oauth/token/accessible-resources`).
    pub resources_url: Option<String>,
    /// Where the token's own account is read (`https://api.atlassian.com/me`, or
    /// `JIRA/rest/api/2/myself`).
    pub me_url: Option<String>,
}

impl Default for OauthConfig {
    fn default() -> Self {
        Self {
            provider: OauthProvider::Atlassian,
            client_id: None,
            client_secret: None,
            client_secret_file: None,
            authorize_url: None,
            token_url: None,
            resources_url: None,
            me_url: None,
        }
    }
}

/// The endpoints of one provider, with the overrides of `[console.oauth]` applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OauthEndpoints {
    pub authorize: String,
    pub token: String,
    /// `None` for Data Center, where every account that can sign in is the site's.
    pub resources: Option<String>,
    pub me: String,
}

impl OauthConfig {
    /// The endpoints for the Jira site at `jira_url`.
    pub fn endpoints(&self, jira_url: &str) -> OauthEndpoints {
        let jira = jira_url.trim_end_matches('/');
        let pick = |set: &Option<String>, default: String| set.clone().unwrap_or(default);
        match self.provider {
            OauthProvider::Atlassian => OauthEndpoints {
                authorize: pick(
                    &self.authorize_url,
                    "https://auth.atlassian.com/authorize".into(),
                ),
                token: pick(
                    &self.token_url,
                    "https://auth.atlassian.com/oauth/token".into(),
                ),
                resources: Some(pick(
                    &self.resources_url,
                    "https://api.atlassian.com/oauth/token/accessible-resources".into(),
                )),
                me: pick(&self.me_url, "https://api.atlassian.com/me".into()),
            },
            OauthProvider::DataCenter => OauthEndpoints {
                authorize: pick(
                    &self.authorize_url,
                    format!("{jira}/rest/oauth2/latest/authorize"),
                ),
                token: pick(&self.token_url, format!("{jira}/rest/oauth2/latest/token")),
                resources: None,
                me: pick(&self.me_url, format!("{jira}/rest/api/2/myself")),
            },
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
            let Some(url) = url else { continue };
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err((
                    format!("console.oauth.{key}"),
                    format!("{url:?} is not an http(s) URL"),
                ));
            }
        }
        self.oauth_google.validate("oauth_google")?;
        self.oauth_microsoft.validate("oauth_microsoft")?;
        Ok(())
    }

    pub(super) fn read_secret_files(&mut self) -> Result<(), (String, String)> {
        if let Some(path) = &self.oauth.client_secret_file {
            let secret = Secret::from_file(path)
                .map_err(|message| ("console.oauth.client_secret_file".to_owned(), message))?;
            self.oauth.client_secret = Some(secret);
        }
        self.oauth_google.read_secret_file("oauth_google")?;
        self.oauth_microsoft.read_secret_file("oauth_microsoft")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_has_its_endpoints_and_overrides_win() {
        let mut oauth = OauthConfig::default();
        let cloud = oauth.endpoints("https://x.atlassian.net");
        assert_eq!(cloud.authorize, "https://auth.atlassian.com/authorize");
        assert!(cloud.resources.is_some());
        oauth.provider = OauthProvider::DataCenter;
        oauth.token_url = Some("http://127.0.0.1:9/token".into());
        let dc = oauth.endpoints("https://jira.example.com/");
        assert_eq!(
            dc.authorize,
            "https://jira.example.com/rest/oauth2/latest/authorize"
        );
        assert_eq!(dc.token, "http://127.0.0.1:9/token");
        assert_eq!(dc.me, "https://jira.example.com/rest/api/2/myself");
        assert_eq!(dc.resources, None);
    }
}
