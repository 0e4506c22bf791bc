//! Attachment parts: files, inline images, machine-readable report parts and attached mail.

use std::borrow::Cow;

use serde::Serialize;

use super::Message;

/// One attachment part of a message, in MIME order.
///
/// Bounce and auto-reply detection read these too: a `message/delivery-status` part is an
/// attachment whose [`text`](Self::text) holds the DSN fields, and an attached
/// `message/rfc822` is an attachment whose [`message`](Self::message) is the returned mail,
/// parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    /// File name from `Content-Disposition: filename` or `Content-Type: name`, decoded
    /// (RFC 2231 / RFC 2047); `None` when the part has none.
    pub name: Option<String>,
    /// MIME type, lower-cased, without parameters, e.g. `image/png`.
    pub content_type: String,
    /// Size of the decoded content in bytes.
    pub size: usize,
    /// True for parts meant to be shown in the body (inline disposition, or images inside
    /// `multipart/related`), false for files the user attached.
    pub inline: bool,
    /// `Content-ID` without angle brackets, which HTML bodies reference as `cid:`.
    pub content_id: Option<String>,
    /// Decoded content (transfer encoding removed). Text parts are re-encoded as UTF-8.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// The attached message, parsed, when the part is `message/rfc822` (or `message/global`)
    /// and nesting stayed within the limit.
    #[serde(skip)]
    pub message: Option<Box<Message>>,
}

impl Attachment {
    /// The content as text for types that are text by nature (`text/*`, delivery-status,
    /// disposition-notification and feedback reports, header-only returns); `None` for
    /// binary types. Invalid UTF-8 is replaced, never an error: callers scan this text.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        if is_textual(&self.content_type) {
            Some(String::from_utf8_lossy(&self.data))
        } else {
            None
        }
    }

    /// True when `content_type` equals `mime` (case-insensitive).
    pub fn is_type(&self, mime: &str) -> bool {
        self.content_type.eq_ignore_ascii_case(mime)
    }
}

fn is_textual(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(
            content_type,
            "message/delivery-status"
                | "message/global-delivery-status"
                | "message/disposition-notification"
                | "message/global-disposition-notification"
                | "message/feedback-report"
                | "message/global-headers"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(content_type: &str, data: &[u8]) -> Attachment {
        Attachment {
            name: None,
            content_type: content_type.into(),
            size: data.len(),
            inline: false,
            content_id: None,
            data: data.to_vec(),
            message: None,
        }
    }

    #[test]
    fn delivery_status_and_text_parts_are_readable_as_text() {
        let dsn = part(
            "message/delivery-status",
            b"Action: failed\r\nStatus: 5.1.1\r\n",
        );
        assert_eq!(dsn.text().unwrap(), "Action: failed\r\nStatus: 5.1.1\r\n");
        assert!(part("text/rfc822-headers", b"From: x").text().is_some());
    }

    #[test]
    fn binary_parts_are_not_text() {
        assert!(part("image/png", b"\x89PNG").text().is_none());
        assert!(part("application/octet-stream", b"").text().is_none());
    }

    #[test]
    fn data_and_message_are_not_serialized() {
        let json = serde_json::to_value(part("text/plain", b"secret")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "name": null, "content_type": "text/plain", "size": 6,
                "inline": false, "content_id": null
            })
        );
    }
}
