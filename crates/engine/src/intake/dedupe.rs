//! What makes two deliveries "the same message": its Message-ID, or its bytes.

use mail_parser::MessageParser;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of the message's Message-ID when it has one, else of its bytes. The ID
/// is compared without angle brackets or surrounding space; a hash keeps the value itself
/// out of the database. Prefixes keep the two kinds of input apart.
pub fn dedupe_hash(raw: &[u8]) -> String {
    let mut hasher = Sha256::new();
    match message_id(raw) {
        Some(id) => {
            hasher.update(b"message-id\0");
            hasher.update(id.as_bytes());
        }
        None => {
            hasher.update(b"bytes\0");
            hasher.update(raw);
        }
    }
    hex::encode(hasher.finalize())
}

fn message_id(raw: &[u8]) -> Option<String> {
    let headers = MessageParser::new().parse_headers(raw)?;
    let id = headers.message_id()?.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_id_decides_when_there_is_one() {
        let a = b"Message-ID: <x@example.com>\r\nSubject: a\r\n\r\none\r\n";
        let b = b"Received: by relay\r\nMessage-ID:  <x@example.com> \r\nSubject: a\r\n\r\none\r\n";
        let other = b"Message-ID: <y@example.com>\r\nSubject: a\r\n\r\none\r\n";
        assert_eq!(
            dedupe_hash(a),
            dedupe_hash(b),
            "re-delivery with a new trace header"
        );
        assert_ne!(dedupe_hash(a), dedupe_hash(other));
    }

    #[test]
    fn without_a_message_id_the_bytes_decide() {
        let a = b"Subject: a\r\n\r\none\r\n";
        let b = b"Subject: a\r\n\r\ntwo\r\n";
        assert_eq!(dedupe_hash(a), dedupe_hash(a));
        assert_ne!(dedupe_hash(a), dedupe_hash(b));
        assert_ne!(
            dedupe_hash(b"Message-ID: <>\r\n\r\nx"),
            dedupe_hash(b"\r\n")
        );
        assert_eq!(dedupe_hash(b"").len(), 64);
    }
}
