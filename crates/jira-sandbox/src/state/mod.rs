//! The site's state behind a lock, with optional persistence to a JSON file.

pub mod model;
pub mod seed;
pub mod site;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use site::Site;

use crate::error::SandboxError;

/// Shared, lockable site state; writes are persisted when a state file is configured.
#[derive(Debug)]
pub struct Store {
    site: RwLock<Site>,
    path: Option<PathBuf>,
    /// Held from the snapshot to the rename, so that concurrent writes reach the file one
    /// at a time and in the order of their snapshots: an older snapshot can never replace
    /// a newer one, nor two writers share a half-written temp file.
    persisting: Mutex<()>,
}

impl Store {
    /// A store over the given site, persisted to `path` after every write if set.
    pub fn new(site: Site, path: Option<PathBuf>) -> Self {
        Self {
            site: RwLock::new(site),
            path,
            persisting: Mutex::new(()),
        }
    }

    /// Loads the site from `path` if the file exists, else seeds a new site.
    pub fn open(path: &Path) -> Result<Site, SandboxError> {
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| SandboxError::StateFormat {
                    path: shown,
                    source,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(seed::seed()),
            Err(source) => Err(SandboxError::StateIo {
                path: shown,
                source,
            }),
        }
    }

    /// Read access; a poisoned lock is recovered since the site has no invariants a
    /// panicking reader could break.
    pub fn read(&self) -> RwLockReadGuard<'_, Site> {
        self.site
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Write access.
    pub fn write(&self) -> RwLockWriteGuard<'_, Site> {
        self.site
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes the state file (temp file + rename, so a crash never leaves half a file).
    /// Called after each committed write; a failure is logged, not returned, because the
    /// HTTP write it follows has already happened.
    pub fn persist(&self) {
        let Some(path) = &self.path else { return };
        // Poisoned only if a writer panicked; the file is still whole (rename is atomic).
        let _turn = self
            .persisting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let json = match serde_json::to_vec(&*self.read()) {
            Ok(json) => json,
            Err(e) => {
                tracing::error!(error = %e, "cannot serialise sandbox state");
                return;
            }
        };
        if let Err(e) = write_atomically(path, &json) {
            tracing::error!(path = %path.display(), error = %e, "cannot write sandbox state");
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Per process, so that a second process on the same file cannot rename our half.
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_seeds_and_written_state_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/sandbox.json");
        let site = Store::open(&path).unwrap();
        let store = Store::new(site, Some(path.clone()));
        store.write().indexed_properties.push("postroom".into());
        store.persist();
        let reloaded = Store::open(&path).unwrap();
        assert_eq!(reloaded.indexed_properties, vec!["postroom".to_owned()]);
    }

    #[test]
    fn concurrent_writes_leave_the_newest_state_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox.json");
        let store = Store::new(Store::open(&path).unwrap(), Some(path.clone()));
        std::thread::scope(|scope| {
            for n in 0..8 {
                let store = &store;
                scope.spawn(move || {
                    for i in 0..20 {
                        store.write().indexed_properties.push(format!("p{n}-{i}"));
                        store.persist();
                    }
                });
            }
        });
        let on_disk = Store::open(&path).unwrap();
        assert_eq!(on_disk.indexed_properties.len(), 160);
        assert_eq!(on_disk.indexed_properties, store.read().indexed_properties);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp file is left behind");
    }

    #[test]
    fn corrupt_file_is_an_error_not_a_fresh_site() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            Store::open(&path),
            Err(SandboxError::StateFormat { .. })
        ));
    }
}
