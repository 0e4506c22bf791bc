//! The per-message result of `postroom process --dry-run`: one JSON line per message.
//!
//! The serialized form is a contract that scripts rely on: every key below is present for
//! every message, whatever happened to it. Stages that do not exist yet report honestly
//! that they did not run (`action.kind = "none"`, `thread` null, `directives` empty); the
//! threading, directive and routing stages fill them in as they land, without removing or
//! renaming keys. Classification (`classification`, `bounce`, `auth`) runs on every message.

use serde::Serialize;

use crate::classify::{self, Auth, ClassifyContext, Hold};
use crate::message::{Attachment, Message, Parsed};
use crate::{inline_image, reply};

/// Where a message came from: the path as the user gave it, and its position within an
/// mbox or Maildir (0 for a single file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The path as given on the command line (`-` for stdin), or the file found under it.
    pub path: String,
    /// Position of the message within its mbox or Maildir, counting from 0.
    pub index: usize,
}

/// The dry-run result for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Where the message was read from.
    pub source: Source,
    /// `Message-ID` without angle brackets, null when missing or invalid.
    pub message_id: Option<String>,
    /// The author; both fields null when `From` is missing or invalid.
    pub from: FromField,
    /// The subject as sent (decoded, prefixes kept), null when absent.
    pub subject: Option<String>,
    /// `Date` in RFC 3339 with the sender's offset, null when absent or invalid.
    pub date: Option<String>,
    /// The text/plain alternative, else the HTML converted to text.
    pub body_text: String,
    /// The HTML alternative converted to text, null when there is none.
    pub html_text: Option<String>,
    /// The new text of a reply: no quoted history, no signature (see [`crate::reply`]).
    pub visible_text: String,
    /// Every attachment part of the top-level message, nothing flattened.
    pub attachments: Vec<AttachmentSummary>,
    /// What kind of mail this is (see [`crate::classify`]).
    pub classification: Classification,
    /// Bounce details for delivery failures ([`classify::Bounce`]); null for other mail.
    pub bounce: Option<classify::Bounce>,
    /// Sender authenticity from the trusted server's `Authentication-Results`.
    pub auth: Auth,
    /// The issue thread the message belongs to; null until thread matching runs.
    pub thread: Option<serde_json::Value>,
    /// Directives found in the message (`#assign`, ...); empty until directives run.
    pub directives: serde_json::Map<String, serde_json::Value>,
    /// The action postroom would take; `none` until routing and planning run.
    pub action: ActionSummary,
    /// Human-readable lines from each stage that ran, in order.
    pub report: Vec<String>,
    /// Problems found while reading the message.
    pub warnings: Vec<String>,
}

/// `{"name", "address"}` of the author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FromField {
    /// Display name, decoded.
    pub name: Option<String>,
    /// Validated address.
    pub address: Option<String>,
}

/// One entry of `attachments`: the JSON view of an [`Attachment`], without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentSummary {
    /// Decoded file name, or null.
    pub name: Option<String>,
    /// MIME type without parameters.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
    /// True for inline images and other parts shown within the body.
    pub inline: bool,
    /// `Content-ID` without brackets, or null.
    pub content_id: Option<String>,
}

/// `{"kind", "reason", "suppress_acknowledgement", "hold"}`: the class of the message and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// `loop`, `bounce`, `auto_reply`, `spam`, `list` or `human`.
    pub kind: String,
    /// The signal that decided the class.
    pub reason: String,
    /// True when no acknowledgement may be sent, even to a human.
    pub suppress_acknowledgement: bool,
    /// Set when the sender floods: the message is held, not processed.
    pub hold: Option<Hold>,
}

/// `{"kind", "reason"}`: what postroom would do with the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionSummary {
    /// e.g. `none`; later `create_issue`, `comment`, `drop`, ...
    pub kind: String,
    /// Why this action was chosen.
    pub reason: String,
    /// The action's other keys (`project`, `summary`, `issue_key`, ...; see
    /// [`crate::plan::Action`]), flattened beside `kind` and `reason`.
    #[serde(flatten)]
    pub detail: serde_json::Map<String, serde_json::Value>,
}

/// The JSON line for an input that could not be read or parsed at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorLine {
    /// Where the input came from.
    pub source: Source,
    /// What went wrong, without message content.
    pub error: String,
}

impl From<&Attachment> for AttachmentSummary {
    fn from(a: &Attachment) -> Self {
        Self {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            inline: a.inline,
            content_id: a.content_id.clone(),
        }
    }
}

