//! The export of a person's data: one tar archive with a JSON file per kind of record and
//! the stored mails themselves, decrypted — what the person asked for, readable with any
//! tar and any mail client.

use postroom_store::TenantStore;
use postroom_store::blobs::BlobKind;
use serde::Serialize;

use super::scan::readable;
use super::{Found, NOT_COVERED, People, PeopleError};

/// The archive's table of contents and counts (`summary.json`).
#[derive(Serialize)]
struct Summary<'a> {
    format: &'static str,
    tenant: &'a str,
    generated_at_ms: i64,
    subject: postroom_store::people::SubjectKind,
    deep: bool,
    counts: super::Counts,
    not_covered: &'static [&'static str],
    /// Stored mails that could not be opened, left out.
    unreadable: Vec<String>,
    files: Vec<String>,
}

/// Names the archive's format, so a reader can tell versions apart.
pub const EXPORT_FORMAT: &str = "postroom-person-export/1";

impl People {
    /// The archive of everything `found` holds, with each stored raw mail, sent message and
    /// test-case mail decrypted beside the JSON.
    pub async fn export(
        &self,
        tenant: &TenantStore,
        found: &Found,
        now_ms: i64,
    ) -> Result<Vec<u8>, PeopleError> {
        let files = &mut Vec::new();
        let mut unreadable = found.unreadable.clone();
        json(files, "messages.json", &found.messages)?;
        json(files, "sent_mail.json", &found.sent)?;
        json(files, "suppression.json", &found.suppression)?;
        json(files, "rate_counters.json", &found.rate_counters)?;
        json(files, "jira_accounts.json", &found.jira_accounts)?;
        json(files, "thread_map.json", &found.thread_map)?;
        json(files, "test_cases.json", &found.test_cases)?;
        json(files, "canned_responses.json", &found.canned_responses)?;
        json(files, "jira.json", &found.jira)?;
        for message in found.messages.iter().filter(|m| m.raw_kept) {
            let raw = self.intake.raw(tenant, &message.id).await;
            let what = format!("raw mail of message {}", message.id);
            if let Some(raw) = readable(raw, &what, &mut unreadable)? {
                files.push((format!("raw/{}.eml", message.id), raw));
            }
        }
        for sent in found.sent.iter().filter(|s| s.item.mime_kept) {
            let mime = self
                .intake
                .blob(tenant, BlobKind::SentMime, &sent.item.id)
                .await;
            let what = format!("MIME of sent message {}", sent.item.id);
            if let Some(mime) = readable(mime, &what, &mut unreadable)? {
                files.push((format!("sent/{}.eml", sent.item.id), mime));
            }
        }
        for case in &found.test_cases {
            let mail = self
                .intake
                .blob(tenant, BlobKind::TestCaseMail, &case.id)
                .await;
            let what = format!("mail of test case {}", case.id);
            if let Some(mail) = readable(mail, &what, &mut unreadable)? {
                files.push((format!("test_cases/{}.eml", case.id), mail));
            }
        }
        let summary = Summary {
            format: EXPORT_FORMAT,
            tenant: tenant.id().as_str(),
            generated_at_ms: now_ms,
            subject: found.subject,
            deep: found.deep,
            counts: found.counts(),
            not_covered: NOT_COVERED,
            unreadable,
            files: files.iter().map(|(name, _)| name.clone()).collect(),
        };
        let summary = serde_json::to_vec_pretty(&summary).map_err(std::io::Error::other)?;
        let mut tar = tar::Builder::new(Vec::new());
        let mtime = u64::try_from(now_ms / 1000).unwrap_or(0);
        let all = std::iter::once(("summary.json".to_owned(), summary)).chain(files.drain(..));
        for (name, bytes) in all {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o600);
            header.set_mtime(mtime);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, &name, bytes.as_slice())?;
        }
        Ok(tar.into_inner()?)
    }
}

/// Adds `value` as the pretty JSON file `name`.
fn json<T: Serialize>(
    files: &mut Vec<(String, Vec<u8>)>,
    name: &str,
    value: &T,
) -> Result<(), PeopleError> {
    let bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    files.push((name.to_owned(), bytes));
    Ok(())
}
