//! A person's data: found, exported and erased, for the requests every help desk gets
//! sooner or later ("what do you hold about me — and delete it").
//!
//! postroom keeps addresses only sealed or as keyed hashes, so only postroom can answer.
//! A person is named by address (the mails they sent, the mail postroom sent them, their
//! suppression entry and rate counters, the thread-map entries of those mails) or by Jira
//! account id (an agent's canned-response use, templates, tokens and sessions). `deep`
//! also opens every stored raw mail, report, sent message and test case of the tenant and
//! takes those that name the address anywhere (a Cc, a quoted line): slower, since it
//! decrypts everything the tenant keeps.
//!
//! What postroom cannot erase itself — the Jira issues and comments the person's mail
//! became, and the e-mail field values naming them — is listed with issue keys
//! ([`jira`]); the e-mail field values can be cleared on request.

mod archive;
mod erase;
pub mod jira;
mod scan;

use std::collections::BTreeSet;

use postroom_core::message::EmailAddress;
use postroom_core::redact::Redactor;
use postroom_store::audit::AuditStatus;
use postroom_store::crypto::{CryptoError, TenantCipher};
use postroom_store::outbound::Suppression;
use postroom_store::people::{
    AgentRows, AuditRecord, PersonAction, PersonRequest, SentRecord, SubjectKind, ThreadEntry,
};
use postroom_store::{StoreError, TenantStore};
use serde::Serialize;

use crate::audit::SentItem;
use crate::inbound::open_report;
use crate::intake::{Intake, IntakeError};

pub use erase::Erased;
pub use jira::{FieldHit, JiraIssue, JiraPart};

/// Why a request about a person could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("name the person by exactly one of an address or a Jira account id")]
    NoSubject,
    #[error("{0:?} is not an e-mail address: {1}")]
    BadAddress(String, String),
    #[error("{0:?} is not a Jira account id (letters, digits, ':', '-' and '_', at most 128)")]
    BadAccount(String),
    #[error("cannot read the tenant's records: {0}")]
    Store(#[from] StoreError),
    #[error("cannot open the tenant's key: {0}")]
    Crypto(#[from] CryptoError),
    #[error("cannot read or delete the tenant's stored mail: {0}")]
    Intake(#[from] IntakeError),
    #[error("cannot write the archive: {0}")]
    Archive(#[from] std::io::Error),
}

/// Whom a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Address(EmailAddress),
    Account(String),
}

impl Subject {
    /// The person named by exactly one of `address` and `account_id`.
    pub fn parse(address: Option<&str>, account_id: Option<&str>) -> Result<Self, PeopleError> {
        match (address.map(str::trim), account_id.map(str::trim)) {
            (Some(text), None) => EmailAddress::parse(text)
                .map(Self::Address)
                .map_err(|e| PeopleError::BadAddress(text.to_owned(), e.to_string())),
            (None, Some(id)) => {
                let valid = !id.is_empty()
                    && id.len() <= 128
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'));
                if valid {
                    Ok(Self::Account(id.to_owned()))
                } else {
                    Err(PeopleError::BadAccount(id.to_owned()))
                }
            }
            _ => Err(PeopleError::NoSubject),
        }
    }

    pub fn kind(&self) -> SubjectKind {
        match self {
            Self::Address(_) => SubjectKind::Address,
            Self::Account(_) => SubjectKind::Account,
        }
    }
}

/// How a record was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// The sender or recipient, by the address's keyed hash.
    Address,
    /// The address appears in it somewhere (`deep`).
    Mentioned,
}

/// One message taken in that belongs to the person.
#[derive(Debug, Clone, Serialize)]
pub struct FoundMessage {
    pub id: String,
    pub found_by: FoundBy,
    pub received_at_ms: i64,
    pub mailbox: String,
    /// Where it stands in the audit (`created`, `commented`, `pending`…).
    pub status: String,
    pub issue_key: Option<String>,
    pub comment_id: Option<String>,
    /// The raw mail is still stored (it goes into the export).
    pub raw_kept: bool,
    /// The processing report, opened (it names the sender and the subject).
    pub report: Option<serde_json::Value>,
    #[serde(skip)]
    message_id: Option<String>,
}

/// One outbound message to (or, `deep`, naming) the person.
#[derive(Debug, Clone, Serialize)]
pub struct FoundSent {
    pub found_by: FoundBy,
    #[serde(flatten)]
    pub item: SentItem,
    #[serde(skip)]
    message_id_hash: String,
}

/// The person's suppression entry: why postroom stopped mailing them.
#[derive(Debug, Clone, Serialize)]
pub struct FoundSuppression {
    pub suppressed: bool,
    pub hard: bool,
    pub bounces: i64,
    pub withheld: i64,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
    pub first_at_ms: i64,
    pub last_at_ms: i64,
}

impl FoundSuppression {
    /// The entry `s` with its diagnostic opened; one that cannot be opened says so.
    pub fn open(cipher: &TenantCipher, s: &Suppression) -> Self {
        Self {
            suppressed: s.suppressed,
            hard: s.hard,
            bounces: s.failures,
            withheld: s.withheld,
            status: s.status.clone(),
            diagnostic: crate::outbound::open_diagnostic(cipher, s)
                .unwrap_or_else(|e| Some(format!("(unreadable: {e})"))),
            first_at_ms: s.first_at_ms,
            last_at_ms: s.last_at_ms,
        }
    }
}

/// A remembered lookup of the Jira account the person's address belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct FoundAccount {
    /// `user` (the one active Jira user with the address) or `customer` (the JSM customer
    /// account postroom made or found).
    pub kind: &'static str,
    /// The account id; `None` when the lookup found none.
    pub account_id: Option<String>,
    pub display_name: Option<String>,
    pub looked_up_at_ms: i64,
}

