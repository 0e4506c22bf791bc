//! A test of a rule's templates that an administrator sends from the console: rendered as
//! the console's preview is, recorded as kind `test` in `sent_mail` and sent by the same
//! job as a notification (`outbound.notification`), so that it goes through the site's
//! real transport and shows in the audit of what was sent like any other mail.
//!
//! It must not become a way to send mail at will: one recipient per test, never a
//! suppressed one, and at most [`TESTS_PER_HOUR`] tests per site an hour, counted from
//! the records themselves so that every instance and restart counts the same. [`admit`]
//! is that gate, for these tests and for the plain test message of Settings alike: both
//! are kind `test` and share the cap.

use postroom_core::message::EmailAddress;
use postroom_core::notify::{NotificationFacts, Words};
use postroom_core::redact::Redactor;
use postroom_store::TenantStore;
use postroom_store::crypto::Keyring;
use postroom_store::outbound::{SentMail, SentStatus};
use postroom_store::queue::NewJob;

use super::{NOTIFICATION_JOB, facts_place, sent_mail_id};

/// `sent_mail.kind` of a test.
pub const TEST_KIND: &str = "test";

/// Most tests one site may send within an hour.
pub const TESTS_PER_HOUR: i64 = 10;

const HOUR_MS: i64 = 3_600_000;

/// The test to send: its words (already rendered) and who it is from and to.
#[derive(Debug, Clone)]
pub struct TestMail {
    pub to: EmailAddress,
    pub from: EmailAddress,
    pub from_name: Option<String>,
    pub reply_to: Option<EmailAddress>,
    pub words: Words,
    /// The issue the words were rendered for; `None` for the built-in example.
    pub issue_key: Option<String>,
    /// The key the words name (the example's own for the example).
    pub shown_key: String,
    /// `event.kind`.
    pub event: String,
}

/// Why a test was not queued.
#[derive(Debug, thiserror::Error)]
pub enum TestMailError {
    /// The recipient is on the site's suppression list.
    #[error(
        "{0} is on the suppression list (it bounced): postroom sends it nothing until an \
         administrator clears it"
    )]
    Suppressed(String),
    /// The site sent its allowance of tests this hour.
    #[error(
        "this site sent {TESTS_PER_HOUR} test mails within the last hour, the most it may; \
         try again in {} minutes", .retry_after_secs.div_ceil(60)
    )]
    RateLimited { retry_after_secs: u64 },
    #[error("storing the test: {0}")]
    Store(#[from] postroom_store::StoreError),
    #[error("sealing the test: {0}")]
    Crypto(#[from] postroom_store::crypto::CryptoError),
    #[error("queueing the test: {0}")]
    Queue(#[from] postroom_store::queue::QueueError),
    #[error("writing the test's record: {0}")]
    Json(#[from] serde_json::Error),
}

/// Whether a test to `to` may be sent now: not to a suppressed address, and not beyond
/// the site's [`TESTS_PER_HOUR`]. Returns the recipient's keyed hash, for its record.
pub async fn admit(
    tenant: &TenantStore,
    redactor: &Redactor,
    to: &EmailAddress,
    now_ms: i64,
) -> Result<String, TestMailError> {
    let recipient_hash = redactor.address(to).to_string();
    let suppressed = tenant
        .suppression(&recipient_hash)
        .await?
        .is_some_and(|s| s.suppressed);
    if suppressed {
        return Err(TestMailError::Suppressed(to.as_str().to_owned()));
    }
    let (sent, first) = tenant.sent_since(TEST_KIND, now_ms - HOUR_MS).await?;
    if sent >= TESTS_PER_HOUR {
        let wait_ms = u64::try_from(first.unwrap_or(now_ms) + HOUR_MS - now_ms)
            .unwrap_or(0)
            .max(1000);
        return Err(TestMailError::RateLimited {
            retry_after_secs: wait_ms.div_ceil(1000),
        });
    }
    Ok(recipient_hash)
}

/// Records `mail` as a queued test and queues its send job, in one transaction; returns
/// its `sent_mail` id (the id the audit shows it by).
pub async fn queue(
    tenant: &TenantStore,
    keyring: &Keyring,
    mail: TestMail,
    now_ms: i64,
) -> Result<String, TestMailError> {
    let redactor = Redactor::new(keyring.redaction_key());
    let recipient_hash = admit(tenant, &redactor, &mail.to, now_ms).await?;
    let id = sent_mail_id();
    let domain = mail.from.domain().to_owned();
    let facts = NotificationFacts {
        message_id: format!("t.{id}@{domain}"),
        to: mail.to.as_str().to_owned(),
        to_name: None,
        from: mail.from.as_str().to_owned(),
        from_name: mail.from_name,
        reply_to: mail.reply_to.map(|a| a.as_str().to_owned()),
        subject: mail.words.subject,
        text: mail.words.text,
        html: mail.words.html,
        // Nothing real to thread under: a test answers a root of its own.
        in_reply_to: format!("test.{id}@{domain}"),
        issue_key: mail.shown_key,
        event: mail.event,
        notes: vec!["a test of the notification templates, sent from the console".to_owned()],
        attachments: Vec::new(),
    };
    let cipher = keyring.cipher(tenant).await?;
    let row = SentMail {
        id: id.clone(),
        kind: TEST_KIND.to_owned(),
        issue_key: mail.issue_key,
        recipient_hash,
        message_id_hash: redactor.message_id_key(&facts.message_id),
        facts: cipher.seal(&facts_place(&id), &serde_json::to_vec(&facts)?)?,
        status: SentStatus::Queued,
        detail: None,
        created_at_ms: now_ms,
        sent_at_ms: None,
    };
    let mut tx = tenant.begin().await?;
    tx.record_sent_mail(&row).await?;
    tx.enqueue(
        &NewJob {
            kind: NOTIFICATION_JOB.to_owned(),
            payload: id.as_bytes().to_vec(),
            idempotency_key: format!("notification:{id}"),
            run_at_ms: now_ms,
        },
        now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