impl Outcome {
    /// The result of reading and classifying a message with no configuration (no own
    /// domains, no trusted authentication server, no spam score, no flood counts).
    pub fn read_only(source: Source, parsed: &Parsed) -> Self {
        Self::classified(source, parsed, &ClassifyContext::default())
    }

    /// The result of reading a message and classifying it with the profile's context.
    pub fn classified(source: Source, parsed: &Parsed, context: &ClassifyContext) -> Self {
        let message: &Message = &parsed.message;
        let decision = classify::classify(message, context);
        let readable = |text: &str| {
            inline_image::readable(text, |cid| {
                message
                    .attachments
                    .iter()
                    .find(|a| a.content_id.as_deref() == Some(cid))
                    .and_then(|a| a.name.clone())
            })
        };
        let body_text = readable(&message.body_text());
        let extraction = reply::extract_message(message);
        Self {
            source,
            message_id: message.message_id.as_ref().map(|id| id.as_str().to_owned()),
            from: FromField {
                name: message.from.as_ref().and_then(|m| m.name.clone()),
                address: message.from.as_ref().map(|m| m.address.as_str().to_owned()),
            },
            subject: message.subject.clone(),
            date: message.date.as_ref().map(|d| d.rfc3339.clone()),
            html_text: message.html_text().as_deref().map(readable),
            visible_text: readable(&extraction.visible_text),
            body_text,
            attachments: message
                .attachments
                .iter()
                .map(AttachmentSummary::from)
                .collect(),
            classification: Classification {
                kind: decision.kind.as_str().to_owned(),
                reason: decision.reason,
                suppress_acknowledgement: decision.suppress_acknowledgement,
                hold: decision.hold,
            },
            bounce: decision.bounce,
            auth: decision.auth,
            thread: None,
            directives: serde_json::Map::new(),
            action: ActionSummary {
                kind: "none".to_owned(),
                reason: "routing is not implemented yet; nothing would be done".to_owned(),
                detail: serde_json::Map::new(),
            },
            report: extraction.report(),
            warnings: parsed.warnings.iter().map(ToString::to_string).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::ParseLimits;

    const KEYS: [&str; 17] = [
        "source",
        "message_id",
        "from",
        "subject",
        "date",
        "body_text",
        "html_text",
        "visible_text",
        "attachments",
        "classification",
        "bounce",
        "auth",
        "thread",
        "directives",
        "action",
        "report",
        "warnings",
    ];

    fn outcome(raw: &str) -> serde_json::Value {
        let parsed = Message::parse(raw.as_bytes(), &ParseLimits::default()).unwrap();
        let source = Source {
            path: "x.eml".into(),
            index: 0,
        };
        serde_json::to_value(Outcome::read_only(source, &parsed)).unwrap()
    }

    #[test]
    fn every_key_is_present_even_for_a_bare_message() {
        let json = outcome("\r\nbody only");
        let object = json.as_object().unwrap();
        for key in KEYS {
            assert!(object.contains_key(key), "missing {key}");
        }
        assert_eq!(object.len(), 17);
        assert_eq!(
            json["from"],
            serde_json::json!({"name": null, "address": null})
        );
        assert_eq!(json["classification"]["kind"], "human");
        assert_eq!(json["auth"]["result"], "none");
        assert_eq!(json["bounce"], serde_json::Value::Null);
        assert_eq!(json["action"]["kind"], "none");
        assert_eq!(json["directives"], serde_json::json!({}));
    }

    #[test]
    fn fields_come_from_the_message() {
        let json = outcome(concat!(
            "From: =?UTF-8?Q?Ann_L=C3=A9e?= <ann@Example.com>\r\n",
            "Subject: Re: =?UTF-8?B?SGVsbG8=?=\r\n",
            "Message-ID: <a1@x>\r\n",
            "Date: Tue, 1 Oct 2024 10:00:00 +0200\r\n\r\nHi\r\n"
        ));
        assert_eq!(
            json["from"],
            serde_json::json!({"name": "Ann Lée", "address": "ann@example.com"})
        );
        assert_eq!(json["subject"], "Re: Hello");
        assert_eq!(json["message_id"], "a1@x");
        assert_eq!(json["date"], "2024-10-01T10:00:00+02:00");
        assert_eq!(json["body_text"], "Hi\n");
        assert_eq!(json["html_text"], serde_json::Value::Null);
    }

    #[test]
    fn error_line_has_source_and_error_only() {
        let line = ErrorLine {
            source: Source {
                path: "-".into(),
                index: 3,
            },
            error: "message is empty".into(),
        };
        assert_eq!(
            serde_json::to_value(line).unwrap(),
            serde_json::json!({"source": {"path": "-", "index": 3}, "error": "message is empty"})
        );
    }
}
