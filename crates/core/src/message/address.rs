//! Validated e-mail addresses and mailboxes (a display name plus an address).
//!
//! Every address postroom keeps has passed [`EmailAddress::parse`], so later stages (routing,
//! suppression, acknowledgement) never have to ask whether a string is really an address.

use std::fmt;

use serde::{Serialize, Serializer};

/// Why a string is not an e-mail address. The input is deliberately not included: addresses
/// are personal data and errors end up in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The string is empty after trimming.
    #[error("address is empty")]
    Empty,
    /// There is no `@`, or nothing before or after it.
    #[error("address has no local part or no domain")]
    MissingPart,
    /// Longer than RFC 5321 allows (254 characters overall, 64 for the local part).
    #[error("address is too long ({0} characters)")]
    TooLong(usize),
    /// Whitespace, control characters or delimiters (`<>,;"` outside quotes) in the address.
    #[error("address contains a character that is not allowed")]
    BadCharacter,
    /// The domain is not a dot-separated list of non-empty labels or an address literal.
    #[error("address domain is malformed")]
    BadDomain,
}

/// An e-mail address as `local@domain`, checked for shape (not for deliverability).
///
/// The local part is kept as written (it may be case-sensitive); the domain is lower-cased
/// because domains are not, which makes equality and hashing behave as users expect.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

const MAX_ADDRESS: usize = 254;
const MAX_LOCAL: usize = 64;

impl EmailAddress {
    /// Checks `input` (surrounding whitespace and one pair of angle brackets are tolerated)
    /// and returns the normalized address.
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let trimmed = input.trim();
        let trimmed = trimmed
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(trimmed)
            .trim();
        if trimmed.is_empty() {
            return Err(AddressError::Empty);
        }
        let char_count = trimmed.chars().count();
        if char_count > MAX_ADDRESS {
            return Err(AddressError::TooLong(char_count));
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(AddressError::MissingPart)?;
        if local.is_empty() || domain.is_empty() {
            return Err(AddressError::MissingPart);
        }
        let local_len = local.chars().count();
        if local_len > MAX_LOCAL {
            return Err(AddressError::TooLong(local_len));
        }
        check_local(local)?;
        check_domain(domain)?;
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address as text, e.g. for an SMTP envelope or a lookup key.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, lower-cased.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The part before the `@`, as written.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }
}

fn check_local(local: &str) -> Result<(), AddressError> {
    if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        // A quoted local part may hold spaces and delimiters, but no control characters.
        return if local.chars().any(char::is_control) {
            Err(AddressError::BadCharacter)
        } else {
            Ok(())
        };
    }
    let bad = |c: char| {
        c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"' | '@')
    };
    if local.chars().any(bad) {
        return Err(AddressError::BadCharacter);
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), AddressError> {
    if domain.starts_with('[') && domain.ends_with(']') && domain.len() > 2 {
        let inner = &domain[1..domain.len() - 1];
        let ok = inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':'));
        return if ok {
            Ok(())
        } else {
            Err(AddressError::BadDomain)
        };
    }
    if domain.len() > 253 {
        return Err(AddressError::BadDomain);
    }
    for label in domain.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(AddressError::BadDomain);
        }
        let ok = label
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !ok || label.starts_with('-') || label.ends_with('-') {
            return Err(AddressError::BadDomain);
        }
    }
    Ok(())
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A display name with its address, as in `"Ann Lee" <ann@example.com>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Mailbox {
    /// The display name, decoded (RFC 2047) and trimmed; `None` when absent or empty.
    pub name: Option<String>,
    /// The validated address.
    pub address: EmailAddress,
}

impl Mailbox {
    /// Builds a mailbox from a possibly empty name and an address string.
    pub fn parse(name: Option<&str>, address: &str) -> Result<Self, AddressError> {
        let address = EmailAddress::parse(address)?;
        let name = name
            .map(|n| n.trim().trim_matches('"').trim())
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        Ok(Self { name, address })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_bracketed_addresses_and_lowercases_domain() {
        let a = EmailAddress::parse(" <Ann.Lee+tag@Example.COM> ").unwrap();
        assert_eq!(a.as_str(), "Ann.Lee+tag@example.com");
        assert_eq!(a.domain(), "example.com");
        assert_eq!(a.local_part(), "Ann.Lee+tag");
    }

    #[test]
    fn accepts_quoted_local_part_and_address_literal() {
        assert!(EmailAddress::parse("\"john doe\"@example.com").is_ok());
        assert!(EmailAddress::parse("postmaster@[192.0.2.1]").is_ok());
        assert!(EmailAddress::parse("user@bücher.example").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses_with_a_reason() {
        assert_eq!(EmailAddress::parse(""), Err(AddressError::Empty));
        assert_eq!(EmailAddress::parse("<>"), Err(AddressError::Empty));
        assert_eq!(
            EmailAddress::parse("nobody"),
            Err(AddressError::MissingPart)
        );
        assert_eq!(
            EmailAddress::parse("@example.com"),
            Err(AddressError::MissingPart)
        );
        assert_eq!(
            EmailAddress::parse("a b@example.com"),
            Err(AddressError::BadCharacter)
        );
        assert_eq!(
            EmailAddress::parse("a@exa mple.com"),
            Err(AddressError::BadDomain)
        );
        assert_eq!(
            EmailAddress::parse("a@example..com"),
            Err(AddressError::BadDomain)
        );
        assert_eq!(
            EmailAddress::parse("a@-example.com"),
            Err(AddressError::BadDomain)
        );
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long), Err(AddressError::TooLong(65)));
        let huge = format!("a@{}.com", "b".repeat(300));
        assert!(matches!(
            EmailAddress::parse(&huge),
            Err(AddressError::TooLong(_))
        ));
    }

    #[test]
    fn mailbox_drops_empty_or_quoted_empty_names() {
        let m = Mailbox::parse(Some(" \"\" "), "a@example.com").unwrap();
        assert_eq!(m.name, None);
        let m = Mailbox::parse(Some("\"Ann Lee\""), "a@example.com").unwrap();
        assert_eq!(m.name.as_deref(), Some("Ann Lee"));
    }
}
