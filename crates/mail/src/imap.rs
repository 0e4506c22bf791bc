//! The IMAP poller: reads a mailbox (Google, Microsoft 365, any IMAP server), hands each
//! message to a [`MessageSink`] (the intake), and only then moves, flags or deletes it.
//!
//! One poller per mailbox across all instances, through the lease of
//! [`postroom_core::ports::mailbox::MailboxState`]; the same port keeps the cursor
//! (`UIDVALIDITY` and last UID) so a restart rereads nothing. `IDLE` when the server has
//! it, polling otherwise. [`test_mailbox`] is the administrator's connection check.
//!
//! Nothing personal is logged: mailboxes appear by the operator's name, messages by UID
//! and size; the user name and secrets never appear in logs or error texts.

mod connect;
mod error;
mod oauth;
mod pass;
mod poller;
mod probe;
mod settings;
mod sink;
mod stream;

pub use error::ImapError;
pub use oauth::{RotationHook, TokenError, TokenSource};
pub use poller::Poller;
pub use probe::{FolderCount, ProbeReport, ProbeStep, test_mailbox, test_mailbox_with};
pub use settings::{AfterIntake, Auth, MailboxSettings, Secret, Security, SettingsError};
pub use sink::{MessageSink, TakeError, Taken};
