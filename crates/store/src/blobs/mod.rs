//! The blob store: large values (raw mail, sent MIME) on a local directory, in memory or on
//! an S3-compatible service, always encrypted with the owning tenant's data key.
//!
//! Every object key is `<tenant>/<kind prefix>/<name>`: the tenant comes first so that a
//! tenant's blobs can be listed and erased as one prefix, and the kind prefix is one the data
//! inventory declares ([`BlobKind`]).

mod config;
mod error;
mod tenant;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use object_store::ObjectStore;

pub use config::{BlobConfig, S3Config};
pub use error::BlobError;
pub use tenant::TenantBlobs;
pub(crate) use tenant::delete_prefix;

/// What a blob holds; its prefix is the second segment of the object key. Adding a kind
/// without declaring it in [`crate::inventory`] fails the inventory test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlobKind {
    /// A raw inbound e-mail kept for audit.
    InboundMail,
    /// The full MIME of a sent notification.
    SentMime,
    /// The raw mail of a test case (`postroom testcase`).
    TestCaseMail,
}

impl BlobKind {
    /// Every kind, for the inventory's drift test.
    pub const ALL: [BlobKind; 3] = [
        BlobKind::InboundMail,
        BlobKind::SentMime,
        BlobKind::TestCaseMail,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            BlobKind::InboundMail => "inbound",
            BlobKind::SentMime => "sent",
            BlobKind::TestCaseMail => "testcase",
        }
    }
}

/// The instance-wide blob store. Tenant blobs are reached only through [`TenantBlobs`].
#[derive(Debug, Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    description: String,
    /// S3-compatible servers want a Content-Type; the local backend refuses attributes.
    send_content_type: bool,
}

impl BlobStore {
    /// Opens the store a configuration names (creating a local directory when missing).
    pub fn open(config: &BlobConfig) -> Result<Self, BlobError> {
        let (inner, description) = config.build()?;
        Ok(Self {
            inner,
            description,
            send_content_type: matches!(config, BlobConfig::S3(_)),
        })
    }

    /// Where the blobs live, for logs (no credentials).
    pub fn description(&self) -> &str {
        &self.description
    }

    pub(crate) fn inner(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }

    pub(crate) fn send_content_type(&self) -> bool {
        self.send_content_type
    }

    /// The raw object store, for tests that tamper with or move stored ciphertexts.
    #[cfg(feature = "testing")]
    pub fn raw(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }
}
