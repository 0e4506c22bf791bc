//! Atlassian Connect JWT: the signature an installed Connect app puts on each request to
//! Jira, and that Jira puts on each request (webhook, lifecycle call) to the app.
//!
//! A Connect token is an HS256 JWT signed with the installation's shared secret whose `qsh`
//! claim binds it to one request (method, path, query), so that a token seen once cannot be
//! replayed against another resource. Pure code: the caller passes the current time.

mod canonical;
mod token;

pub use canonical::{CanonicalRequest, canonical_path, canonical_query, parse_query};
pub use token::{ConnectClaims, JwtError, QshRule, decode_unverified, sign, verify};

/// The `qsh` value of tokens issued for a browser context (iframes) rather than one request.
pub const CONTEXT_QSH: &str = "context-qsh";
