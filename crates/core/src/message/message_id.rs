//! Message-IDs, the keys that thread mail to Jira issues.

use std::fmt;

use serde::{Serialize, Serializer};

/// Why a string is not a usable Message-ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageIdError {
    /// Nothing left after removing whitespace and angle brackets.
    #[error("message id is empty")]
    Empty,
    /// Whitespace, control characters or angle brackets inside the id.
    #[error("message id contains a character that is not allowed")]
    BadCharacter,
    /// Longer than any sane id (998, the RFC 5322 line limit).
    #[error("message id is too long ({0} bytes)")]
    TooLong(usize),
}

/// A Message-ID without its angle brackets, e.g. `abc.123@mail.example.com`.
///
/// Ids are compared exactly as written: RFC 5322 treats them as opaque, and mail clients
/// echo them back byte for byte in `In-Reply-To` and `References`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

const MAX_ID: usize = 998;

impl MessageId {
    /// Accepts an id with or without `<>` and surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, MessageIdError> {
        let trimmed = input.trim();
        let inner = trimmed
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(trimmed)
            .trim();
        if inner.is_empty() {
            return Err(MessageIdError::Empty);
        }
        if inner.len() > MAX_ID {
            return Err(MessageIdError::TooLong(inner.len()));
        }
        if inner
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(MessageIdError::BadCharacter);
        }
        Ok(Self(inner.to_owned()))
    }

    /// The id without brackets.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id in brackets, as it is written in a header.
    pub fn to_header_form(&self) -> String {
        format!("<{}>", self.0)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for MessageId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_brackets_and_keeps_case() {
        let id = MessageId::parse("  <ABC.123@Mail.Example>  ").unwrap();
        assert_eq!(id.as_str(), "ABC.123@Mail.Example");
        assert_eq!(id.to_header_form(), "<ABC.123@Mail.Example>");
    }

    #[test]
    fn accepts_ids_without_brackets_or_at_sign() {
        assert_eq!(MessageId::parse("local-id").unwrap().as_str(), "local-id");
    }

    #[test]
    fn rejects_empty_spaced_and_huge_ids() {
        assert_eq!(MessageId::parse("<>"), Err(MessageIdError::Empty));
        assert_eq!(MessageId::parse("   "), Err(MessageIdError::Empty));
        assert_eq!(
            MessageId::parse("<a b@c>"),
            Err(MessageIdError::BadCharacter)
        );
        assert_eq!(
            MessageId::parse("<a<b@c>"),
            Err(MessageIdError::BadCharacter)
        );
        let huge = "x".repeat(MAX_ID + 1);
        assert_eq!(
            MessageId::parse(&huge),
            Err(MessageIdError::TooLong(MAX_ID + 1))
        );
    }
}
