//! A mailbox as the console's form sends it, checked field by field into the settings the
//! poller takes: each mistake is a 422 at its field, before anything is stored.

use postroom_core::tenant::TenantId;
use postroom_mail::imap::{AfterIntake, Auth, MailboxSettings, Secret, Security, SettingsError};
use serde::Deserialize;

use super::{ApiError, FieldError};

/// A mailbox's settings as entered. Left out: the default (port by security, `INBOX`,
/// `flag`, 60 s, raw mail kept).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxInput {
    /// Letters, digits, `.`, `_` and `-` (at most 64); the mailbox's id, fixed once added.
    /// Ignored by an edit.
    #[serde(default)]
    pub name: Option<String>,
    pub server: String,
    pub port: Option<u16>,
    /// `tls` (default), `starttls`, or `plain` (a loopback server only).
    pub security: Option<String>,
    /// The user name to log in as (for a connected mailbox: its address).
    pub user: String,
    /// Write-only. Required when adding a mailbox with a password; left out of an edit,
    /// the stored one stays. Never returned.
    pub password: Option<String>,
    pub folder: Option<String>,
    /// `flag` (default), `move` or `delete`: what happens to a message once taken in.
    pub after: Option<String>,
    /// The folder `after = move` moves to.
    pub move_folder: Option<String>,
    pub poll_interval_secs: Option<u64>,
    pub store_raw: Option<bool>,
    /// A PEM CA bundle on the server to trust besides the system roots: for the
    /// instance's own site (`default`) only.
    pub ca_file: Option<String>,
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Checks a mailbox name: it names the mailbox in URLs, metrics and the lease.
pub fn check_name(name: &str) -> Result<(), FieldError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(field("name", "1 to 64 letters, digits, '.', '_' or '-'"))
    }
}

/// The settings `input` describes for mailbox `name` of `tenant`, with `auth` as given
/// (the credential may be a placeholder: only the shape is checked here).
pub fn settings(
    tenant: &TenantId,
    name: &str,
    input: &MailboxInput,
    auth: Auth,
) -> Result<MailboxSettings, ApiError> {
    let mut errors = Vec::new();
    if let Err(e) = check_name(name) {
        errors.push(e);
    }
    let server = input.server.trim().to_owned();
    if server.is_empty() || server.contains(char::is_whitespace) {
        errors.push(field(
            "server",
            "give the IMAP server's host name or address",
        ));
    }
    if input.port == Some(0) {
        errors.push(field("port", "1 to 65535"));
    }
    let security = match input.security.as_deref().map(str::trim) {
        None | Some("") | Some("tls") => Security::Tls,
        Some("starttls") => Security::Starttls,
        Some("plain") => Security::Plain,
        Some(_) => {
            errors.push(field("security", "tls, starttls or plain"));
            Security::Tls
        }
    };
    if input.user.trim().is_empty() {
        errors.push(field("user", "give the user name to log in as"));
    }
    let folder = input
        .folder
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or("INBOX")
        .to_owned();
    let after = match input.after.as_deref().map(str::trim) {
        None | Some("") | Some("flag") => AfterIntake::Flag,
        Some("delete") => AfterIntake::Delete,
        Some("move") => match input.move_folder.as_deref().map(str::trim) {
            Some(f) if !f.is_empty() => AfterIntake::Move {
                folder: f.to_owned(),
            },
            _ => {
                errors.push(field("move_folder", "give the folder to move messages to"));
                AfterIntake::Flag
            }
        },
        Some(_) => {
            errors.push(field("after", "flag, move or delete"));
            AfterIntake::Flag
        }
    };
    let ca_file = match input.ca_file.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) if *tenant != TenantId::default_tenant() => {
            errors.push(field(
                "ca_file",
                "a CA file on the server is for the instance's own site only",
            ));
            None
        }
        Some(path) => Some(path.into()),
    };
    let settings = MailboxSettings {
        name: name.to_owned(),
        server,
        port: input.port,
        security,
        auth,
        folder,
        after,
        failure_folder: "postroom-refused".to_owned(),
        poll_interval_secs: input.poll_interval_secs.unwrap_or(60),
        max_message_size: 25 * 1024 * 1024,
        ca_file,
        store_raw: input.store_raw.unwrap_or(true),
    };
    if errors.is_empty()
        && let Err(e) = settings.validate()
    {
        errors.push(match &e {
            SettingsError::Empty { what, .. } => field(what, e.to_string()),
            SettingsError::PlainNotLoopback { .. } => field("security", e.to_string()),
            SettingsError::PollInterval { .. } => field("poll_interval_secs", e.to_string()),
            SettingsError::MoveToSelf { .. } => field("move_folder", e.to_string()),
        });
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(ApiError::Unprocessable { errors })
    }
}

/// A login with `user` and a placeholder password, for checking the shape.
pub fn login(user: &str) -> Auth {
    Auth::Login {
        user: user.trim().to_owned(),
        password: Secret::new(""),
    }
}
