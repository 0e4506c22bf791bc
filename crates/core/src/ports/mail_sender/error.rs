//! What can go wrong when sending mail, in the two kinds a retry policy needs: try again
//! later (4xx, network, timeout) or give up (5xx, bad configuration).

use std::fmt;

/// A reply from an SMTP server: the three-digit code and the text after it (multi-line
/// replies joined with a space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReply {
    /// The reply code, e.g. 451 or 550.
    pub code: u16,
    /// The server's text, including any enhanced status code (`5.1.1 ...`).
    pub text: String,
}

impl SmtpReply {
    /// True for a 4xx reply: the server asks to try again later.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }
}

impl fmt::Display for SmtpReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// The step of an SMTP session at which something failed; it tells an operator where to
/// look and tells the caller whether the message may already have been delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpStage {
    /// Opening the connection, the greeting, `EHLO`, TLS.
    Connect,
    /// `AUTH`.
    Auth,
    /// `MAIL FROM`.
    MailFrom,
    /// `RCPT TO`.
    RcptTo,
    /// `DATA` and the message itself.
    Data,
}

impl fmt::Display for SmtpStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Auth => "AUTH",
            Self::MailFrom => "MAIL FROM",
            Self::RcptTo => "RCPT TO",
            Self::Data => "DATA",
        })
    }
}

/// A message that was not delivered. No variant holds an address or message content:
/// errors are logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The server answered with an error code. 4xx is transient, 5xx permanent. At
    /// [`SmtpStage::RcptTo`] this means every recipient was refused; `reply` is the first
    /// transient refusal when there was one (so the message is retried), else the first.
    #[error("the mail server refused at {stage}: {reply}")]
    Rejected {
        /// Where in the session the refusal came.
        stage: SmtpStage,
        /// What the server said.
        reply: SmtpReply,
    },
    /// The connection failed or broke (refused, reset, timed out, TLS handshake failed).
    /// `outcome_unknown` is true when it broke after the whole message was sent but before
    /// the server confirmed it: the message may have been delivered, so a retry may make a
    /// duplicate (which the recipient's side dedupes by Message-ID at best).
    #[error("connection to the mail server failed at {stage}: {message}")]
    Connection {
        /// Where in the session it broke.
        stage: SmtpStage,
        /// What went wrong.
        message: String,
        /// True when the message may have been delivered.
        outcome_unknown: bool,
    },
    /// The server refused the credentials (535) or offers no mechanism postroom can use.
    /// Permanent: a person must fix the settings.
    #[error("the mail server refused authentication: {message}")]
    Auth {
        /// The server's reply or what was missing.
        message: String,
    },
    /// The settings cannot work (plain text to a remote host, unreadable DKIM key, a VERP
    /// sender without a bounce address, an envelope without recipients). Permanent.
    #[error("mail sending is misconfigured: {0}")]
    Config(String),
    /// The local side failed (the file transport could not write, DKIM signing failed).
    /// Transient: a full disk or a permissions fix may make it work.
    #[error("could not hand the message over locally: {0}")]
    Local(String),
}

impl SendError {
    /// True when the same message may be delivered if sent again later: a 4xx reply, a
    /// network failure or timeout, a local I/O failure.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Rejected { reply, .. } => reply.is_transient(),
            Self::Connection { .. } | Self::Local(_) => true,
            Self::Auth { .. } | Self::Config(_) => false,
        }
    }

    /// True when retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The server's reply, when the failure was one.
    pub fn reply(&self) -> Option<&SmtpReply> {
        match self {
            Self::Rejected { reply, .. } => Some(reply),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(code: u16) -> SendError {
        SendError::Rejected {
            stage: SmtpStage::RcptTo,
            reply: SmtpReply {
                code,
                text: "4.3.0 try later".to_owned(),
            },
        }
    }

    #[test]
    fn four_hundreds_and_network_failures_are_transient() {
        assert!(rejected(451).is_transient());
        assert!(rejected(421).is_transient());
        let broken = SendError::Connection {
            stage: SmtpStage::Data,
            message: "connection reset".to_owned(),
            outcome_unknown: true,
        };
        assert!(broken.is_transient());
        assert!(SendError::Local("disk full".to_owned()).is_transient());
    }

    #[test]
    fn five_hundreds_auth_and_config_are_permanent() {
        assert!(rejected(550).is_permanent());
        assert!(rejected(554).is_permanent());
        assert!(
            SendError::Auth {
                message: "535".to_owned()
            }
            .is_permanent()
        );
        assert!(SendError::Config("no host".to_owned()).is_permanent());
    }

    #[test]
    fn the_reply_is_kept_and_shown() {
        let e = rejected(451);
        assert_eq!(e.reply().map(|r| r.code), Some(451));
        assert_eq!(
            e.to_string(),
            "the mail server refused at RCPT TO: 451 4.3.0 try later"
        );
    }
}
