//! `mailbox test`: the check an administrator runs right after configuring a mailbox.
//! It connects and authenticates exactly as the poller does, lists the folders with their
//! message counts, and confirms the folder to read exists; any failure is the
//! [`ImapError`] of the step that failed, whose text says what to fix.

use futures::TryStreamExt;
use serde::Serialize;

use super::connect::{self, Credentials, ImapSession};
use super::error::ImapError;
use super::settings::{MailboxSettings, Security};

/// One folder on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderCount {
    pub name: String,
    /// `None` when the folder cannot be selected (a `\Noselect` parent) or `STATUS` failed.
    pub messages: Option<u32>,
}

/// What a successful test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    pub server: String,
    pub port: u16,
    pub security: &'static str,
    pub idle: bool,
    pub folders: Vec<FolderCount>,
    /// Messages waiting in the folder postroom reads.
    pub waiting: u32,
}

/// Connects, authenticates, lists folders and counts, and checks the folder to read.
pub async fn test_mailbox(settings: &MailboxSettings) -> Result<ProbeReport, ImapError> {
    let credentials = Credentials::for_settings(settings);
    let mut session = connect::open(settings, &credentials).await?;
    let result = survey(&mut session, settings).await;
    let _ = session.logout().await;
    result
}

async fn survey(
    session: &mut ImapSession,
    settings: &MailboxSettings,
) -> Result<ProbeReport, ImapError> {
    let names: Vec<(String, bool)> = session
        .list(None, Some("*"))
        .await
        .map_err(|e| ImapError::protocol("LIST", e))?
        .map_ok(|n| {
            let selectable = !n
                .attributes()
                .iter()
                .any(|a| matches!(a, async_imap::types::NameAttribute::NoSelect));
            (n.name().to_owned(), selectable)
        })
        .try_collect()
        .await
        .map_err(|e| ImapError::protocol("LIST", e))?;
    let mut folders = Vec::with_capacity(names.len());
    for (name, selectable) in names {
        let messages = if selectable {
            session
                .status(&name, "(MESSAGES)")
                .await
                .ok()
                .map(|m| m.exists)
        } else {
            None
        };
        folders.push(FolderCount { name, messages });
    }
    folders.sort_by(|a, b| a.name.cmp(&b.name));
    let wanted = &settings.folder;
    let found = folders
        .iter()
        .find(|f| &f.name == wanted || (wanted.eq_ignore_ascii_case("INBOX") && f.name == "INBOX"));
    let Some(waiting) = found.and_then(|f| f.messages) else {
        return Err(ImapError::NoFolder {
            folder: wanted.clone(),
            known: folders
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let caps = session
        .capabilities()
        .await
        .map_err(|e| ImapError::protocol("CAPABILITY", e))?;
    Ok(ProbeReport {
        server: settings.server.clone(),
        port: settings.port(),
        security: match settings.security {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::Plain => "plain",
        },
        idle: caps.has_str("IDLE"),
        folders,
        waiting,
    })
}
