//! The deep search: every stored raw mail, report, sent message and test case of the
//! tenant is opened and taken when it names the address anywhere — the only way to find a
//! person who was merely in the Cc of someone else's mail, since only senders and
//! recipients are indexed by keyed hash.

use std::collections::BTreeSet;

use postroom_core::message::EmailAddress;
use postroom_store::TenantStore;
use postroom_store::blobs::{BlobError, BlobKind};
use postroom_store::crypto::TenantCipher;

use super::{Found, FoundBy, FoundTestCase, People, PeopleError, sent};
use crate::intake::IntakeError;

/// Adds to `found` every record of the tenant that names `address` and is not in it yet.
pub(super) async fn deep(
    people: &People,
    tenant: &TenantStore,
    cipher: &TenantCipher,
    address: &EmailAddress,
    found: &mut Found,
) -> Result<(), PeopleError> {
    let needle = address.as_str().to_ascii_lowercase();
    let mut known: BTreeSet<String> = found.messages.iter().map(|m| m.id.clone()).collect();
    let mut after = String::new();
    loop {
        let page = tenant.audit_records_after(&after).await?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after.clone_from(&last.intake.id);
        for record in page {
            if known.contains(&record.0.intake.id) {
                continue;
            }
            let (message, raw) = people
                .message(
                    tenant,
                    cipher,
                    record,
                    FoundBy::Mentioned,
                    &mut found.unreadable,
                )
                .await?;
            let in_report = message
                .report
                .as_ref()
                .is_some_and(|r| mentions(r.to_string().as_bytes(), &needle));
            if in_report || raw.is_some_and(|raw| mentions(&raw, &needle)) {
                known.insert(message.id.clone());
                found.messages.push(message);
            }
        }
    }
    let mut known: BTreeSet<String> = found.sent.iter().map(|s| s.item.id.clone()).collect();
    after.clear();
    loop {
        let page = tenant.sent_records_after(&after).await?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after.clone_from(&last.id);
        for record in page {
            if known.contains(&record.0.id) {
                continue;
            }
            let item = sent(cipher, record, FoundBy::Mentioned);
            let facts = serde_json::to_vec(&item.item).unwrap_or_default();
            let hit = mentions(&facts, &needle)
                || (item.item.mime_kept
                    && readable(
                        people
                            .intake
                            .blob(tenant, BlobKind::SentMime, &item.item.id)
                            .await,
                        &format!("MIME of sent message {}", item.item.id),
                        &mut found.unreadable,
                    )?
                    .is_some_and(|mime| mentions(&mime, &needle)));
            if hit {
                known.insert(item.item.id.clone());
                found.sent.push(item);
            }
        }
    }
    for case in tenant.test_cases().await? {
        let mail = readable(
            people
                .intake
                .blob(tenant, BlobKind::TestCaseMail, &case.id)
                .await,
            &format!("mail of test case {}", case.id),
            &mut found.unreadable,
        )?;
        if mail.is_some_and(|m| mentions(&m, &needle)) {
            found.test_cases.push(FoundTestCase {
                id: case.id,
                name: case.name,
                created_at_ms: case.created_at_ms,
            });
        }
    }
    found
        .messages
        .sort_by(|a, b| (a.received_at_ms, &a.id).cmp(&(b.received_at_ms, &b.id)));
    Ok(())
}

/// A blob that may not open: `None` then, and `what` noted in `unreadable` with why. A
/// damaged blob must not stop a person's request; a storage failure does (retry later).
pub(super) fn readable(
    blob: Result<Vec<u8>, IntakeError>,
    what: &str,
    unreadable: &mut Vec<String>,
) -> Result<Option<Vec<u8>>, PeopleError> {
    match blob {
        Err(IntakeError::Blob(BlobError::Crypto(e)) | IntakeError::Crypto(e)) => {
            unreadable.push(format!("{what}: {e}"));
            Ok(None)
        }
        other => optional(other),
    }
}

/// A blob that may have gone meanwhile (a purge): `None` then.
pub(super) fn optional(blob: Result<Vec<u8>, IntakeError>) -> Result<Option<Vec<u8>>, PeopleError> {
    match blob {
        Ok(bytes) => Ok(Some(bytes)),
        Err(IntakeError::Blob(BlobError::NotFound { .. })) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether `haystack` holds `needle` (a lower-case address) as a whole address: any case,
/// and not as the tail or head of a longer one (`ann@a.example` is not in
/// `joann@a.example` nor in `ann@a.example.org`). Only the `@`s of the haystack are looked
/// at (memchr finds them), so a deep search costs a pass over each mail, not a comparison
/// at every byte.
pub(crate) fn mentions(haystack: &[u8], needle: &str) -> bool {
    let Some((local, domain)) = needle.split_once('@') else {
        return false;
    };
    let (local, domain) = (local.as_bytes(), domain.as_bytes());
    if local.is_empty() || domain.is_empty() {
        return false;
    }
    let local_char = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b);
    let domain_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    memchr::memchr_iter(b'@', haystack).any(|at| {
        let (Some(start), end) = (at.checked_sub(local.len()), at + 1 + domain.len()) else {
            return false;
        };
        let (Some(before), Some(after)) = (haystack.get(start..at), haystack.get(at + 1..end))
        else {
            return false;
        };
        before.eq_ignore_ascii_case(local)
            && after.eq_ignore_ascii_case(domain)
            && !start
                .checked_sub(1)
                .is_some_and(|i| local_char(haystack[i]))
            && !haystack
                .get(end)
                .is_some_and(|&b| domain_char(b) && !(b == b'.' && ends_sentence(haystack, end)))
    })
}

/// A dot that ends a sentence (`write to ann@a.example.`), not one that continues the
/// domain: nothing address-like follows it.
fn ends_sentence(haystack: &[u8], dot: usize) -> bool {
    !haystack
        .get(dot + 1)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn an_address_is_found_whole_in_any_case() {
        let needle = "ann@a.example";
        assert!(mentions(b"Cc: Ann <ANN@A.Example>\r\n", needle));
        assert!(mentions(b"ann@a.example", needle));
        assert!(mentions(b"\"cc\":[\"ann@a.example\"]", needle));
        assert!(mentions(b"write to ann@a.example.", needle));
        assert!(mentions(b"mailto:ann@a.example?subject=x", needle));
    }

    #[test]
    fn a_longer_address_holding_it_is_not_a_mention() {
        let needle = "ann@a.example";
        assert!(!mentions(b"joann@a.example", needle));
        assert!(!mentions(b"j.ann@a.example", needle));
        assert!(!mentions(b"ann@a.example.org", needle));
        assert!(!mentions(b"ann@a.example-x.org", needle));
        assert!(!mentions(b"", needle));
        assert!(!mentions(b"ann@a.exampl", needle));
        assert!(!mentions(b"anything", ""));
    }
}
