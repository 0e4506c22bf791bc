//! The test send of Settings → Outbound mail: one short plain message to one address,
//! through the site's transport in force and with its identity (bounce address, DKIM key,
//! own relay), and an answer that says what happened at which step of the SMTP session.
//!
//! It is recorded in the sent-mail audit (kind `test`), so it shows on the Sent page and
//! its bounce, if any, is matched by its VERP token like any of the site's mail. Against
//! abuse: one recipient, a suppressed address is refused, and each site may send
//! [`TESTS_PER_HOUR`] tests an hour, these and the notification editor's together
//! ([`test_mail::admit`](postroom_engine::outbound::test_mail::admit)).

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{
    EnvelopeSender, MailSender, OutboundEnvelope, SendError, SmtpStage,
};
use postroom_core::test_mail::{self, SUBJECT, TestMail};
use postroom_core::verp::VerpToken;
use postroom_engine::outbound::test_mail::{self as gate, TEST_KIND, TESTS_PER_HOUR};
use postroom_engine::outbound::{describe, facts_place, sent_mail_id, site_identity};
use postroom_mail::send::{OutboundSettings, SiteSenders};
use postroom_store::TenantStore;
use postroom_store::crypto::Keyring;
use postroom_store::outbound::{SentMail, SentStatus};

use crate::outbound::{InstanceTransport, OutboundSetup};

/// Why no test was sent.
#[derive(Debug, thiserror::Error)]
pub enum TestMailError {
    #[error("{0}")]
    BadAddress(String),
    #[error(
        "{0} is on the suppression list (earlier mail to it bounced): clear it on the \
         Suppressions page first"
    )]
    Suppressed(String),
    #[error(
        "{TESTS_PER_HOUR} test messages were sent in the last hour; try again in \
         {retry_after_secs} s"
    )]
    RateLimited { retry_after_secs: u64 },
    #[error(
        "the site has no address to send from: give its profile notifications.from (or an \
         acknowledgement From), or set a bounce address"
    )]
    NoFrom,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What became of a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The sent-mail record.
    pub id: String,
    /// `accepted`, `refused` (the server said no), `unreachable` (no session came about),
    /// `broken` (the session broke off), `misconfigured` (the settings cannot work) or
    /// `failed` (the local side failed).
    pub outcome: &'static str,
    /// Where: `connect`, `tls`, `login`, `sender`, `recipient`, `data`, `settings` or
    /// `local`; `None` when accepted.
    pub step: Option<&'static str>,
    /// The server's reply code, when it answered with one.
    pub code: Option<u16>,
    /// The server's reply (its final one when accepted; the file written for the file
    /// transport), or what went wrong.
    pub reply: String,
}

/// Sends the test to `to` for `tenant`, at `now_ms`.
pub async fn send(
    tenant: &TenantStore,
    keyring: &Keyring,
    setup: &OutboundSetup,
    to: &str,
    now_ms: i64,
) -> Result<TestOutcome, TestMailError> {
    let to = EmailAddress::parse(to.trim())
        .map_err(|e| TestMailError::BadAddress(format!("{to:?} is not one address: {e}")))?;
    let redactor = crate::keys::redactor(keyring);
    let hash = gate::admit(tenant, &redactor, &to, now_ms)
        .await
        .map_err(|e| match e {
            gate::TestMailError::Suppressed(address) => TestMailError::Suppressed(address),
            gate::TestMailError::RateLimited { retry_after_secs } => {
                TestMailError::RateLimited { retry_after_secs }
            }
            other => TestMailError::Internal(other.into()),
        })?;
    let cipher = keyring.cipher(tenant).await.map_err(anyhow::Error::from)?;
    let identity = site_identity(tenant, &cipher)
        .await
        .map_err(anyhow::Error::from)?;
    let from = from_address(tenant, identity.bounce.as_ref(), &setup.transport).await?;
    let id = sent_mail_id();
    let message_id = format!("test.{id}@{}", from.domain());
    let message = test_mail::compose(&TestMail {
        from: &from,
        to: &to,
        site: tenant.id().as_str(),
        message_id: &message_id,
        date_ms: now_ms,
    })
    .map_err(anyhow::Error::from)?;
    let facts = serde_json::json!({"to": to.as_str(), "subject": SUBJECT});
    let sealed = cipher
        .seal(&facts_place(&id), facts.to_string().as_bytes())
        .map_err(anyhow::Error::from)?;
    let mut tx = tenant.begin().await.map_err(anyhow::Error::from)?;
    tx.record_sent_mail(&SentMail {
        id: id.clone(),
        kind: TEST_KIND.to_owned(),
        issue_key: None,
        recipient_hash: hash,
        message_id_hash: redactor.message_id_key(&message_id),
        facts: sealed,
        status: SentStatus::Queued,
        detail: None,
        created_at_ms: now_ms,
        sent_at_ms: None,
    })
    .await
    .map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    let envelope = OutboundEnvelope {
        sender: EnvelopeSender::Verp(VerpToken::parse(&id).map_err(anyhow::Error::from)?),
        recipients: vec![to],
        identity,
    };
    let result = deliver(&setup.senders, &envelope, &message).await;
    let (status, detail, outcome) = match result {
        Ok(confirmation) => (
            SentStatus::Sent,
            None,
            TestOutcome {
                id: id.clone(),
                outcome: "accepted",
                step: None,
                code: confirmation
                    .split_whitespace()
                    .next()
                    .and_then(|c| c.parse().ok()),
                reply: confirmation,
            },
        ),
        Err(e) => (SentStatus::Failed, Some(describe(&e)), explain(&id, &e)),
    };
    let mut tx = tenant.begin().await.map_err(anyhow::Error::from)?;
    tx.finish_sent_mail(&id, status, detail.as_deref(), crate::app::now_ms())
        .await
        .map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    tracing::info!(tenant = %tenant.id(), sent = %id, outcome = outcome.outcome, step = outcome.step.unwrap_or(""), "test mail sent from Settings");
    Ok(outcome)
}

