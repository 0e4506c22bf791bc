//! The key vault: each tenant's data key, wrapped by a master key, in a file of its own.
//!
//! The vault is a directory apart from the database on purpose. A copy of the database
//! holds only ciphertexts; once a tenant's file here is deleted, no copy of its rows or
//! blobs can be opened again, which is what makes erasure (crypto-shredding) real.
//!
//! File `<tenant>.key`: `postroom-tenant-key v1 <master key id> <hex of the wrapped key>`.

use std::io::Write;
use std::path::{Path, PathBuf};

use postroom_core::tenant::TenantId;

use super::CryptoError;
use super::master::{create_private_dir, private_file_options};

const MAGIC: &str = "postroom-tenant-key v1";

/// A wrapped data key as stored: which master key wraps it, and the sealed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WrappedKey {
    pub master_id: String,
    pub sealed: Vec<u8>,
}

/// The directory of wrapped tenant keys.
#[derive(Debug, Clone)]
pub struct KeyVault {
    dir: PathBuf,
}

impl KeyVault {
    /// A vault in `dir`; the directory is created (mode 0700) when the first key is written.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, tenant: &TenantId) -> PathBuf {
        self.dir.join(format!("{tenant}.key"))
    }

    pub(crate) fn read(&self, tenant: &TenantId) -> Result<Option<WrappedKey>, CryptoError> {
        let path = self.path(tenant);
        match std::fs::read_to_string(&path) {
            Ok(text) => parse(&text)
                .map(Some)
                .map_err(|message| CryptoError::VaultFormat {
                    path,
                    message: message.to_owned(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(CryptoError::Vault { path, source }),
        }
    }

    /// Writes the tenant's wrapped key. `replace` false refuses to overwrite (a key is made
    /// once); true swaps the file atomically (rotation), so a reader sees old or new, never
    /// half of one.
    pub(crate) fn write(
        &self,
        tenant: &TenantId,
        key: &WrappedKey,
        replace: bool,
    ) -> Result<(), CryptoError> {
        let path = self.path(tenant);
        let io = |source| CryptoError::Vault {
            path: self.path(tenant),
            source,
        };
        create_private_dir(&self.dir).map_err(io)?;
        let text = format!("{MAGIC} {} {}\n", key.master_id, hex::encode(&key.sealed));
        // The whole file is written under a private name first and only then put in place,
        // so a concurrent reader never sees an empty or half-written key: `rename` swaps
        // atomically (rotation), `hard_link` creates atomically and fails when the key
        // exists (first key; another process may be making it at the same moment).
        let staged = self.dir.join(format!(
            ".{tenant}.key.{}.{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let mut file = private_file_options().open(&staged).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        let placed = if replace {
            std::fs::rename(&staged, &path)
        } else {
            std::fs::hard_link(&staged, &path)
        };
        if !replace || placed.is_err() {
            let _ = std::fs::remove_file(&staged);
        }
        placed.map_err(io)
    }

    /// Destroys the tenant's wrapped key; true when there was one.
    pub(crate) fn destroy(&self, tenant: &TenantId) -> Result<bool, CryptoError> {
        match std::fs::remove_file(self.path(tenant)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(CryptoError::Vault {
                path: self.path(tenant),
                source,
            }),
        }
    }

    /// Every tenant with a key in the vault.
    pub(crate) fn tenants(&self) -> Result<Vec<TenantId>, CryptoError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(CryptoError::Vault {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let mut tenants = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| CryptoError::Vault {
                path: self.dir.clone(),
                source,
            })?;
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".key")) else {
                continue;
            };
            if let Ok(tenant) = TenantId::parse(stem) {
                tenants.push(tenant);
            }
        }
        tenants.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(tenants)
    }
}

fn parse(text: &str) -> Result<WrappedKey, &'static str> {
    let rest = text
        .trim()
        .strip_prefix(MAGIC)
        .ok_or("does not start with the vault header")?;
    let mut fields = rest.split_whitespace();
    let (Some(master_id), Some(sealed), None) = (fields.next(), fields.next(), fields.next())
    else {
        return Err("expected a master key id and a wrapped key");
    };
    let sealed = hex::decode(sealed).map_err(|_| "wrapped key is not hexadecimal")?;
    Ok(WrappedKey {
        master_id: master_id.to_owned(),
        sealed,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn write_read_replace_destroy() {
        let dir = tempfile::tempdir().unwrap();
        let vault = KeyVault::new(dir.path().join("keys"));
        let t = TenantId::parse("acme").unwrap();
        assert_eq!(vault.read(&t).unwrap(), None);
        let one = WrappedKey {
            master_id: "m1".into(),
            sealed: vec![1, 2, 3],
        };
        vault.write(&t, &one, false).unwrap();
        assert_eq!(vault.read(&t).unwrap(), Some(one.clone()));
        assert!(vault.write(&t, &one, false).is_err(), "a key is made once");
        let two = WrappedKey {
            master_id: "m2".into(),
            sealed: vec![4],
        };
        vault.write(&t, &two, true).unwrap();
        assert_eq!(vault.read(&t).unwrap(), Some(two));
        assert_eq!(vault.tenants().unwrap(), vec![t.clone()]);
        assert!(vault.destroy(&t).unwrap());
        assert!(!vault.destroy(&t).unwrap());
        assert_eq!(vault.read(&t).unwrap(), None);
    }

    #[test]
    fn malformed_files_are_reported_not_guessed() {
        for bad in [
            "",
            "hello",
            "postroom-tenant-key v1 m1",
            "postroom-tenant-key v1 m1 zz",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
