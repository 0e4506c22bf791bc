//! What makes two deliveries "the same message": the same Message-ID **and** the same
//! content digest, or, without a Message-ID, the same digest alone.
//!
//! A Message-ID is chosen by the sender, so anyone can reuse one: alone it would let a
//! second, different mail pass as a re-delivery of the first and be dropped. The digest
//! (see [`content_digest`]) covers what the author wrote and nothing a server on the way
//! adds or rewrites, so a true re-delivery still matches.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// Who a message is, for deduplication: a hash of its Message-ID (when it has one) and its
/// content digest. Both are SHA-256 in hex; neither keeps the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// SHA-256 of the Message-ID without angle brackets or surrounding space.
    pub message_id_hash: Option<String>,
    /// SHA-256 of the content (see [`content_digest`]).
    pub digest: String,
}

impl Identity {
    /// Reads the identity of `raw`; a message that cannot be parsed at all is identified
    /// by its bytes with line endings made uniform.
    pub fn of(raw: &[u8]) -> Self {
        let parsed = MessageParser::new().parse(raw);
        let message_id_hash = parsed
            .as_ref()
            .and_then(|m| m.message_id())
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| hex::encode(Sha256::digest(id.as_bytes())));
        let digest = match &parsed {
            Some(message) => content_digest(message),
            None => {
                let mut hasher = Sha256::new();
                field(&mut hasher, b"unparsed", &lf_only(raw));
                hex::encode(hasher.finalize())
            }
        };
        Self {
            message_id_hash,
            digest,
        }
    }

    /// The dedupe key: equal exactly when both Message-ID (or its absence) and digest are.
    pub fn dedupe_hash(&self) -> String {
        let mut hasher = Sha256::new();
        match &self.message_id_hash {
            Some(id) => field(&mut hasher, b"message-id", id.as_bytes()),
            None => field(&mut hasher, b"no-message-id", b""),
        }
        field(&mut hasher, b"digest", self.digest.as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// The dedupe key of `raw` (see [`Identity::dedupe_hash`]).
pub fn dedupe_hash(raw: &[u8]) -> String {
    Identity::of(raw).dedupe_hash()
}

/// SHA-256 over the From, Date and Subject values and the decoded body parts and
/// attachments, nested messages included.
///
/// Every other header is left out, so trace headers added in transit (`Received`,
/// `Delivered-To`, `X-Original-To`, `Return-Path`, `Authentication-Results`, `ARC-*`,
/// `DKIM-Signature`) change nothing. Values are compared decoded, so what servers on the
/// way legitimately change does not count either: header folding and encoded words,
/// a transfer encoding downgraded from 8bit to quoted-printable, CRLF written as LF (or
/// back) and a final line break added to text.
fn content_digest(message: &Message<'_>) -> String {
    let mut hasher = Sha256::new();
    digest_message(&mut hasher, message);
    hex::encode(hasher.finalize())
}

fn digest_message(hasher: &mut Sha256, message: &Message<'_>) {
    let from: Vec<String> = message
        .from()
        .map(|list| {
            list.iter()
                .map(|a| {
                    let name = a.name().map(collapse_space).unwrap_or_default();
                    let address = a.address().unwrap_or_default().trim().to_owned();
                    format!("{name}\0{address}")
                })
                .collect()
        })
        .unwrap_or_default();
    field(hasher, b"from", from.join("\0").as_bytes());
    let date = match message.date() {
        Some(date) => date.to_timestamp().to_string(),
        None => message
            .header_raw("Date")
            .map(collapse_space)
            .unwrap_or_default(),
    };
    field(hasher, b"date", date.as_bytes());
    let subject = message.subject().map(collapse_space).unwrap_or_default();
    field(hasher, b"subject", subject.as_bytes());
    for part in &message.parts {
        let name = part.attachment_name().unwrap_or_default();
        match &part.body {
            PartType::Text(text) => {
                field(hasher, b"text", name.as_bytes());
                field(hasher, b"", &text_body(text));
            }
            PartType::Html(html) => {
                field(hasher, b"html", name.as_bytes());
                field(hasher, b"", &text_body(html));
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                field(hasher, b"binary", name.as_bytes());
                field(hasher, b"", bytes);
            }
            PartType::Message(nested) => {
                field(hasher, b"message", name.as_bytes());
                digest_message(hasher, nested);
                field(hasher, b"end", b"");
            }
            PartType::Multipart(_) => {}
        }
    }
}

/// Adds one labelled, length-prefixed value, so that no two sequences of values hash alike.
fn field(hasher: &mut Sha256, label: &[u8], value: &[u8]) {
    hasher.update((label.len() as u64).to_be_bytes());
    hasher.update(label);
    hasher.update((value.len() as u64).to_be_bytes());
    hasher.update(value);
}

/// A text part as compared: LF line endings, no trailing line breaks or spaces at its end.
fn text_body(text: &str) -> Vec<u8> {
    let mut bytes = lf_only(text.as_bytes());
    while bytes.last().is_some_and(u8::is_ascii_whitespace) {
        bytes.pop();
    }
    bytes
}

fn lf_only(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        if b == b'\r' && iter.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

fn collapse_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
