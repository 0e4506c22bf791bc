//! Test cases kept for a tenant: each one a real mail (a sealed blob) and the plan it is
//! expected to produce (a sealed column), so that `postroom testcase run` can replay the
//! site's own mail against a candidate profile. Computing plans is the caller's business
//! (the dry-run path); this module keeps the mail and the expectation, always encrypted.

use postroom_core::message::ParseLimits;
use postroom_core::profile::CheckedProfile;
use postroom_core::testcase::{Change, Snapshot};
use postroom_store::blobs::{BlobError, BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{CryptoError, Keyring, Place, TenantCipher};
use postroom_store::testcases::TestCaseRecord;
use postroom_store::{StoreError, TenantStore};

use crate::intake::new_id;

/// Why a test case could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum TestCaseError {
    #[error("no test case {0:?} (see `postroom testcase list`)")]
    NotFound(String),
    #[error("the expected plan of test case {id} cannot be read: {why}")]
    Expected { id: String, why: String },
    #[error("cannot read or write test cases: {0}")]
    Store(#[from] StoreError),
    #[error("cannot read or write a test case's mail: {0}")]
    Blob(#[from] BlobError),
    #[error("cannot open the tenant's key: {0}")]
    Crypto(#[from] CryptoError),
    #[error("the mail of test case {id} cannot be read: {why}")]
    Unreadable { id: String, why: String },
}

/// One case replayed against a profile: the plan it gives now and every field in which
/// that differs from the expected plan (none: unchanged).
#[derive(Debug, Clone)]
pub struct Replayed {
    pub case: TestCase,
    pub actual: Snapshot,
    pub changes: Vec<Change>,
}

/// One test case, opened.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub id: String,
    pub name: String,
    pub expected: Snapshot,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// The test cases of any tenant. Cheap to clone.
#[derive(Debug, Clone)]
pub struct TestCases {
    keyring: Keyring,
    blobs: BlobStore,
}

impl TestCases {
    pub fn new(keyring: Keyring, blobs: BlobStore) -> Self {
        Self { keyring, blobs }
    }

    /// Stores `raw` and its `expected` plan as a new test case; returns its id.
    pub async fn add(
        &self,
        tenant: &TenantStore,
        name: &str,
        raw: &[u8],
        expected: &Snapshot,
        now_ms: i64,
    ) -> Result<String, TestCaseError> {
        let cipher = self.keyring.cipher(tenant).await?;
        let id = new_id();
        let blobs = TenantBlobs::new(self.blobs.clone(), cipher.clone());
        blobs.put(BlobKind::TestCaseMail, &id, raw).await?;
        let record = TestCaseRecord {
            id: id.clone(),
            name: name.to_owned(),
            expected: seal(&cipher, &id, expected)?,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        };
        if let Err(e) = tenant.insert_test_case(&record).await {
            // Without its row the blob is unreachable: do not leave it behind, but report
            // the error that stopped the insert, not the clean-up's.
            if let Err(cleanup) = blobs.delete(BlobKind::TestCaseMail, &id).await {
                tracing::warn!(test_case = %id, error = %cleanup, "cannot delete an unused test-case blob");
            }
            return Err(e.into());
        }
        Ok(id)
    }

    /// Every test case of the tenant, oldest first, opened.
    pub async fn list(&self, tenant: &TenantStore) -> Result<Vec<TestCase>, TestCaseError> {
        let records = tenant.test_cases().await?;
        if records.is_empty() {
            // Nothing to open: no need to open (or make) the tenant's key.
            return Ok(Vec::new());
        }
        let cipher = self.keyring.cipher(tenant).await?;
        records.into_iter().map(|r| open(&cipher, r)).collect()
    }

    /// Test case `id`, opened.
    pub async fn get(&self, tenant: &TenantStore, id: &str) -> Result<TestCase, TestCaseError> {
        let record = tenant
            .test_case(id)
            .await?
            .ok_or_else(|| TestCaseError::NotFound(id.to_owned()))?;
        open(&self.keyring.cipher(tenant).await?, record)
    }

    /// The mail of test case `id`, decrypted.
    pub async fn raw(&self, tenant: &TenantStore, id: &str) -> Result<Vec<u8>, TestCaseError> {
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant).await?);
        Ok(blobs.get(BlobKind::TestCaseMail, id).await?)
    }

    /// Makes `expected` the plan test case `id` is expected to produce from now on.
    pub async fn accept(
        &self,
        tenant: &TenantStore,
        id: &str,
        expected: &Snapshot,
        now_ms: i64,
    ) -> Result<(), TestCaseError> {
        let sealed = seal(&self.keyring.cipher(tenant).await?, id, expected)?;
        if tenant.set_test_case_expected(id, &sealed, now_ms).await? {
            Ok(())
        } else {
            Err(TestCaseError::NotFound(id.to_owned()))
        }
    }

    /// Replays the cases `ids` (every case, oldest first, when `None`) against `profile`
    /// through the dry-run path: what `postroom testcase run` and `accept` and the API's
    /// run and accept do. Every id is looked up before any is replayed, so a typo answers
    /// [`TestCaseError::NotFound`] and replays nothing.
    pub async fn replay(
        &self,
        tenant: &TenantStore,
        ids: Option<&[String]>,
        profile: &CheckedProfile,
        limits: &ParseLimits,
    ) -> Result<Vec<Replayed>, TestCaseError> {
        let cases = match ids {
            None => self.list(tenant).await?,
            Some(ids) => {
                let mut cases = Vec::with_capacity(ids.len());
                for id in ids {
                    cases.push(self.get(tenant, id).await?);
                }
                cases
            }
        };
        let mut replayed = Vec::with_capacity(cases.len());
        for case in cases {
            let raw = self.raw(tenant, &case.id).await?;
            let actual =
                Snapshot::replay(&raw, limits, profile).map_err(|e| TestCaseError::Unreadable {
                    id: case.id.clone(),
                    why: e.to_string(),
                })?;
            let changes = case.expected.diff(&actual);
            replayed.push(Replayed {
                case,
                actual,
                changes,
            });
        }
        Ok(replayed)
    }

    /// Deletes test case `id`: its row, then its mail.
    pub async fn remove(&self, tenant: &TenantStore, id: &str) -> Result<(), TestCaseError> {
        if !tenant.delete_test_case(id).await? {
            return Err(TestCaseError::NotFound(id.to_owned()));
        }
        let blobs = TenantBlobs::new(self.blobs.clone(), self.keyring.cipher(tenant).await?);
        blobs.delete(BlobKind::TestCaseMail, id).await?;
        Ok(())
    }
}

fn place(id: &str) -> Place {
    Place::column("test_cases", "expected", id.to_owned())
}

fn seal(cipher: &TenantCipher, id: &str, expected: &Snapshot) -> Result<Vec<u8>, TestCaseError> {
    let json = serde_json::to_vec(expected).map_err(|e| TestCaseError::Expected {
        id: id.to_owned(),
        why: e.to_string(),
    })?;
    Ok(cipher.seal(&place(id), &json)?)
}

fn open(cipher: &TenantCipher, record: TestCaseRecord) -> Result<TestCase, TestCaseError> {
    let bad = |why: String| TestCaseError::Expected {
        id: record.id.clone(),
        why,
    };
    let json = cipher
        .open(&place(&record.id), &record.expected)
        .map_err(|e| bad(e.to_string()))?;
    let expected = serde_json::from_slice(&json).map_err(|e| bad(e.to_string()))?;
    Ok(TestCase {
        id: record.id,
        name: record.name,
        expected,
        created_at_ms: record.created_at_ms,
        updated_at_ms: record.updated_at_ms,
    })
}
