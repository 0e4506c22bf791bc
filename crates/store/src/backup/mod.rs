//! Backups: a consistent, encrypted snapshot of the database and the blob store.
//!
//! A backup is a folder `<ID>/` at its target (a local directory or an S3 prefix) holding
//! `database` (the snapshot), `blobs` (every blob, as stored) and, written last,
//! `manifest.json`. Both data files are sealed frames ([`frames`]) under a key made for the
//! backup and wrapped by the instance's master key; the manifest holds that wrapped key and,
//! sealed, what the backup contains with each file's SHA-256. The master key and the key
//! vault are never part of a backup: a backup restores only beside them, and a tenant whose
//! data key was destroyed after the backup stays unreadable in it (crypto-shredding), since
//! its rows and blobs are sealed with that key inside the snapshot too.
//!
//! The database is taken first, then the blobs, so every blob the snapshot names is in the
//! backup (unless the retention purge removed it in between, in which case its row was due
//! to go as well); a blob written after the snapshot is carried along unnamed.

mod blobs;
mod create;
mod database;
mod error;
mod frames;
mod manifest;
mod pg_dump;
mod pg_export;
mod restore;
mod target;

pub use create::{CreateOptions, PgDumpUse, create};
pub use error::BackupError;
pub use manifest::{Contents, FileEntry, Method};
pub use restore::{Restored, restore};
pub use target::{BackupInfo, BackupTarget};

/// The format written into every manifest; a manifest of another format is refused.
pub const FORMAT: &str = "postroom-backup v1";

/// The file names inside a backup's folder.
pub(crate) const DATABASE_FILE: &str = "database";
pub(crate) const BLOBS_FILE: &str = "blobs";
pub(crate) const MANIFEST_FILE: &str = "manifest.json";

/// A backup's id: its creation time, `YYYYMMDDTHHMMSSZ` in UTC, so ids sort by age.
pub fn id_for(now_ms: i64) -> String {
    let seconds = u64::try_from(now_ms.div_euclid(1000)).unwrap_or(0);
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .replace(['-', ':'], "")
}

/// Whether `name` has the shape of an id [`id_for`] makes (so listing skips other folders).
pub(crate) fn looks_like_id(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && bytes[..8]
            .iter()
            .chain(&bytes[9..15])
            .all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_utc_times_that_sort_by_age() {
        assert_eq!(id_for(0), "19700101T000000Z");
        assert_eq!(id_for(1_796_302_800_999), "20261203T130000Z");
        assert!(id_for(1_000_000) < id_for(2_000_000));
        assert!(looks_like_id(&id_for(1_796_302_800_000)));
        for bad in ["", "latest", "20261211T130000", "2026121xT130000Z"] {
            assert!(!looks_like_id(bad), "{bad}");
        }
    }
}
