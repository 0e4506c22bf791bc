//! The end of a transaction: read the message, hand it to the sink, answer.
//!
//! The `250` is pushed only after `deliver` returned `Ok`; a sink error becomes `451`
//! (transient) or `5xx`, so the sending MTA keeps any message postroom did not commit.
//! LMTP gets the same answer once per accepted recipient: the sink commits the message
//! once for all of them.

use tokio::io::{AsyncRead, AsyncWrite};

use super::{Session, Step};
use crate::smtp::reply;
use crate::smtp::sink::{DeliveryError, Envelope, Protocol, Sink};
use crate::smtp::wire::Data;

impl<S: AsyncRead + AsyncWrite + Unpin, K: Sink> Session<'_, S, K> {
    pub(super) async fn data(&mut self) -> Step {
        match &self.mail {
            None => return self.fail(reply::MAIL_FIRST),
            Some(mail) if mail.recipients.is_empty() => return self.fail(reply::NO_RECIPIENTS),
            Some(_) => {}
        }
        // Whatever happens from here on ends the transaction.
        let Some(mail) = self.mail.take() else {
            return self.fail(reply::MAIL_FIRST);
        };
        let config = &self.shared.config;
        let replies = match config.protocol {
            Protocol::Smtp => 1,
            Protocol::Lmtp => mail.accepted,
        };
        let prompt = "Start mail input; end with <CRLF>.<CRLF>";
        reply::push_plain(&mut self.wire.out, 354, prompt);
        let bytes = match self
            .wire
            .data(config.max_message_size, config.data_timeout)
            .await
        {
            Ok(Data::Complete(bytes)) => bytes,
            Ok(Data::TooBig { read }) => {
                tracing::info!(peer = %self.peer, "message over the size limit");
                metrics::counter!("postroom_smtp_messages_total", "outcome" => "too_big")
                    .increment(1);
                let limit = config.max_message_size;
                let reason = format!(
                    "message of {read} bytes is over the limit of {limit} bytes (refused during DATA)"
                );
                self.record_refusal(read, reason).await;
                return self.say_times(reply::TOO_BIG, replies);
            }
            Err(stop) => return Step::Stop(stop),
        };
        let envelope = Envelope {
            peer: self.peer,
            helo: self.helo.clone().unwrap_or_default(),
            mail_from: mail.from,
            recipients: mail.recipients,
            tls: self.tls,
            protocol: config.protocol,
        };
        let size = bytes.len();
        let outcome = self.shared.sink.deliver(&envelope, bytes).await;
        let label = match &outcome {
            Ok(_) => "accepted",
            Err(DeliveryError::Transient { .. }) => "deferred",
            Err(DeliveryError::TooBig { .. }) => "too_big",
            Err(DeliveryError::Refused { .. }) => "refused",
        };
        metrics::counter!("postroom_smtp_messages_total", "outcome" => label).increment(1);
        match outcome {
            Ok(id) => {
                tracing::info!(peer = %self.peer, size, recipients = envelope.recipients.len(), %id, "message committed");
                for _ in 0..replies {
                    reply::push_queued(&mut self.wire.out, id.as_str());
                }
                Step::Continue
            }
            Err(error) => {
                tracing::warn!(peer = %self.peer, size, %error, "message not committed");
                self.say_times(
                    match error {
                        DeliveryError::Transient { .. } => reply::TRY_LATER,
                        DeliveryError::TooBig { .. } => reply::TOO_BIG,
                        DeliveryError::Refused { .. } => reply::REFUSED,
                    },
                    replies,
                )
            }
        }
    }
}
