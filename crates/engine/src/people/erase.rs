//! Erasing what was found: blobs first, then rows in one transaction, so a failure halfway
//! leaves rows that finding the person again finds, and a rerun finishes the job.

use postroom_store::TenantStore;
use postroom_store::blobs::BlobKind;
use postroom_store::people::{AgentErased, PersonErase, PersonErased, SuppressionChoice};
use serde::Serialize;

use super::{Found, People, PeopleError, Subject};

/// What an erase removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    /// Raw mails, sent messages' MIME and test-case mails deleted from the blob store.
    pub blobs: usize,
    pub rows: PersonErased,
    pub test_cases: usize,
    /// An agent's rows, when named by account id.
    pub agent: Option<AgentErased>,
}

impl People {
    /// Deletes everything `found` holds. With [`SuppressionChoice::KeepMarker`], a
    /// suppressed address keeps a marker of its keyed hash so postroom does not start
    /// mailing a bouncing address again.
    pub async fn erase(
        &self,
        tenant: &TenantStore,
        found: &Found,
        suppression: SuppressionChoice,
    ) -> Result<Erased, PeopleError> {
        let mut erased = Erased::default();
        let raw: Vec<String> = found
            .messages
            .iter()
            .filter(|m| m.raw_kept)
            .map(|m| m.id.clone())
            .collect();
        let mime: Vec<String> = found
            .sent
            .iter()
            .filter(|s| s.item.mime_kept)
            .map(|s| s.item.id.clone())
            .collect();
        self.intake.discard_raw(tenant, &raw).await?;
        self.intake
            .discard(tenant, BlobKind::SentMime, &mime)
            .await?;
        erased.blobs = raw.len() + mime.len();
        for case in &found.test_cases {
            let cases = [case.id.clone()];
            self.intake
                .discard(tenant, BlobKind::TestCaseMail, &cases)
                .await?;
            if tenant.delete_test_case(&case.id).await? {
                erased.test_cases += 1;
            }
            erased.blobs += 1;
        }
        erased.rows = tenant
            .erase_person(&PersonErase {
                intake_ids: found.messages.iter().map(|m| m.id.clone()).collect(),
                sent_ids: found.sent.iter().map(|s| s.item.id.clone()).collect(),
                thread_hashes: found.thread_map.iter().map(|t| t.id_hash.clone()).collect(),
                address_hash: found.address_hash.clone(),
                suppression,
            })
            .await?;
        if let Subject::Account(id) = &found.subject_value {
            erased.agent = Some(tenant.erase_account(id).await?);
        }
        tracing::warn!(
            tenant = %tenant.id(),
            blobs = erased.blobs,
            messages = erased.rows.intake,
            sent = erased.rows.sent_mail,
            "a person's data erased"
        );
        Ok(erased)
    }
}
