//! `mailbox test`: the check an administrator runs right after configuring a mailbox.
//! It connects and authenticates exactly as the poller does, lists the folders with their
//! message counts, and confirms the folder to read exists; any failure is the
//! [`ImapError`] of the step that failed, whose text says what to fix.

use futures::TryStreamExt;
use serde::Serialize;

use super::connect::{self, Credentials, ImapSession};
use super::error::ImapError;
use super::settings::MailboxSettings;

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

/// The steps of a test, in order; a failure names the one it stopped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeStep {
    Dns,
    Tcp,
    Tls,
    Authentication,
    Folder,
}

impl ProbeStep {
    pub const ALL: [ProbeStep; 5] = [
        ProbeStep::Dns,
        ProbeStep::Tcp,
        ProbeStep::Tls,
        ProbeStep::Authentication,
        ProbeStep::Folder,
    ];

    /// The step in words: `DNS`, `TCP`, `TLS`, `authentication`, `folder`.
    pub fn label(self) -> &'static str {
        match self {
            ProbeStep::Dns => "DNS",
            ProbeStep::Tcp => "TCP",
            ProbeStep::Tls => "TLS",
            ProbeStep::Authentication => "authentication",
            ProbeStep::Folder => "folder",
        }
    }

    /// The step `error` stopped at; `None` for settings refused before any step.
    pub fn of(error: &ImapError) -> Option<ProbeStep> {
        Some(match error {
            ImapError::Settings(_) => return None,
            ImapError::Dns { .. } => ProbeStep::Dns,
            ImapError::Connect { .. } | ImapError::PlainNotLoopback { .. } => ProbeStep::Tcp,
            ImapError::Tls { .. } | ImapError::CaFile { .. } | ImapError::NoStarttls { .. } => {
                ProbeStep::Tls
            }
            ImapError::LoginRefused { .. }
            | ImapError::TokenRefused { .. }
            | ImapError::Token(_) => ProbeStep::Authentication,
            ImapError::NoFolder { .. } => ProbeStep::Folder,
            ImapError::Protocol { during, .. } | ImapError::Timeout { during, .. } => match *during
            {
                "DNS lookup" => ProbeStep::Dns,
                "TCP connect" | "greeting" => ProbeStep::Tcp,
                "STARTTLS" | "TLS setup" | "TLS handshake" => ProbeStep::Tls,
                "authentication" => ProbeStep::Authentication,
                _ => ProbeStep::Folder,
            },
        })
    }
}

/// Connects, authenticates, lists folders and counts, and checks the folder to read.
pub async fn test_mailbox(settings: &MailboxSettings) -> Result<ProbeReport, ImapError> {
    test_mailbox_with(settings, None).await
}

/// [`test_mailbox`], handing a refresh token the provider rotates to `rotated`.
pub async fn test_mailbox_with(
    settings: &MailboxSettings,
    rotated: Option<super::oauth::RotationHook>,
) -> Result<ProbeReport, ImapError> {
    let mut credentials = Credentials::for_settings(settings);
    if let Some(hook) = rotated {
        credentials = credentials.on_rotation(hook);
    }
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
        security: settings.security.as_str(),
        idle: caps.has_str("IDLE"),
        folders,
        waiting,
    })
}
