//! Consistent placeholders for the people in a support bundle.
//!
//! A bundle sent to whoever supports an installation must let them follow a case ("the
//! reply came from the same person as the first mail") without learning who anyone is. So
//! every address becomes `personN@example.invalid` and every display name `Person N`, with
//! the same N each time the same value appears: in the raw mail's headers and body, in the
//! report and in the profile. Addresses are matched case-insensitively; anything shaped
//! like an address is replaced, Message-IDs included, because a Message-ID often carries a
//! host or user name.
//!
//! What is not looked into: encoded body parts (base64, quoted-printable) and encoded words
//! outside the address headers keep their content. Address headers are rewritten from
//! their parsed form, so their encoded display names are replaced too.

mod mail;
mod secrets;

pub use secrets::{
    replace_secrets, replace_secrets_with, resolve_secret_refs, secret_refs, secret_values,
};

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// Anything shaped like an address: a dot-atom local part, `@`, a dotted domain.
const ADDRESS_PATTERN: &str = r"(?i)[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+";

// The pattern is a constant; the unit tests show it compiles.
static ADDRESS: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(ADDRESS_PATTERN).ok());
static ADDRESS_BYTES: LazyLock<Option<regex::bytes::Regex>> =
    LazyLock::new(|| regex::bytes::Regex::new(ADDRESS_PATTERN).ok());

/// The placeholders handed out so far; one per bundle, so numbers are consistent within it.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    addresses: HashMap<String, String>,
    names: HashMap<String, String>,
    /// Known names, longest first, so "Ann Lee" is replaced before a shorter "Ann".
    ordered_names: Vec<String>,
}

impl Placeholders {
    /// The placeholder of `address` (`person1@example.invalid`, …).
    pub fn address(&mut self, address: &str) -> String {
        let key = address.trim().to_ascii_lowercase();
        let next = self.addresses.len() + 1;
        self.addresses
            .entry(key)
            .or_insert_with(|| format!("person{next}@example.invalid"))
            .clone()
    }

    /// The placeholder of a display name (`Person 1`, …); it is then also replaced wherever
    /// it appears in text.
    pub fn name(&mut self, name: &str) -> String {
        let key = name.trim().to_owned();
        if let Some(found) = self.names.get(&key) {
            return found.clone();
        }
        let placeholder = format!("Person {}", self.names.len() + 1);
        self.names.insert(key.clone(), placeholder.clone());
        self.ordered_names.push(key);
        self.ordered_names
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        placeholder
    }

    /// `text` with every address and every known name replaced.
    pub fn text(&mut self, text: &str) -> String {
        let mut found = Vec::new();
        for m in ADDRESS.iter().flat_map(|r| r.find_iter(text)) {
            found.push((m.range(), self.address(m.as_str())));
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (range, placeholder) in found {
            out.push_str(&text[at..range.start]);
            out.push_str(&placeholder);
            at = range.end;
        }
        out.push_str(&text[at..]);
        for name in &self.ordered_names {
            if name.chars().count() > 1 {
                out = out.replace(name.as_str(), &self.names[name]);
            }
        }
        out
    }

    /// Bytes (a mail body) with every address and every known name replaced; bytes that are
    /// not UTF-8 are kept as they are.
    pub fn bytes(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut found = Vec::new();
        for m in ADDRESS_BYTES.iter().flat_map(|r| r.find_iter(bytes)) {
            let text = String::from_utf8_lossy(m.as_bytes()).into_owned();
            found.push((m.range(), self.address(&text)));
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        for (range, placeholder) in found {
            out.extend_from_slice(&bytes[at..range.start]);
            out.extend_from_slice(placeholder.as_bytes());
            at = range.end;
        }
        out.extend_from_slice(&bytes[at..]);
        for name in &self.ordered_names {
            if name.chars().count() > 1 {
                out = replace_bytes(&out, name.as_bytes(), self.names[name].as_bytes());
            }
        }
        out
    }

    /// Every string in `value`, object keys included, through [`Placeholders::text`].
    pub fn json(&mut self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = self.text(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            serde_json::Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    self.json(&mut item);
                    map.insert(self.text(&key), item);
                }
            }
            _ => {}
        }
    }

    /// A raw mail with its address headers rewritten and its other text replaced; see the
    /// module documentation for what is not looked into. Learn the mail's names with
    /// [`Placeholders::learn_mail`] first when the report and profile are scrubbed too, so
    /// the names found there are replaced everywhere.
    pub fn mail(&mut self, raw: &[u8]) -> Vec<u8> {
        mail::scrub(self, raw)
    }

    /// Hands out placeholders for the display names and addresses of the mail's address
    /// headers, so that they are known before any text is scrubbed.
    pub fn learn_mail(&mut self, raw: &[u8]) {
        mail::learn(self, raw);
    }
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut at = 0;
    for found in memchr::memmem::find_iter(haystack, needle) {
        if found < at {
            continue;
        }
        out.extend_from_slice(&haystack[at..found]);
        out.extend_from_slice(with);
        at = found + needle.len();
    }
    out.extend_from_slice(&haystack[at..]);
    out
}

#[cfg(test)]
mod tests;
