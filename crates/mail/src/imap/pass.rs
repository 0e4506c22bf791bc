//! One pass over the folder: every message after the cursor, in UID order, is taken in and
//! then dealt with as configured; the cursor moves past a message only after both.
//!
//! The order of the three steps is the safety argument. A crash after the intake commit
//! but before the move rereads the message next time, and the intake reports a duplicate;
//! a crash after the move but before the cursor is saved is the same. Nothing is moved,
//! flagged or deleted before its commit, and a transient intake failure stops the pass at
//! that message so it is offered again, in order.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use postroom_core::ports::mailbox::{Cursor, MailboxState};

use super::connect::ImapSession;
use super::error::ImapError;
use super::settings::{AfterIntake, MailboxSettings};
use super::sink::{MessageSink, TakeError};

/// How a pass ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PassEnd {
    /// Every message after the cursor was dealt with.
    Done,
    /// The intake failed for now; the pass stopped at that message, with `waiting`
    /// messages (that one included) not taken in yet.
    Retry { reason: String, waiting: u32 },
}

/// Why a pass failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PassError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error("the mailbox state store failed: {0}")]
    State(String),
    #[error("the lease was lost to another instance")]
    LeaseLost,
}

/// What the server's capabilities allow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    pub idle: bool,
    pub mv: bool,
    pub uidplus: bool,
}

