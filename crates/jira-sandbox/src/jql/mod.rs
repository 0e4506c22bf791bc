//! The subset of JQL postroom and its tests need. Anything else is refused with a 400 in
//! Jira's wording, never answered with a silent empty result.

mod eval;
mod lex;
mod parse;
mod values;

pub use eval::{SearchContext, search};
pub use parse::parse;

/// Why a query was refused; each becomes a 400 with the message in `errorMessages`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JqlError {
    /// The text is not JQL the sandbox can parse.
    #[error("{0}")]
    Syntax(String),
    /// A field name or value Jira would not know.
    #[error("{0}")]
    Unknown(String),
    /// Valid JQL that the sandbox does not implement.
    #[error("{0}")]
    Unsupported(String),
}

#[cfg(test)]
mod tests;
