//! One SMTP or LMTP conversation: the command state machine between the wire and the sink.
//!
//! The rule that matters most is in `delivery.rs`: the `250` is written only after the
//! sink said the message is committed, and any sink failure becomes a `4xx`/`5xx` so the
//! sending MTA keeps the message.

use std::net::IpAddr;
use std::time::Duration;

use smtp_proto::{Error as ParseError, MailFrom, Request};
use tokio::io::{AsyncRead, AsyncWrite};

use super::listener::Shared;
use super::reply::{self, Reply};
use super::sink::{Protocol, RecipientVerdict, Sink};
use super::wire::{Command, Stop, Wire};

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The connection is finished.
    Done,
    /// The client asked for TLS and got `220`: hand the stream to the TLS acceptor.
    StartTls,
}

/// What to do after one command.
pub(super) enum Step {
    Continue,
    Close,
    StartTls,
    Stop(Stop),
}

/// A message being assembled between `MAIL FROM` and the end of `DATA`.
#[derive(Debug)]
struct Transaction {
    from: String,
    recipients: Vec<String>,
    /// `RCPT` commands answered `250`, duplicates included: LMTP owes one reply for each.
    accepted: usize,
}

pub(crate) struct Session<'a, S, K> {
    wire: Wire<S>,
    shared: &'a Shared<K>,
    peer: IpAddr,
    tls: bool,
    helo: Option<String>,
    mail: Option<Transaction>,
    /// Whether a `MAIL FROM` was accepted: until then the session is on the short
    /// `greeting_timeout`, so a connection that never sends mail cannot hold its slot long.
    mailed: bool,
    errors: u32,
    /// Refusals handed to the sink's audit so far; see [`MAX_RECORDED_REFUSALS`].
    refusals: u32,
}

/// How many size refusals one session records in the audit; later ones are only answered
/// and counted in the metrics, so a client cannot fill the audit by repeating itself.
const MAX_RECORDED_REFUSALS: u32 = 3;

impl<'a, S: AsyncRead + AsyncWrite + Unpin, K: Sink> Session<'a, S, K> {
    pub(crate) fn new(io: S, shared: &'a Shared<K>, peer: IpAddr, tls: bool) -> Self {
        Self {
            wire: Wire::new(io),
            shared,
            peer,
            tls,
            helo: None,
            mail: None,
            mailed: false,
            errors: 0,
            refusals: 0,
        }
    }

    /// How long to wait for the next command: RFC 5321's five minutes once the client has
    /// started a message, unless the listener is crowded; the greeting timeout otherwise.
    fn command_timeout(&self) -> Duration {
        let config = &self.shared.config;
        if self.mailed && !self.shared.crowded() {
            config.command_timeout
        } else {
            config.greeting_timeout.min(config.command_timeout)
        }
    }

    /// Serves commands until the client quits, misbehaves, times out or TLS starts. A
    /// session resumed under TLS is not greeted again (RFC 3207).
    pub(crate) async fn run(&mut self, greet: bool) -> End {
        let config = &self.shared.config;
        if greet {
            let kind = match config.protocol {
                Protocol::Smtp => "ESMTP",
                Protocol::Lmtp => "LMTP",
            };
            let text = format!("{} {kind} postroom ready", config.hostname);
            reply::push_plain(&mut self.wire.out, 220, &text);
        }
        loop {
            let timeout = self.command_timeout();
            let step = match self.wire.command(timeout, &self.shared.shutdown).await {
                Ok(Command::Request(request)) => self.request(request).await,
                Ok(Command::Invalid(error)) => self.invalid(&error),
                Err(stop) => Step::Stop(stop),
            };
            match step {
                Step::Continue => {}
                Step::Close => {
                    let _ = self.wire.flush(config.command_timeout).await;
                    return End::Done;
                }
                Step::StartTls => {
                    return match self.wire.flush(config.command_timeout).await {
                        Ok(()) => End::StartTls,
                        Err(_) => End::Done,
                    };
                }
                Step::Stop(stop) => {
                    let last = match stop {
                        Stop::Closed => return End::Done,
                        Stop::TimedOut => reply::TIMEOUT,
                        Stop::Shutdown => reply::SHUTTING_DOWN,
                    };
                    tracing::debug!(peer = %self.peer, ?stop, "closing session");
                    reply::push(&mut self.wire.out, last);
                    let _ = self.wire.flush(config.command_timeout).await;
                    return End::Done;
                }
            }
        }
    }

    pub(crate) fn into_io(self) -> S {
        self.wire.into_io()
    }

