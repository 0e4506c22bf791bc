//! The data inventory: every table, column, blob prefix and key file, declared once.
//!
//! What postroom stores, where, how it is protected and how long it is kept is written here
//! and nowhere else; `postroom data-inventory` prints it, tenant erasure walks it, and
//! [`drift`] compares it with the live schema so a migration that adds a table or column
//! without declaring it fails the test suite instead of quietly growing what we hold.

mod declarations;
mod drift;
mod erase;
mod render;

use serde::Serialize;

pub use declarations::{BLOBS, FILES, SENT, TABLES};
pub use drift::drift;
pub use erase::{EraseError, EraseReport, erase_tenant};
pub use render::{to_json, to_markdown};

use crate::blobs::BlobKind;

/// How a value is protected at rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// Not personal and not secret: ids, times, counters, settings.
    None,
    /// Sealed with the tenant's data key (AES-256-GCM, bound to tenant and place).
    Encrypted,
    /// Only a keyed hash (HMAC with the instance key) is stored.
    KeyedHash,
    /// Only a hash of a high-entropy secret is stored.
    Hash,
    /// Cut down before storing (an IP to its network).
    Truncated,
    /// A data key wrapped by a key-management service (AWS KMS): it opens only through that
    /// service, and no more once the key there is disabled.
    WrappedByKms,
    /// Kept in clear text because it is neither personal nor secret beyond the site's
    /// own configuration; the declaration's `holds` says what it is.
    Clear,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ColumnDecl {
    pub name: &'static str,
    pub holds: &'static str,
    pub protection: Protection,
}

/// One table: what it holds, its protection and how long rows are kept.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TableDecl {
    pub name: &'static str,
    pub what: &'static str,
    pub protection: &'static str,
    pub kept: &'static str,
    /// The column naming the owning tenant, when rows belong to one; erasure deletes by it.
    pub tenant_column: Option<&'static str>,
    pub columns: &'static [ColumnDecl],
}

/// One blob key prefix (`<tenant>/<prefix>/…`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BlobDecl {
    #[serde(skip)]
    pub kind: BlobKind,
    pub prefix: &'static str,
    pub what: &'static str,
    pub protection: &'static str,
    pub kept: &'static str,
}

/// Something postroom sends out of its own keeping (to the operator), with what it holds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SentDecl {
    pub to: &'static str,
    pub what: &'static str,
    pub protection: &'static str,
    pub kept: &'static str,
}

/// A file under `storage.data_dir` that is not the database or a blob.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FileDecl {
    pub path: &'static str,
    pub what: &'static str,
    pub protection: &'static str,
    pub kept: &'static str,
}