/// A test case whose mail names the person (`deep`).
#[derive(Debug, Clone, Serialize)]
pub struct FoundTestCase {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
}

/// Everything postroom holds about one person in one tenant.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub subject: SubjectKind,
    pub deep: bool,
    pub messages: Vec<FoundMessage>,
    pub sent: Vec<FoundSent>,
    pub suppression: Option<FoundSuppression>,
    /// Hourly rate counters of postroom's mail to them: (kind, last send).
    pub rate_counters: Vec<(String, i64)>,
    /// Remembered lookups of their Jira account.
    pub jira_accounts: Vec<FoundAccount>,
    pub thread_map: Vec<ThreadEntry>,
    pub test_cases: Vec<FoundTestCase>,
    /// An agent's rows, when named by account id.
    pub canned_responses: Option<AgentRows>,
    /// What postroom cannot erase itself, in Jira.
    pub jira: JiraPart,
    /// Stored mails that could not be opened (damaged, or sealed with a key that is gone),
    /// named so an administrator can look; they are not searched, exported or counted.
    pub unreadable: Vec<String>,
    #[serde(skip)]
    subject_value: Subject,
    #[serde(skip)]
    address_hash: Option<String>,
}

/// How many records of each kind, for summaries and the request's record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub messages: usize,
    pub raw_mails: usize,
    pub sent_mail: usize,
    pub sent_mime: usize,
    pub suppression: usize,
    pub rate_counters: usize,
    pub jira_accounts: usize,
    pub thread_map: usize,
    pub test_cases: usize,
    pub template_uses: usize,
    pub weekly_counts: usize,
    pub favourites: usize,
    pub templates: usize,
    pub api_tokens: usize,
    pub console_sessions: usize,
    pub profile_versions: usize,
    pub jira_issues: usize,
    pub jira_email_fields: usize,
}

impl Found {
    pub fn counts(&self) -> Counts {
        let agent = self.canned_responses.as_ref();
        let len = |f: fn(&AgentRows) -> usize| agent.map_or(0, f);
        Counts {
            messages: self.messages.len(),
            raw_mails: self.messages.iter().filter(|m| m.raw_kept).count(),
            sent_mail: self.sent.len(),
            sent_mime: self.sent.iter().filter(|s| s.item.mime_kept).count(),
            suppression: usize::from(self.suppression.is_some()),
            rate_counters: self.rate_counters.len(),
            jira_accounts: self.jira_accounts.len(),
            thread_map: self.thread_map.len(),
            test_cases: self.test_cases.len(),
            template_uses: len(|a| a.uses.len()),
            weekly_counts: len(|a| a.weekly.len()),
            favourites: len(|a| a.favourites.len()),
            templates: len(|a| a.templates.len()),
            api_tokens: len(|a| a.tokens.len()),
            console_sessions: len(|a| a.sessions.len()),
            profile_versions: len(|a| a.profile_versions.len()),
            jira_issues: self.jira.issues.len(),
            jira_email_fields: self.jira.email_fields.len(),
        }
    }

