//! What was wrong with a message that could still be read.

use std::fmt;

use serde::{Serialize, Serializer};

/// A problem found while reading a message. The message is still usable; the warning goes
/// into the processing report so an administrator can see why, say, no sender was found.
///
/// Warnings name header fields and MIME parts, never their content: they are logged and
/// stored, and content may be personal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseWarning {
    /// No header block could be found; the whole input was taken as a plain-text body.
    NoHeaders,
    /// A header that should be there is missing (`From`, `Date`, `Message-ID`).
    MissingHeader(&'static str),
    /// An address in the named header failed validation and was left out.
    InvalidAddress(&'static str),
    /// An id in the named header failed validation and was left out.
    InvalidMessageId(&'static str),
    /// The `Date` header could not be understood.
    InvalidDate,
    /// Header bytes that are not UTF-8 (raw 8-bit); they were read as windows-1252, as mail
    /// clients do.
    EightBitHeader,
    /// A MIME part had a transfer-encoding or structure problem (bad base64, truncated
    /// multipart, unparseable nested message); its content is kept as far as it could be read.
    EncodingProblem {
        /// Position of the part within its message, in MIME order.
        part: usize,
    },
    /// The message has neither a text nor an HTML body.
    NoBody,
    /// More MIME containers than the limit; the input after the last allowed one was not read.
    TooManyContainers {
        /// The configured limit.
        limit: usize,
    },
    /// Attached messages nested deeper than the limit were kept as plain attachments.
    NestingTooDeep {
        /// The configured limit.
        limit: usize,
    },
}

impl fmt::Display for ParseWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoHeaders => f.write_str("no header block found; input read as plain text"),
            Self::MissingHeader(name) => write!(f, "missing {name} header"),
            Self::InvalidAddress(name) => write!(f, "invalid address in {name} header ignored"),
            Self::InvalidMessageId(name) => {
                write!(f, "invalid message id in {name} header ignored")
            }
            Self::InvalidDate => f.write_str("Date header could not be parsed"),
            Self::EightBitHeader => f.write_str("header contains 8-bit bytes that are not UTF-8"),
            Self::EncodingProblem { part } => {
                write!(f, "MIME part {part} is malformed or badly encoded")
            }
            Self::NoBody => f.write_str("message has no text or HTML body"),
            Self::TooManyContainers { limit } => write!(
                f,
                "more than {limit} nested MIME containers; the rest of the message was not read"
            ),
            Self::NestingTooDeep { limit } => {
                write!(
                    f,
                    "attached messages nested deeper than {limit} levels were not opened"
                )
            }
        }
    }
}

impl Serialize for ParseWarning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_serialize_as_readable_strings() {
        let json = serde_json::to_string(&vec![
            ParseWarning::MissingHeader("From"),
            ParseWarning::EncodingProblem { part: 2 },
        ])
        .unwrap();
        assert_eq!(
            json,
            r#"["missing From header","MIME part 2 is malformed or badly encoded"]"#
        );
    }
}
