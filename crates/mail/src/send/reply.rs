//! Translating the SMTP client's errors into the port's [`SendError`], which is all the
//! queue looks at: a 4xx or a broken connection is worth a retry, a 5xx is not.

use postroom_core::ports::mail_sender::{SendError, SmtpReply, SmtpStage};

/// The port's view of a client error at `stage`.
pub fn classify(error: mail_send::Error, stage: SmtpStage) -> SendError {
    use mail_send::Error as E;
    match error {
        E::UnexpectedReply(reply) => SendError::Rejected {
            stage,
            reply: to_reply(&reply),
        },
        E::AuthenticationFailed(reply) => {
            let reply = to_reply(&reply);
            if reply.is_transient() {
                SendError::Rejected {
                    stage: SmtpStage::Auth,
                    reply,
                }
            } else {
                SendError::Auth {
                    message: reply.to_string(),
                }
            }
        }
        E::UnsupportedAuthMechanism => SendError::Auth {
            message: "the server offers neither PLAIN nor LOGIN".to_owned(),
        },
        E::MissingCredentials => SendError::Auth {
            message: "the server requires credentials".to_owned(),
        },
        E::MissingStartTls => SendError::Config(
            "the server does not offer STARTTLS; use security = \"tls\" or \"plain\"".to_owned(),
        ),
        E::InvalidTLSName => SendError::Config("the SMTP host is not a valid TLS name".to_owned()),
        E::Timeout => broken(stage, "timed out".to_owned()),
        other => broken(stage, other.to_string()),
    }
}

/// A connection that failed at `stage`. Only a failure during DATA can come after the
/// server has taken the message.
fn broken(stage: SmtpStage, message: String) -> SendError {
    SendError::Connection {
        stage,
        message,
        outcome_unknown: stage == SmtpStage::Data,
    }
}

/// The reply as the port carries it: code and text (lines joined).
pub fn to_reply(reply: &smtp_proto::Response<String>) -> SmtpReply {
    let message = reply.message().replace("\r\n", " ").replace('\n', " ");
    // The parser splits off the enhanced status code; put it back, it is the most
    // precise part of a refusal (5.1.1 no such user, 5.7.1 policy).
    let text = match reply.esc {
        [0, 0, 0] => message,
        [class, subject, detail] => format!("{class}.{subject}.{detail} {message}"),
    };
    SmtpReply {
        code: reply.code(),
        text,
    }
}