    /// The address the person was named by, if any.
    pub fn address(&self) -> Option<&EmailAddress> {
        match &self.subject_value {
            Subject::Address(a) => Some(a),
            Subject::Account(_) => None,
        }
    }

    /// Every issue key a record names: where the person's address may sit in an e-mail
    /// field.
    pub fn issue_keys(&self) -> BTreeSet<String> {
        let messages = self.messages.iter().filter_map(|m| m.issue_key.clone());
        let sent = self.sent.iter().filter_map(|s| s.item.issue_key.clone());
        let thread = self.thread_map.iter().map(|t| t.issue_key.clone());
        messages.chain(sent).chain(thread).collect()
    }
}

/// What postroom does not cover, said with every answer so nobody assumes more.
pub const NOT_COVERED: &[&str] = &[
    "Jira's own data: the issues and comments the person's mail became, their Jira or \
     customer account, and Jira's own notification mail (listed here with issue keys; only \
     the e-mail field values can be cleared by postroom)",
    "without deep: mail the person did not send (their address only in a Cc or quoted), \
     and mail taken in but not carried out yet",
    "jobs in the queue (sealed, kept minutes) and Jira webhook payloads waiting to be \
     processed (sealed, at most 7 days)",
    "copies outside postroom: backups made before an erase (they hold the data until they \
     age out), the operator's chat for feedback that included an address",
    "logs: postroom never logs an address, only its keyed hash",
];

/// Finds, exports and erases a person's data. Cheap to clone.
#[derive(Debug, Clone)]
pub struct People {
    intake: Intake,
    redactor: Redactor,
}

impl People {
    pub fn new(intake: Intake) -> Self {
        let redactor = Redactor::new(intake.keyring().redaction_key());
        Self { intake, redactor }
    }

    /// Everything the tenant holds about `subject`; `deep` also scans every stored mail.
    pub async fn find(
        &self,
        tenant: &TenantStore,
        subject: &Subject,
        deep: bool,
    ) -> Result<Found, PeopleError> {
        let cipher = self.intake.keyring().cipher(tenant).await?;
        let mut found = Found {
            subject: subject.kind(),
            deep,
            messages: Vec::new(),
            sent: Vec::new(),
            suppression: None,
            rate_counters: Vec::new(),
            jira_accounts: Vec::new(),
            thread_map: Vec::new(),
            test_cases: Vec::new(),
            canned_responses: None,
            jira: JiraPart::default(),
            unreadable: Vec::new(),
            subject_value: subject.clone(),
            address_hash: None,
        };
        match subject {
            Subject::Account(id) => {
                found.canned_responses = Some(tenant.rows_of_account(id).await?);
            }
            Subject::Address(address) => {
                let hash = self.redactor.address(address).to_string();
                let rows = tenant.rows_of_address(&hash).await?;
                for record in rows.messages {
                    let (message, _) = self
                        .message(
                            tenant,
                            &cipher,
                            record,
                            FoundBy::Address,
                            &mut found.unreadable,
                        )
                        .await?;
                    found.messages.push(message);
                }
                for record in rows.sent {
                    found.sent.push(sent(&cipher, record, FoundBy::Address));
                }
                found.suppression = rows
                    .suppression
                    .map(|s| FoundSuppression::open(&cipher, &s));
                found.rate_counters = rows.counters;
                for row in tenant.sender_accounts_of(&hash).await? {
                    found.jira_accounts.push(account(&cipher, &hash, &row));
                }
                found.address_hash = Some(hash);
                if deep {
                    scan::deep(self, tenant, &cipher, address, &mut found).await?;
                }
                let hashes = self.thread_hashes(&found);
                found.thread_map = tenant.thread_entries(&hashes).await?;
            }
        }
        found.jira = JiraPart::of(&found.messages);
        Ok(found)
    }

