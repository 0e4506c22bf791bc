//! Uploading a mail's files to an issue, each content once.
//!
//! A file whose content (SHA-256) is already on the issue is not uploaded again, and two
//! parts of one mail with the same content are uploaded once: customers re-send the same
//! PDF with every reply. Jira gives no hashes, so the issue's attachment list (which has
//! sizes) picks the candidates of the same size, and only those are downloaded and hashed.
//!
//! The same check makes a replay exactly-once: a file an earlier attempt uploaded has the
//! same content, size and name, and same-name candidates are hashed first, newest first.
//! The bound: at most [`MAX_HASHED_PER_FILE`] candidates are downloaded for one file (each
//! at most once per job), so a job downloads at most that many times its files' bytes.

use std::collections::HashMap;

use postroom_core::attachments::Kept;
use postroom_core::message::Message;
use postroom_core::ports::tracker::{Attachment, Tracker, TrackerError};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Failure;
use super::Report;

/// Same-size attachments of the issue downloaded and hashed for one file, at most.
pub(super) const MAX_HASHED_PER_FILE: usize = 3;

/// A file to upload.
pub(super) struct File {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
    /// The Content-ID of the mail part, which the HTML body shows by `cid:`.
    pub content_id: Option<String>,
}

impl File {
    /// A file postroom makes itself (the full text, the original mail).
    pub fn made(name: &str, content_type: &str, data: Vec<u8>) -> Self {
        Self {
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            data,
            content_id: None,
        }
    }
}

/// The parts the plan kept.
pub(super) fn parts(message: &Message, kept: &[Kept]) -> Vec<File> {
    kept.iter()
        .filter_map(|k| {
            let a = message.attachments.get(k.index)?;
            Some(File {
                name: k.name.clone(),
                content_type: a.content_type.clone(),
                data: a.data.clone(),
                content_id: a.content_id.clone(),
            })
        })
        .collect()
}

/// The attachment on the issue that holds each uploaded part, by Content-ID: what a body
/// shows in place.
#[derive(Debug, Default)]
pub(super) struct OnIssue {
    by_content_id: HashMap<String, Attachment>,
}

impl OnIssue {
    /// The attachment holding the part with this Content-ID.
    pub fn get(&self, content_id: &str) -> Option<&Attachment> {
        self.by_content_id.get(content_id)
    }
}

/// Where one job's uploads stand: the issue's attachments, those hashed, those sent.
struct Ledger {
    present: Vec<Attachment>,
    hashed: HashMap<String, [u8; 32]>,
    /// Per content handled: its hash, the mail's name for it, the attachment holding it.
    sent: Vec<([u8; 32], String, Attachment)>,
}

/// Uploads `files` to the issue, each content once. `fresh` says the issue was just
/// created by this attempt, so nothing can be on it yet and its list is not read. Jira
/// refusing one file (too big, a blocked type) is reported and the rest go on.
pub(super) async fn upload<T: Tracker>(
    tracker: &T,
    issue_key: &str,
    files: Vec<File>,
    fresh: bool,
    report: &mut Report,
) -> Result<OnIssue, Failure> {
    let mut on_issue = OnIssue::default();
    if files.is_empty() {
        return Ok(on_issue);
    }
    let mut ledger = Ledger {
        present: if fresh {
            Vec::new()
        } else {
            present(tracker, issue_key).await?
        },
        hashed: HashMap::new(),
        sent: Vec::new(),
    };
    for file in files {
        let digest: [u8; 32] = Sha256::digest(&file.data).into();
        let known = match ledger.sent.iter().find(|(d, _, _)| *d == digest) {
            Some((_, first, a)) => {
                report.lines.push(format!(
                    "attachment {:?}: not uploaded: same content as {first:?} of this mail",
                    file.name
                ));
                Some(a.clone())
            }
            None => match same_on_issue(tracker, &mut ledger, &file, digest).await? {
                Some(a) => {
                    report.lines.push(format!(
                        "attachment {:?}: not uploaded: the issue already has the same content as {:?}",
                        file.name, a.file_name
                    ));
                    ledger.sent.push((digest, file.name.clone(), a.clone()));
                    Some(a)
                }
                None => None,
            },
        };
        let held = match known {
            Some(a) => Some(a),
            None => match tracker
                .upload_attachment(issue_key, &file.name, &file.content_type, file.data)
                .await
            {
                Ok(a) => {
                    report
                        .lines
                        .push(format!("attachment {:?}: uploaded", file.name));
                    ledger.sent.push((digest, file.name.clone(), a.clone()));
                    Some(a)
                }
                Err(e) if e.is_transient() => return Err(e.into()),
                Err(e) => {
                    report
                        .lines
                        .push(format!("attachment {:?}: not uploaded: {e}", file.name));
                    None
                }
            },
        };
        if let (Some(cid), Some(a)) = (file.content_id, held) {
            on_issue.by_content_id.insert(cid, a);
        }
    }
    Ok(on_issue)
}

