//! postroom's own view of an e-mail message, read from raw bytes with `mail-parser`.
//!
//! Everything downstream (classification, threading, routing, the dry-run report) works on
//! [`Message`], never on `mail-parser` types: the parser stays an implementation detail and
//! every address and id in a `Message` has already been validated.

mod address;
mod attachments;
mod body;
mod charset;
mod content_type;
mod eight_bit;
mod encoded_words;
mod header;
mod leading_blank;
mod message_id;
mod nesting;
mod parse;
mod warnings;

pub use address::{AddressError, EmailAddress, Mailbox};
pub use attachments::Attachment;
pub use content_type::ContentType;
pub use header::HeaderField;
pub use message_id::{MessageId, MessageIdError};
pub use warnings::ParseWarning;

use serde::Serialize;

/// A parsed e-mail message.
///
/// Built only by [`Message::parse`]; fields are public so later stages can read them
/// freely. Nested `message/rfc822` parts are full `Message`s inside
/// [`Attachment::message`].
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Message {
    /// The top-level MIME type, e.g. `multipart/report` with `report-type=delivery-status`.
    pub content_type: ContentType,
    /// Every header field of the top level, in order, so classifiers can read any header
    /// (`Auto-Submitted`, `List-Id`, `Precedence`, `X-Autoreply`, ...).
    pub headers: Vec<HeaderField>,
    /// The author (`From`); `None` when missing or not a valid address.
    pub from: Option<Mailbox>,
    /// `Sender`, the agent that sent on behalf of `from`.
    pub sender: Option<Mailbox>,
    /// `Reply-To` mailboxes.
    pub reply_to: Vec<Mailbox>,
    /// `To` mailboxes (groups flattened).
    pub to: Vec<Mailbox>,
    /// `Cc` mailboxes (groups flattened).
    pub cc: Vec<Mailbox>,
    /// The envelope sender recorded by the final MTA; the null path `<>` marks bounces.
    pub return_path: Option<ReturnPath>,
    /// Every `Delivered-To` address, topmost first.
    pub delivered_to: Vec<EmailAddress>,
    /// `Message-ID` without brackets.
    pub message_id: Option<MessageId>,
    /// `In-Reply-To` ids.
    pub in_reply_to: Vec<MessageId>,
    /// `References` ids, oldest first as sent.
    pub references: Vec<MessageId>,
    /// `Date` when present and valid.
    pub date: Option<MessageDate>,
    /// The subject as sent: RFC 2047 decoded and unfolded, prefixes such as `Re:` kept.
    pub subject: Option<String>,
    /// The text/plain body with `\n` line ends (several inline text parts joined by a blank
    /// line).
    pub text_body: Option<String>,
    /// The text/html body as sent (not sanitized; see [`crate::html`]).
    pub html_body: Option<String>,
    /// Attachment parts of this message (not of nested messages), in MIME order.
    pub attachments: Vec<Attachment>,
}

/// The `Return-Path` of a message. Serialized as `"<>"` or as the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnPath {
    /// `<>`: the null sender used by bounces and other automatic notices.
    Null,
    /// A valid envelope sender.
    Address(EmailAddress),
}

impl Serialize for ReturnPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_str("<>"),
            Self::Address(address) => address.serialize(serializer),
        }
    }
}

/// A message date with its original UTC offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageDate {
    /// Seconds since the Unix epoch.
    pub timestamp: i64,
    /// RFC 3339 form with the sender's offset, e.g. `2024-05-01T09:30:00+02:00`.
    pub rfc3339: String,
}

/// Bounds applied before and during parsing, so hostile input cannot exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Largest accepted message in bytes; larger input is refused unread.
    pub max_size: usize,
    /// How many levels of attached messages are opened; deeper ones stay opaque attachments.
    pub max_nesting: usize,
    /// How many `multipart/*` and `message/rfc822` containers are read; input after the
    /// one over the limit is cut off (a MIME bomb guard).
    pub max_containers: usize,
}

/// 25 MB, the size most mail providers accept.
pub const DEFAULT_MAX_SIZE: usize = 25 * 1024 * 1024;

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_size: DEFAULT_MAX_SIZE,
            max_nesting: 4,
            max_containers: 256,
        }
    }
}

/// Why no `Message` could be produced at all. Everything short of these yields a
/// `Message` plus [`ParseWarning`]s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input is larger than [`ParseLimits::max_size`].
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The input is empty or only whitespace.
    #[error("message is empty")]
    Empty,
}

/// A message together with what was wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The message as far as it could be read.
    pub message: Message,
    /// Problems found, in the order they were found.
    pub warnings: Vec<ParseWarning>,
}

impl Message {
    /// Reads a raw RFC 5322 message. Never panics; broken mail gives warnings, not errors.
    pub fn parse(raw: &[u8], limits: &ParseLimits) -> Result<Parsed, ParseError> {
        parse::parse(raw, limits)
    }

    /// Only the threading headers of a raw message (Message-ID, In-Reply-To, References,
    /// Date), read as [`Message::parse`] reads them, for the intake, which must not pay for
    /// a full parse. Everything else of the returned message is empty.
    pub fn parse_thread_headers(raw: &[u8]) -> Message {
        parse::thread_headers(raw)
    }

    /// The first header field with this name (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<&str> {
        header::find(&self.headers, name)
            .next()
            .map(|f| f.value.as_str())
    }

    /// Every header field with this name, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        header::find(&self.headers, name).map(|f| f.value.as_str())
    }
}