    /// Records that `action` was asked about a person, by whom, with `outcome` (counts):
    /// never whose data.
    pub async fn record(
        &self,
        tenant: &TenantStore,
        action: PersonAction,
        found: &Found,
        requested_by: &str,
        outcome: serde_json::Value,
        now_ms: i64,
    ) -> Result<String, PeopleError> {
        let id = crate::intake::new_id();
        tenant
            .record_person_request(&PersonRequest {
                id: id.clone(),
                action,
                subject: found.subject,
                deep: found.deep,
                requested_by: requested_by.to_owned(),
                requested_at_ms: now_ms,
                outcome,
            })
            .await?;
        tracing::info!(tenant = %tenant.id(), request = %id, action = action.as_str(), "person request answered");
        Ok(id)
    }

    /// The message of `record` as found, its report opened, with its raw mail when that
    /// is still stored and opens (one that does not is named in `unreadable`).
    async fn message(
        &self,
        tenant: &TenantStore,
        cipher: &TenantCipher,
        (entry, sealed): AuditRecord,
        found_by: FoundBy,
        unreadable: &mut Vec<String>,
    ) -> Result<(FoundMessage, Option<Vec<u8>>), PeopleError> {
        let id = entry.intake.id.clone();
        let report = sealed
            .map(|s| open_report(cipher, &id, &s))
            .transpose()
            .unwrap_or_else(|why| Some(serde_json::json!({ "unreadable": why })));
        let message_id = report
            .as_ref()
            .and_then(|r| r.get("message_id"))
            .and_then(|m| m.as_str())
            .map(str::to_owned);
        let raw = match entry.status() {
            AuditStatus::Refused => None,
            _ => scan::readable(
                self.intake.raw(tenant, &id).await,
                &format!("raw mail of message {id}"),
                unreadable,
            )?,
        };
        let result = entry.result.as_ref();
        let message = FoundMessage {
            status: entry.status().as_str().to_owned(),
            issue_key: result.and_then(|r| r.issue_key.clone()),
            comment_id: result.and_then(|r| r.comment_id.clone()),
            received_at_ms: entry.intake.received_at_ms,
            mailbox: entry.intake.mailbox,
            raw_kept: raw.is_some(),
            report,
            message_id,
            found_by,
            id,
        };
        Ok((message, raw))
    }

    /// The keyed hashes of the Message-IDs of the person's mails (theirs and postroom's to
    /// them), as the thread map keeps them.
    fn thread_hashes(&self, found: &Found) -> Vec<String> {
        let theirs = found
            .messages
            .iter()
            .filter_map(|m| m.message_id.as_deref())
            .map(|id| self.redactor.message_id_key(id));
        let ours = found.sent.iter().map(|s| s.message_id_hash.clone());
        theirs
            .chain(ours)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// An outbound message as found, its facts opened.
fn sent(cipher: &TenantCipher, (mail, mime_key): SentRecord, found_by: FoundBy) -> FoundSent {
    FoundSent {
        found_by,
        message_id_hash: mail.message_id_hash.clone(),
        item: crate::audit::sent::item(cipher, &mail, mime_key.is_some()),
    }
}

/// A remembered account lookup with its account opened; one that cannot be opened says so.
fn account(
    cipher: &TenantCipher,
    hash: &str,
    row: &postroom_store::sender_accounts::SenderAccount,
) -> FoundAccount {
    let (account_id, display_name) = match crate::inbound::users::open_account(cipher, hash, row) {
        Ok(Some(a)) => (Some(a.id), Some(a.name).filter(|n| !n.is_empty())),
        Ok(None) => (None, None),
        Err(e) => (Some(format!("(unreadable: {e})")), None),
    };
    FoundAccount {
        kind: row.kind.as_str(),
        account_id,
        display_name,
        looked_up_at_ms: row.looked_up_at_ms,
    }
}