/// The attachment on the issue with the same content as `file`, if one of its
/// same-size candidates has it.
async fn same_on_issue<T: Tracker>(
    tracker: &T,
    ledger: &mut Ledger,
    file: &File,
    digest: [u8; 32],
) -> Result<Option<Attachment>, TrackerError> {
    let size = u64::try_from(file.data.len()).unwrap_or(u64::MAX);
    for candidate in candidates(&ledger.present, &file.name, size) {
        let hash = match ledger.hashed.get(&candidate.id) {
            Some(h) => *h,
            None => match tracker.download_attachment(&candidate.id).await {
                Ok(bytes) => {
                    let h: [u8; 32] = Sha256::digest(&bytes).into();
                    ledger.hashed.insert(candidate.id.clone(), h);
                    h
                }
                Err(e) if e.is_transient() => return Err(e),
                // Gone or unreadable since the list was read: not a match.
                Err(_) => continue,
            },
        };
        if hash == digest {
            return Ok(Some(candidate.clone()));
        }
    }
    Ok(None)
}

/// The attachments that may hold a file of `size` bytes named `name`, in the order they
/// are hashed (same name first, then newest first: where an earlier attempt's upload is),
/// at most [`MAX_HASHED_PER_FILE`].
fn candidates<'a>(present: &'a [Attachment], name: &str, size: u64) -> Vec<&'a Attachment> {
    let mut out: Vec<&Attachment> = present.iter().filter(|a| a.size == size).collect();
    out.sort_by_key(|a| {
        (
            a.file_name != name,
            std::cmp::Reverse(a.id.parse::<u64>().unwrap_or(0)),
        )
    });
    out.truncate(MAX_HASHED_PER_FILE);
    out
}

/// The issue's attachments, from its `attachment` field.
async fn present<T: Tracker>(tracker: &T, issue_key: &str) -> Result<Vec<Attachment>, Failure> {
    let issue = tracker.get_issue(issue_key, &["attachment"]).await?;
    Ok(issue
        .fields
        .get("attachment")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(listed).collect())
        .unwrap_or_default())
}

/// One entry of an issue's attachment list (its `id` is a string there, a number elsewhere).
fn listed(a: &Value) -> Option<Attachment> {
    let id = match a.get("id")? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(Attachment {
        id,
        file_name: a.get("filename")?.as_str()?.to_owned(),
        size: a.get("size")?.as_u64()?,
        mime_type: a
            .get("mimeType")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        content_url: a.get("content").and_then(Value::as_str).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn on_issue(id: &str, name: &str, size: u64) -> Attachment {
        Attachment {
            id: id.to_owned(),
            file_name: name.to_owned(),
            size,
            mime_type: String::new(),
            content_url: None,
        }
    }

    #[test]
    fn only_same_size_files_are_hashed_same_name_and_newest_first_and_few() {
        let present = [
            on_issue("1", "a.pdf", 10),
            on_issue("2", "other.pdf", 10),
            on_issue("3", "a.pdf", 99),
            on_issue("4", "a.pdf", 10),
            on_issue("5", "late.pdf", 10),
            on_issue("6", "last.pdf", 10),
        ];
        let ids: Vec<&str> = candidates(&present, "a.pdf", 10)
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, ["4", "1", "6"]);
        assert!(candidates(&present, "a.pdf", 11).is_empty());
        assert!(candidates(&[], "a.pdf", 10).is_empty());
    }

    #[test]
    fn list_entries_take_string_or_number_ids_and_skip_broken_ones() {
        let a = listed(&json!({"id": "10001", "filename": "a.pdf", "size": 5,
            "mimeType": "application/pdf", "content": "https://j/c/10001"}))
        .unwrap();
        assert_eq!(a.id, "10001");
        assert_eq!(a.content_url.as_deref(), Some("https://j/c/10001"));
        assert_eq!(
            listed(&json!({"id": 7, "filename": "b", "size": 1}))
                .unwrap()
                .id,
            "7"
        );
        assert!(listed(&json!({"id": "1", "filename": "c"})).is_none());
        assert!(listed(&json!({"filename": "c", "size": 1})).is_none());
    }
}