async fn deliver(
    senders: &SiteSenders,
    envelope: &OutboundEnvelope,
    message: &[u8],
) -> Result<String, SendError> {
    senders
        .send(envelope, message)
        .await
        .map(|receipt| receipt.confirmation)
}

/// Who the test is from: the address the site's notifications come from, else its
/// acknowledgement's, else the bounce address in force (the site's or the transport's).
async fn from_address(
    tenant: &TenantStore,
    site_bounce: Option<&EmailAddress>,
    transport: &InstanceTransport,
) -> Result<EmailAddress, TestMailError> {
    let profile = match tenant.profile().await.map_err(anyhow::Error::from)? {
        Some(stored) => crate::profiles::read(&stored.document, "stored").ok(),
        None => None,
    };
    let from_profile = profile.as_ref().and_then(|p| {
        p.notifications()
            .and_then(|n| n.from.clone())
            .or_else(|| p.acknowledgement().map(|a| a.from().clone()))
    });
    let instance_bounce = match transport {
        InstanceTransport::Configured(OutboundSettings::Smtp(s)) => s.bounce_address.clone(),
        InstanceTransport::Configured(OutboundSettings::File(f)) => Some(f.bounce_address.clone()),
        InstanceTransport::Sandbox(_) => {
            Some(postroom_mail::send::FileSettings::default().bounce_address)
        }
        InstanceTransport::None => None,
    }
    .and_then(|a| EmailAddress::parse(&a).ok());
    from_profile
        .or_else(|| site_bounce.cloned())
        .or(instance_bounce)
        .ok_or(TestMailError::NoFrom)
}

/// The answer for a failed send: the outcome and the step of the SMTP session it failed
/// at, with the server's code and text. The client library does not say whether a broken
/// connection broke in the TLS handshake, so a connect failure whose message is about TLS
/// or a certificate is named `tls`.
fn explain(id: &str, e: &SendError) -> TestOutcome {
    let answer = |outcome, step, code, reply: String| TestOutcome {
        id: id.to_owned(),
        outcome,
        step: Some(step),
        code,
        reply,
    };
    match e {
        SendError::Rejected { stage, reply } => answer(
            "refused",
            step_of(*stage),
            Some(reply.code),
            reply.text.clone(),
        ),
        SendError::Connection { stage, message, .. } => {
            let (outcome, step) = match stage {
                SmtpStage::Connect if about_tls(message) => ("unreachable", "tls"),
                SmtpStage::Connect => ("unreachable", "connect"),
                other => ("broken", step_of(*other)),
            };
            answer(outcome, step, None, message.clone())
        }
        SendError::Auth { message } => {
            let code = message.get(..3).and_then(|c| c.parse().ok());
            answer("refused", "login", code, message.clone())
        }
        SendError::Config(message) if about_tls(message) => {
            answer("misconfigured", "tls", None, message.clone())
        }
        SendError::Config(message) => answer("misconfigured", "settings", None, message.clone()),
        SendError::Local(message) => answer("failed", "local", None, message.clone()),
    }
}

fn step_of(stage: SmtpStage) -> &'static str {
    match stage {
        SmtpStage::Connect => "connect",
        SmtpStage::Auth => "login",
        SmtpStage::MailFrom => "sender",
        SmtpStage::RcptTo => "recipient",
        SmtpStage::Data => "data",
    }
}

fn about_tls(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    ["tls", "certificate", "handshake"]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use postroom_core::ports::mail_sender::SmtpReply;

    use super::*;

    #[test]
    fn each_failure_names_its_step() {
        let refused = SendError::Rejected {
            stage: SmtpStage::RcptTo,
            reply: SmtpReply {
                code: 550,
                text: "5.1.1 no such user".to_owned(),
            },
        };
        let o = explain("x", &refused);
        assert_eq!(
            (o.outcome, o.step, o.code),
            ("refused", Some("recipient"), Some(550))
        );
        let login = SendError::Auth {
            message: "535 5.7.8 bad credentials".to_owned(),
        };
        let o = explain("x", &login);
        assert_eq!((o.step, o.code), (Some("login"), Some(535)));
        let tls = SendError::Connection {
            stage: SmtpStage::Connect,
            message: "I/O error: invalid peer certificate: UnknownIssuer".to_owned(),
            outcome_unknown: false,
        };
        assert_eq!(explain("x", &tls).step, Some("tls"));
        let refused_connection = SendError::Connection {
            stage: SmtpStage::Connect,
            message: "I/O error: Connection refused (os error 111)".to_owned(),
            outcome_unknown: false,
        };
        let o = explain("x", &refused_connection);
        assert_eq!((o.outcome, o.step), ("unreachable", Some("connect")));
    }
}
