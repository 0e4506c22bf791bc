//! The `file` transport: each message becomes one `.eml` file in a directory.
//!
//! It stands in for SMTP in the sandbox and in demos, so that nothing leaves the machine
//! and every notification can be opened in a mail client. A file appears whole or not at
//! all (written under a temporary name, synced, then renamed), so a reader watching the
//! directory never sees half a message.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{MailSender, OutboundEnvelope, SendError, SendReceipt};

use super::settings::FileSettings;
use super::{envelope, wire};

/// Writes messages into a directory.
#[derive(Debug)]
pub struct FileSender {
    dir: PathBuf,
    bounce: EmailAddress,
    counter: AtomicU64,
}

impl FileSender {
    /// Checks the settings; the directory is created on first use.
    pub fn new(settings: &FileSettings) -> Result<Self, SendError> {
        Ok(Self {
            dir: settings.dir.clone(),
            bounce: envelope::parse_bounce(&settings.bounce_address)?,
            counter: AtomicU64::new(0),
        })
    }

    /// The directory messages are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A name no other message of this process or another has: time, process, counter.
    fn next_name(&self) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{nanos}-{}-{n}.eml", std::process::id())
    }
}

impl MailSender for FileSender {
    async fn send(
        &self,
        envelope: &OutboundEnvelope,
        message: &[u8],
    ) -> Result<SendReceipt, SendError> {
        let mail_from = envelope::mail_from(envelope, Some(&self.bounce))?;
        let recipients: Vec<&str> = envelope.recipients.iter().map(|r| r.as_str()).collect();
        // The envelope goes on top as the headers a delivering server would add, because
        // Bcc recipients appear nowhere else.
        let mut content = format!(
            "Return-Path: <{mail_from}>\r\nEnvelope-To: {}\r\n",
            recipients.join(", ")
        )
        .into_bytes();
        content.extend_from_slice(&wire::to_crlf(message));
        let name = self.next_name();
        let dir = self.dir.clone();
        let path = tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &content))
            .await
            .map_err(|e| SendError::Local(format!("file transport task failed: {e}")))?
            .map_err(|e| SendError::Local(format!("file transport: {e}")))?;
        Ok(SendReceipt {
            accepted: envelope.recipients.clone(),
            rejected: Vec::new(),
            confirmation: path.display().to_string(),
        })
    }
}

/// Writes `content` to `dir/name` through a hidden temporary file in the same directory
/// (a rename is atomic only within one file system).
fn write_atomically(dir: &Path, name: &str, content: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let temp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(content)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    })();
    if let Err(e) = result {
        // Best effort: a leftover temporary file is harmless but untidy.
        let _ = std::fs::remove_file(&temp);
        return Err(std::io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", path.display()),
        ));
    }
    Ok(path)
}