pub(crate) struct Pass<'a, S, M> {
    pub settings: &'a MailboxSettings,
    pub sink: &'a S,
    pub state: &'a M,
    pub holder: &'a str,
    pub caps: Caps,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl<S: MessageSink, M: MailboxState> Pass<'_, S, M> {
    pub(crate) async fn run(&self, session: &mut ImapSession) -> Result<PassEnd, PassError> {
        let name = self.settings.name.as_str();
        let folder = session
            .select(&self.settings.folder)
            .await
            .map_err(|e| ImapError::protocol("SELECT", e))?;
        let uid_validity = folder.uid_validity.unwrap_or(0);
        let saved = self
            .state
            .load(name)
            .await
            .map_err(|e| PassError::State(e.to_string()))?;
        let mut cursor = match saved {
            Some(c) if c.uid_validity == uid_validity => c,
            other => {
                if other.is_some() {
                    tracing::warn!(mailbox = name, "UIDVALIDITY changed: rescanning the folder");
                }
                Cursor {
                    uid_validity,
                    last_uid: 0,
                }
            }
        };
        if folder.exists == 0 {
            return Ok(PassEnd::Done);
        }
        let pending = self.pending(session, cursor.last_uid).await?;
        let count = pending.len();
        for (done, (uid, size)) in pending.into_iter().enumerate() {
            let waiting = u32::try_from(count - done).unwrap_or(u32::MAX);
            let limit = self.settings.max_message_size;
            let outcome = if size > limit {
                Err(TakeError::TooBig { size, limit })
            } else {
                let raw = fetch_body(session, uid).await?;
                self.sink.take_in(name, raw).await.map(|taken| {
                    let outcome = if taken.duplicate {
                        "duplicate"
                    } else {
                        "taken"
                    };
                    metrics::counter!("postroom_imap_messages_total",
                        "mailbox" => name.to_owned(), "outcome" => outcome)
                    .increment(1);
                })
            };
            match outcome {
                Ok(()) => self.after_intake(session, uid).await?,
                Err(TakeError::TooBig { size, limit }) => {
                    if let Err(TakeError::Transient { reason }) =
                        self.sink.refuse(name, size, limit).await
                    {
                        return Ok(PassEnd::Retry { reason, waiting });
                    }
                    metrics::counter!("postroom_imap_messages_total",
                        "mailbox" => name.to_owned(), "outcome" => "refused")
                    .increment(1);
                    tracing::warn!(
                        mailbox = name,
                        uid,
                        size,
                        limit,
                        "over-size message refused"
                    );
                    let failure = self.settings.failure_folder.clone();
                    self.move_to(session, uid, &failure).await?;
                }
                Err(TakeError::Transient { reason }) => {
                    return Ok(PassEnd::Retry { reason, waiting });
                }
            }
            cursor.last_uid = uid;
            let saved = self
                .state
                .save(name, self.holder, cursor, now_ms())
                .await
                .map_err(|e| PassError::State(e.to_string()))?;
            if !saved {
                return Err(PassError::LeaseLost);
            }
        }
        Ok(PassEnd::Done)
    }

    /// UIDs and sizes of the messages after `last_uid`, in UID order. `UID n:*` also
    /// answers the last message when none is above `n`, hence the filter.
    async fn pending(
        &self,
        session: &mut ImapSession,
        last_uid: u32,
    ) -> Result<Vec<(u32, u64)>, ImapError> {
        let range = format!("{}:*", last_uid.saturating_add(1));
        let fetches: Vec<_> = session
            .uid_fetch(range, "(UID RFC822.SIZE)")
            .await
            .map_err(|e| ImapError::protocol("UID FETCH", e))?
            .try_collect()
            .await
            .map_err(|e| ImapError::protocol("UID FETCH", e))?;
        let mut pending: Vec<(u32, u64)> = fetches
            .iter()
            .filter_map(|f| Some((f.uid?, u64::from(f.size.unwrap_or(0)))))
            .filter(|(uid, _)| *uid > last_uid)
            .collect();
        pending.sort_unstable();
        pending.dedup();
        Ok(pending)
    }

    async fn after_intake(&self, session: &mut ImapSession, uid: u32) -> Result<(), ImapError> {
        match &self.settings.after {
            AfterIntake::Move { folder } => self.move_to(session, uid, folder).await,
            AfterIntake::Flag => store_flag(session, uid, "\\Seen").await,
            AfterIntake::Delete => {
                store_flag(session, uid, "\\Deleted").await?;
                self.expunge(session, uid).await
            }
        }
    }

    async fn move_to(
        &self,
        session: &mut ImapSession,
        uid: u32,
        folder: &str,
    ) -> Result<(), ImapError> {
        if self.caps.mv {
            return session
                .uid_mv(uid.to_string(), folder)
                .await
                .map_err(|e| ImapError::protocol("UID MOVE", e));
        }
        session
            .uid_copy(uid.to_string(), folder)
            .await
            .map_err(|e| ImapError::protocol("UID COPY", e))?;
        store_flag(session, uid, "\\Deleted").await?;
        self.expunge(session, uid).await
    }

    /// Without UIDPLUS, `EXPUNGE` also removes whatever else is marked `\Deleted` in the
    /// folder: a folder postroom reads should not hold mail someone meant to keep deleted.
    async fn expunge(&self, session: &mut ImapSession, uid: u32) -> Result<(), ImapError> {
        let expunge = |e| ImapError::protocol("EXPUNGE", e);
        if self.caps.uidplus {
            let _: Vec<_> = session
                .uid_expunge(uid.to_string())
                .await
                .map_err(expunge)?
                .try_collect()
                .await
                .map_err(expunge)?;
        } else {
            let _: Vec<_> = session
                .expunge()
                .await
                .map_err(expunge)?
                .try_collect()
                .await
                .map_err(expunge)?;
        }
        Ok(())
    }
}

async fn fetch_body(session: &mut ImapSession, uid: u32) -> Result<Vec<u8>, ImapError> {
    let fetches: Vec<_> = session
        .uid_fetch(uid.to_string(), "BODY.PEEK[]")
        .await
        .map_err(|e| ImapError::protocol("UID FETCH BODY", e))?
        .try_collect()
        .await
        .map_err(|e| ImapError::protocol("UID FETCH BODY", e))?;
    fetches
        .iter()
        .find(|f| f.uid == Some(uid))
        .and_then(|f| f.body())
        .map(<[u8]>::to_vec)
        .ok_or_else(|| ImapError::protocol("UID FETCH BODY", format!("no body for UID {uid}")))
}

async fn store_flag(session: &mut ImapSession, uid: u32, flag: &str) -> Result<(), ImapError> {
    let _: Vec<_> = session
        .uid_store(uid.to_string(), format!("+FLAGS.SILENT ({flag})"))
        .await
        .map_err(|e| ImapError::protocol("UID STORE", e))?
        .try_collect()
        .await
        .map_err(|e| ImapError::protocol("UID STORE", e))?;
    Ok(())
}