    async fn request(&mut self, request: Request<String>) -> Step {
        match request {
            Request::Ehlo { host } => self.hello(host, Protocol::Smtp, true),
            Request::Helo { host } => self.hello(host, Protocol::Smtp, false),
            Request::Lhlo { host } => self.hello(host, Protocol::Lmtp, true),
            Request::Mail { from } => self.mail(from).await,
            Request::Rcpt { to } => self.rcpt(to.address).await,
            Request::Data => self.data().await,
            Request::Rset => {
                self.mail = None;
                self.say(reply::OK)
            }
            Request::Noop { .. } => self.say(reply::OK),
            Request::Vrfy { .. } => self.say(reply::CANNOT_VRFY),
            Request::Help { .. } => self.say(reply::HELP),
            Request::Quit => {
                reply::push(&mut self.wire.out, reply::BYE);
                Step::Close
            }
            Request::StartTls => self.start_tls(),
            Request::Auth { .. }
            | Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. }
            | Request::Bdat { .. } => self.fail(reply::NOT_IMPLEMENTED),
        }
    }

    fn hello(&mut self, host: String, dialect: Protocol, extended: bool) -> Step {
        if dialect != self.shared.config.protocol {
            return self.fail(reply::WRONG_HELLO);
        }
        self.helo = Some(host);
        self.mail = None;
        let config = &self.shared.config;
        if extended {
            let offer_tls = config.tls.is_some() && !self.tls;
            let out = &mut self.wire.out;
            reply::push_ehlo(out, &config.hostname, config.max_message_size, offer_tls);
            Step::Continue
        } else {
            self.say(reply::OK)
        }
    }

    async fn mail(&mut self, from: MailFrom<String>) -> Step {
        if self.helo.is_none() {
            return self.fail(match self.shared.config.protocol {
                Protocol::Smtp => reply::HELLO_FIRST,
                Protocol::Lmtp => reply::LHLO_FIRST,
            });
        }
        if self.mail.is_some() {
            return self.fail(reply::NESTED_MAIL);
        }
        let limit = self.shared.config.max_message_size;
        if from.size > limit {
            let reason = format!(
                "message of {} bytes is over the limit of {limit} bytes (refused at SIZE)",
                from.size
            );
            self.record_refusal(from.size, reason).await;
            return self.say(reply::TOO_BIG);
        }
        if !self.shared.allow(self.peer) {
            tracing::info!(peer = %self.peer, "peer over its message rate");
            reply::push(&mut self.wire.out, reply::RATE_EXCEEDED);
            return Step::Close;
        }
        self.mailed = true;
        self.mail = Some(Transaction {
            from: from.address,
            recipients: Vec::new(),
            accepted: 0,
        });
        self.say(reply::SENDER_OK)
    }

    async fn rcpt(&mut self, address: String) -> Step {
        let max = self.shared.config.max_recipients;
        let Some(mail) = self.mail.as_ref() else {
            return self.fail(reply::MAIL_FIRST);
        };
        if mail.accepted >= max {
            return self.say(reply::TOO_MANY_RECIPIENTS);
        }
        let verdict = self.shared.sink.accepts(&address).await;
        let Some(mail) = self.mail.as_mut() else {
            return self.fail(reply::MAIL_FIRST);
        };
        match verdict {
            RecipientVerdict::Accept => {
                mail.accepted += 1;
                if !mail
                    .recipients
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&address))
                {
                    mail.recipients.push(address);
                }
                self.say(reply::RECIPIENT_OK)
            }
            RecipientVerdict::Unknown => {
                let recipient = self.shared.redactor.raw_address(&address);
                tracing::info!(peer = %self.peer, %recipient, "recipient refused");
                self.say(reply::UNKNOWN_RECIPIENT)
            }
            RecipientVerdict::TryLater => self.say(reply::TRY_LATER),
            RecipientVerdict::Uninstalled => {
                let recipient = self.shared.redactor.raw_address(&address);
                tracing::info!(peer = %self.peer, %recipient, "recipient of an uninstalled site refused");
                self.say(reply::UNINSTALLED)
            }
        }
    }

    fn start_tls(&mut self) -> Step {
        if self.tls {
            return self.fail(reply::ALREADY_TLS);
        }
        if self.shared.config.tls.is_none() {
            return self.fail(reply::NOT_IMPLEMENTED);
        }
        reply::push(&mut self.wire.out, reply::TLS_GO_AHEAD);
        Step::StartTls
    }

    fn invalid(&mut self, error: &ParseError) -> Step {
        self.fail(match error {
            ParseError::ResponseTooLong => reply::LINE_TOO_LONG,
            ParseError::InvalidSenderAddress => reply::BAD_SENDER,
            ParseError::InvalidRecipientAddress => reply::BAD_RECIPIENT,
            ParseError::SyntaxError { .. } => reply::SYNTAX,
            ParseError::InvalidParameter { .. } => reply::BAD_PARAMETER,
            ParseError::UnsupportedParameter { .. } => reply::UNSUPPORTED_PARAMETER,
            _ => reply::UNKNOWN_COMMAND,
        })
    }

    /// Hands a size refusal to the sink's audit, up to [`MAX_RECORDED_REFUSALS`] a session.
    pub(super) async fn record_refusal(&mut self, size: usize, reason: String) {
        if self.refusals >= MAX_RECORDED_REFUSALS {
            return;
        }
        self.refusals += 1;
        let protocol = self.shared.config.protocol;
        self.shared.sink.refused(protocol, size, reason).await;
    }

    /// Answers a client error; too many of them end the session, so a confused or hostile
    /// client cannot hold a connection slot forever.
    pub(super) fn fail(&mut self, answer: Reply) -> Step {
        self.errors += 1;
        if self.errors > self.shared.config.max_errors {
            tracing::info!(peer = %self.peer, errors = self.errors, "too many errors");
            reply::push(&mut self.wire.out, reply::TOO_MANY_ERRORS);
            return Step::Close;
        }
        self.say(answer)
    }

    pub(super) fn say(&mut self, answer: Reply) -> Step {
        reply::push(&mut self.wire.out, answer);
        Step::Continue
    }

    pub(super) fn say_times(&mut self, answer: Reply, times: usize) -> Step {
        for _ in 0..times {
            reply::push(&mut self.wire.out, answer);
        }
        Step::Continue
    }
}

mod delivery;
#[cfg(test)]
mod tests;
