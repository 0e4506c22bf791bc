//! VERP return paths: `bounces+TOKEN@domain` as the envelope sender of every outbound mail.
//!
//! A bounce goes back to the envelope sender, and many bounces do not quote the original
//! message well enough to say which mail failed. Putting a token into the envelope sender
//! ties every bounce to the mail that caused it, whatever the bouncing server writes. Both
//! directions live here so that the sender and the bounce classifier cannot drift apart.

use crate::message::{AddressError, EmailAddress};

/// The longest token: with a short base local part (`bounces`) it keeps the address within
/// the 64-character limit of a local part.
pub const MAX_TOKEN_LEN: usize = 48;

/// The delimiter between the base local part and the token (`+`, what Postfix, Exim and
/// most hosted services understand as "subaddress" without extra configuration).
pub const DELIMITER: char = '+';

/// Why a VERP token or address cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerpError {
    /// The token is empty.
    #[error("a VERP token must not be empty")]
    EmptyToken,
    /// The token is longer than [`MAX_TOKEN_LEN`].
    #[error("a VERP token is at most {MAX_TOKEN_LEN} characters, got {0}")]
    TokenTooLong(usize),
    /// The token holds a character outside `a-z`, `0-9`, `-` and `_`.
    #[error("a VERP token may hold only a-z, 0-9, '-' and '_'")]
    BadTokenCharacter,
    /// The configured bounce address already has a `+` part, so a token could not be told
    /// apart from it.
    #[error("the bounce address must not contain '{DELIMITER}'")]
    DelimiterInBase,
    /// The combined address is not a valid address (usually: its local part is too long).
    #[error("the VERP address is not valid: {0}")]
    Address(#[from] AddressError),
}

/// A token that identifies one outbound mail in its return path.
///
/// Lower-case letters, digits, `-` and `_` only: some servers lower-case the whole address
/// of a bounce, and a token that survives that round trip unchanged must not rely on case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerpToken(String);

impl VerpToken {
    /// Checks `token`. Upper-case input is refused rather than folded, so the caller's
    /// record of the token and the one in the address are always the same string.
    pub fn parse(token: &str) -> Result<Self, VerpError> {
        if token.is_empty() {
            return Err(VerpError::EmptyToken);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(VerpError::TokenTooLong(token.len()));
        }
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        if !token.chars().all(allowed) {
            return Err(VerpError::BadTokenCharacter);
        }
        Ok(Self(token.to_owned()))
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The return path for one mail: `bounce`'s local part, `+`, the token, `@`, its domain.
pub fn address(bounce: &EmailAddress, token: &VerpToken) -> Result<EmailAddress, VerpError> {
    if bounce.local_part().contains(DELIMITER) {
        return Err(VerpError::DelimiterInBase);
    }
    let combined = format!(
        "{}{DELIMITER}{}@{}",
        bounce.local_part(),
        token.as_str(),
        bounce.domain()
    );
    Ok(EmailAddress::parse(&combined)?)
}

/// The token of `recipient` when it is a VERP form of `bounce` (same domain, same base local
/// part, both compared without case); `None` for any other address or a malformed token.
pub fn token_for(recipient: &EmailAddress, bounce: &EmailAddress) -> Option<VerpToken> {
    if !recipient.domain().eq_ignore_ascii_case(bounce.domain()) {
        return None;
    }
    let (base, token) = split(recipient)?;
    base.eq_ignore_ascii_case(bounce.local_part())
        .then(|| VerpToken::parse(&token.to_ascii_lowercase()).ok())
        .flatten()
}

/// The base local part and the raw token of an address with a `+` part, whatever its
/// domain; `None` without a delimiter or with an empty token. For callers that check the
/// domain themselves (the bounce classifier knows several own domains).
pub fn split(address: &EmailAddress) -> Option<(&str, &str)> {
    let (base, token) = address.local_part().split_once(DELIMITER)?;
    (!base.is_empty() && !token.is_empty()).then_some((base, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    fn token(s: &str) -> VerpToken {
        VerpToken::parse(s).unwrap()
    }

    #[test]
    fn address_puts_the_token_after_the_base_local_part() {
        let bounce = addr("bounces@Mail.Example.com");
        let a = address(&bounce, &token("t-9f3a_01")).unwrap();
        assert_eq!(a.as_str(), "bounces+t-9f3a_01@mail.example.com");
    }

    #[test]
    fn token_round_trips_even_when_a_server_changes_case() {
        let bounce = addr("bounces@example.com");
        let t = token("job-42");
        let a = address(&bounce, &t).unwrap();
        assert_eq!(token_for(&a, &bounce), Some(t.clone()));
        let shouted = addr(&a.as_str().to_ascii_uppercase());
        assert_eq!(token_for(&shouted, &bounce), Some(t));
    }

    #[test]
    fn other_addresses_give_no_token() {
        let bounce = addr("bounces@example.com");
        assert_eq!(token_for(&addr("bounces@example.com"), &bounce), None);
        assert_eq!(token_for(&addr("bounces+@example.com"), &bounce), None);
        assert_eq!(token_for(&addr("bounces+x@example.org"), &bounce), None);
        assert_eq!(token_for(&addr("other+x@example.com"), &bounce), None);
        assert_eq!(token_for(&addr("bounces+a.b@example.com"), &bounce), None);
    }

    #[test]
    fn malformed_tokens_are_refused_with_a_reason() {
        assert_eq!(VerpToken::parse(""), Err(VerpError::EmptyToken));
        assert_eq!(VerpToken::parse("Abc"), Err(VerpError::BadTokenCharacter));
        assert_eq!(VerpToken::parse("a+b"), Err(VerpError::BadTokenCharacter));
        assert_eq!(VerpToken::parse("a@b"), Err(VerpError::BadTokenCharacter));
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(
            VerpToken::parse(&long),
            Err(VerpError::TokenTooLong(MAX_TOKEN_LEN + 1))
        );
        assert!(VerpToken::parse(&"a".repeat(MAX_TOKEN_LEN)).is_ok());
    }

    #[test]
    fn a_base_with_a_delimiter_or_too_long_a_result_is_refused() {
        let t = token("x");
        assert_eq!(
            address(&addr("bounces+a@example.com"), &t),
            Err(VerpError::DelimiterInBase)
        );
        let long_base = addr(&format!("{}@example.com", "b".repeat(60)));
        assert!(matches!(
            address(&long_base, &token("abcdef")),
            Err(VerpError::Address(AddressError::TooLong(_)))
        ));
    }

    #[test]
    fn split_needs_both_halves() {
        assert_eq!(split(&addr("a+b@x.org")), Some(("a", "b")));
        assert_eq!(split(&addr("a+b+c@x.org")), Some(("a", "b+c")));
        assert_eq!(split(&addr("a@x.org")), None);
        assert_eq!(split(&addr("+b@x.org")), None);
    }
}
