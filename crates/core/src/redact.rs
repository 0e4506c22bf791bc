//! Personal content as it may appear in logs: a keyed hash, never the value.
//!
//! An e-mail address, a subject or a body is logged only as `kind:hex`, the first 8 bytes
//! of HMAC-SHA256 under the instance's redaction key. The same value always gives the same
//! hash on one instance, so an operator can follow one sender through the logs, but without
//! the key nobody can test a guessed address against a log line (a plain hash would allow
//! exactly that). The key is handed in, keeping this module pure.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::message::EmailAddress;

/// Bytes of the HMAC kept: 64 bits tell senders apart in any one instance's logs.
const KEPT: usize = 8;

/// The instance's key for keyed hashes in logs. `Debug` never shows it.
#[derive(Clone)]
pub struct Redactor {
    key: [u8; 32],
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor(***)")
    }
}

/// What kind of value was redacted; part of both the output and the hashed input, so an
/// address and a subject with the same text do not share a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Address,
    Subject,
    Body,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Address => "addr",
            Kind::Subject => "subj",
            Kind::Body => "body",
        }
    }
}

/// A redacted value, ready to log: displays as `addr:1f2e3d4c5b6a7988`. It holds only the
/// hash, so there is nothing in it to leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Redacted {
    kind: Kind,
    hash: [u8; KEPT],
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.kind.tag())?;
        self.hash.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Redactor {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// An address, compared as [`EmailAddress`] compares it (case of the domain ignored).
    pub fn address(&self, address: &EmailAddress) -> Redacted {
        self.hash(
            Kind::Address,
            address.as_str().to_ascii_lowercase().as_bytes(),
        )
    }

    /// An address that did not parse: trimmed and lower-cased, then hashed.
    pub fn raw_address(&self, address: &str) -> Redacted {
        self.hash(
            Kind::Address,
            address.trim().to_ascii_lowercase().as_bytes(),
        )
    }

    pub fn subject(&self, subject: &str) -> Redacted {
        self.hash(Kind::Subject, subject.as_bytes())
    }

    pub fn body(&self, body: &[u8]) -> Redacted {
        self.hash(Kind::Body, body)
    }

    /// A Message-ID as the thread map looks it up: the whole HMAC in hex, not the 64 bits a
    /// log line keeps, because a collision there would thread one customer's mail onto
    /// another customer's issue.
    pub fn message_id_key(&self, message_id: &str) -> String {
        self.lookup_key("mid", message_id)
    }

    /// A whole-HMAC lookup key for other values that must be found again but never kept in
    /// clear (webhook delivery ids, notification batches), separated by `tag`.
    pub fn lookup_key(&self, tag: &str, value: &str) -> String {
        let full = self.mac(tag, value.as_bytes());
        let mut out = String::with_capacity(tag.len() + 1 + 2 * full.len());
        out.push_str(tag);
        out.push(':');
        for b in full {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    fn hash(&self, kind: Kind, value: &[u8]) -> Redacted {
        let full = self.mac(kind.tag(), value);
        let mut hash = [0u8; KEPT];
        hash.copy_from_slice(&full[..KEPT]);
        Redacted { kind, hash }
    }

    fn mac(&self, tag: &str, value: &[u8]) -> [u8; 32] {
        // HMAC zero-pads a short key to the hash's 64-byte block; doing it here gives the
        // same MAC through the infallible fixed-size constructor.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.key);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        mac.update(tag.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn redactor(byte: u8) -> Redactor {
        Redactor::new([byte; 32])
    }

    #[test]
    fn same_value_same_hash_and_never_the_value() {
        let r = redactor(1);
        let a = EmailAddress::parse("Alice@Example.test").unwrap();
        let shown = r.address(&a).to_string();
        assert_eq!(shown, r.address(&a).to_string());
        assert!(
            shown.starts_with("addr:") && shown.len() == 5 + 2 * KEPT,
            "{shown}"
        );
        assert!(!shown.to_lowercase().contains("alice"));
        assert!(!shown.to_lowercase().contains("example"));
        assert_eq!(
            r.raw_address(" alice@example.test "),
            r.raw_address("ALICE@example.test")
        );
    }

    #[test]
    fn message_id_keys_are_whole_macs_that_depend_on_the_key() {
        let r = redactor(1);
        let k = r.message_id_key("abc@mail.test");
        assert_eq!(k, r.message_id_key("abc@mail.test"));
        assert_eq!(k.len(), 4 + 64, "{k}");
        assert!(k.starts_with("mid:") && !k.contains("abc"));
        assert_ne!(k, r.message_id_key("abd@mail.test"));
        assert_ne!(k, redactor(2).message_id_key("abc@mail.test"));
    }

    #[test]
    fn kind_value_and_key_all_change_the_hash() {
        let r = redactor(1);
        assert_ne!(
            r.subject("x").to_string()[5..],
            r.body(b"x").to_string()[5..]
        );
        assert_ne!(r.subject("x"), r.subject("y"));
        assert_ne!(r.subject("x"), redactor(2).subject("x"));
        assert_ne!(r.subject(""), r.body(b""));
    }

    #[test]
    fn huge_and_empty_values_hash_to_the_same_short_form() {
        let r = redactor(3);
        assert_eq!(r.body(&vec![b'a'; 10_000_000]).to_string().len(), 21);
        assert_eq!(r.subject("").to_string().len(), 21);
        assert!(!format!("{r:?}").contains("3"));
    }
}
