//! One SMTP mail transaction on an open connection: MAIL FROM, RCPT TO for each recipient,
//! DATA.

use mail_send::SmtpClient;
use mail_send::smtp::message::Parameters;
use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{RecipientRejection, SendError, SendReceipt, SmtpStage};
use tokio::io::{AsyncRead, AsyncWrite};

use super::connect::Connection;
use super::reply::{classify, to_reply};
use super::wire;

impl Connection {
    /// Sends `message` (CRLF line ends, see [`wire::to_crlf`]).
    pub async fn transact(
        &mut self,
        mail_from: &str,
        recipients: &[EmailAddress],
        message: &[u8],
    ) -> Result<SendReceipt, SendError> {
        match self {
            Self::Plain(client) => transact(client, mail_from, recipients, message).await,
            Self::Tls(client) => transact(client.as_mut(), mail_from, recipients, message).await,
        }
    }

    /// Ends an unfinished transaction so the connection can serve the next message.
    pub async fn reset(&mut self) -> bool {
        match self {
            Self::Plain(client) => client.rset().await.is_ok(),
            Self::Tls(client) => client.rset().await.is_ok(),
        }
    }
}

async fn transact<T: AsyncRead + AsyncWrite + Unpin>(
    client: &mut SmtpClient<T>,
    mail_from: &str,
    recipients: &[EmailAddress],
    message: &[u8],
) -> Result<SendReceipt, SendError> {
    let none = Parameters::default();
    client
        .mail_from(mail_from, &none)
        .await
        .map_err(|e| classify(e, SmtpStage::MailFrom))?;
    let mut accepted = Vec::with_capacity(recipients.len());
    let mut rejected = Vec::new();
    for recipient in recipients {
        match client.rcpt_to(recipient.as_str(), &none).await {
            Ok(()) => accepted.push(recipient.clone()),
            // A refusal of one recipient still lets the others have the message.
            Err(mail_send::Error::UnexpectedReply(reply)) => rejected.push(RecipientRejection {
                recipient: recipient.clone(),
                reply: to_reply(&reply),
            }),
            Err(e) => return Err(classify(e, SmtpStage::RcptTo)),
        }
    }
    if accepted.is_empty() {
        // Retry when any refusal was temporary: that recipient may take it later.
        let reply = rejected
            .iter()
            .find(|r| r.reply.is_transient())
            .or(rejected.first())
            .map(|r| r.reply.clone())
            .ok_or_else(|| SendError::Config("the envelope has no recipients".to_owned()))?;
        return Err(SendError::Rejected {
            stage: SmtpStage::RcptTo,
            reply,
        });
    }
    let reply = client
        .data(wire::without_final_crlf(message))
        .await
        .map_err(|e| classify(e, SmtpStage::Data))?;
    Ok(SendReceipt {
        accepted,
        rejected,
        confirmation: to_reply(&reply).to_string(),
    })
}
