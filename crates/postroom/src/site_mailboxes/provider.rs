//! The two mail providers a mailbox can be connected with through OAuth 2.0 consent, with
//! the endpoints and IMAP scopes each documents, and the instance's app for each.

use crate::config::{Config, MailboxOauthConfig, Secret};

/// A provider whose mailboxes the console connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Google,
    Microsoft,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Google, Provider::Microsoft];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "google" => Some(Self::Google),
            "microsoft" => Some(Self::Microsoft),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Microsoft => "microsoft",
        }
    }

    /// The table of `[console]` its app is configured in.
    pub fn table(self) -> &'static str {
        match self {
            Self::Google => "oauth_google",
            Self::Microsoft => "oauth_microsoft",
        }
    }

    /// The scopes its IMAP access needs, as it documents them (a refresh token included:
    /// Google's with `access_type=offline`, Microsoft's with `offline_access`).
    pub fn scope(self) -> &'static str {
        match self {
            Self::Google => "https://mail.google.com/",
            Self::Microsoft => "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
        }
    }

    /// Its IMAP server (TLS, port 993).
    pub fn imap_server(self) -> &'static str {
        match self {
            Self::Google => "imap.gmail.com",
            Self::Microsoft => "outlook.office365.com",
        }
    }

    fn default_authorize_url(self) -> &'static str {
        match self {
            Self::Google => "https://accounts.google.com/o/oauth2/v2/auth",
            Self::Microsoft => "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        }
    }

    fn default_token_url(self) -> &'static str {
        match self {
            Self::Google => "https://oauth2.googleapis.com/token",
            Self::Microsoft => "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        }
    }

    /// What its authorize URL needs besides the standard parameters: Google hands out a
    /// refresh token only for offline access, and again only when asked for consent.
    pub fn extra_authorize_params(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Google => &[("access_type", "offline"), ("prompt", "consent")],
            Self::Microsoft => &[],
        }
    }
}

/// The instance's OAuth app of one provider.
#[derive(Debug, Clone)]
pub struct ProviderApp {
    pub provider: Provider,
    pub client_id: String,
    pub client_secret: Secret,
    pub authorize_url: String,
    pub token_url: String,
}

impl ProviderApp {
    /// The app of `provider`, when `postroom.toml` sets it up.
    pub fn of(config: &Config, provider: Provider) -> Option<Self> {
        let table: &MailboxOauthConfig = match provider {
            Provider::Google => &config.console.oauth_google,
            Provider::Microsoft => &config.console.oauth_microsoft,
        };
        Some(Self {
            provider,
            client_id: table.client_id.clone()?,
            client_secret: table.client_secret.clone()?,
            authorize_url: table
                .authorize_url
                .clone()
                .unwrap_or_else(|| provider.default_authorize_url().to_owned()),
            token_url: table
                .token_url
                .clone()
                .unwrap_or_else(|| provider.default_token_url().to_owned()),
        })
    }
}
