//! `[operator]`: where postroom tells the people who run it about the sites it serves.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;

/// `[operator]`: the operator's Slack-compatible incoming webhook. postroom posts to it
/// when a Jira Cloud site installs or uninstalls the app (the site's URL and the event) and
/// when an administrator sends feedback (the text; their address only when they ask for it
/// to be included). Queued and retried; a failing webhook never holds anything up. Unset:
/// nothing is sent, and feedback is refused with a message saying so.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorConfig {
    /// A file (mode 0600) holding the webhook's URL, which is its secret: `https://…`
    /// (plain `http://` only on loopback).
    pub webhook_url_file: Option<PathBuf>,
    /// The webhook URL read from `webhook_url_file`. Never written back out.
    #[serde(skip)]
    pub webhook_url: Option<Secret>,
}

impl OperatorConfig {
    pub(super) fn read_secret_files(&mut self) -> Result<(), (String, String)> {
        let Some(path) = &self.webhook_url_file else {
            return Ok(());
        };
        let url = Secret::from_file(path)
            .map_err(|message| ("operator.webhook_url_file".to_owned(), message))?;
        check_url(url.expose()).map_err(|why| ("operator.webhook_url_file".to_owned(), why))?;
        self.webhook_url = Some(url);
        Ok(())
    }
}

/// Whether `url` is one postroom posts operator events to: HTTPS, or HTTP on loopback (a
/// local relay or a test). The URL itself is never echoed: it is the webhook's secret.
fn check_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if reqwest::Url::parse(url).is_err() {
        return Err("the file does not hold a URL".to_owned());
    }
    if crate::app::https_or_loopback(url) {
        Ok(())
    } else {
        Err("the webhook URL must be https:// (http:// only on loopback)".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_taken() {
        assert!(check_url("https://hooks.example.com/services/T/B/x").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://localhost:9000/hook").is_ok());
        assert!(check_url("http://hooks.example.com/x").is_err());
        assert!(check_url("ftp://127.0.0.1/x").is_err());
        assert!(check_url("not a url").is_err());
    }
}
