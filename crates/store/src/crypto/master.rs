//! The instance master key: read from configuration, or generated once and kept in a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::CryptoError;
use super::aead::{KEY_LEN, random_key};

/// The key that wraps every tenant's data key. Its bytes never leave this type except to
/// wrap and unwrap; `Debug` shows only its id.
#[derive(Clone)]
pub struct MasterKey {
    bytes: [u8; KEY_LEN],
}

/// Where a master key came from, so `serve` can warn when it has just made one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterKeySource {
    /// Given as a value (an environment variable or the configuration).
    Value,
    /// Read from an existing file.
    File(PathBuf),
    /// Generated now and written to this file, which the operator must back up.
    Generated(PathBuf),
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id())
    }
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self {
            bytes: random_key(),
        }
    }

    /// Parses 64 hex digits (surrounding whitespace ignored); `origin` names where they came
    /// from in the error.
    pub fn from_hex(text: &str, origin: &str) -> Result<Self, CryptoError> {
        let invalid = |message: &str| CryptoError::MasterKey {
            origin: origin.to_owned(),
            message: message.to_owned(),
        };
        let raw = hex::decode(text.trim()).map_err(|_| invalid("is not hexadecimal"))?;
        let bytes: [u8; KEY_LEN] = raw
            .try_into()
            .map_err(|_| invalid("must be 64 hex digits (32 bytes)"))?;
        Ok(Self { bytes })
    }

    /// Reads the key file at `path`, or, when it does not exist, generates a key and writes
    /// it there with mode 0600 (its directory is created with mode 0700).
    pub fn load_or_create(path: &Path) -> Result<(Self, MasterKeySource), CryptoError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok((
                Self::from_hex(&text, &path.display().to_string())?,
                MasterKeySource::File(path.to_owned()),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                key.write_new(path)?;
                Ok((key, MasterKeySource::Generated(path.to_owned())))
            }
            Err(source) => Err(CryptoError::Vault {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes the key as hex to a file that must not exist yet, readable by the owner only.
    pub fn write_new(&self, path: &Path) -> Result<(), CryptoError> {
        let io = |source| CryptoError::Vault {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(io)?;
        }
        let mut file = private_file_options().open(path).map_err(io)?;
        file.write_all(format!("{}\n", hex::encode(self.bytes)).as_bytes())
            .map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// A short public fingerprint (first 8 bytes of SHA-256, hex) naming this key in the
    /// vault, so a wrapped key says which master key opens it.
    pub fn id(&self) -> String {
        let digest = Sha256::digest(self.bytes);
        hex::encode(&digest[..8])
    }

    /// The instance key for keyed hashes in logs, derived so it needs no file of its own
    /// and is never equal to the master key itself.
    pub fn redaction_key(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"postroom redaction key v1");
        hasher.update(self.bytes);
        hasher.finalize().into()
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }
}

pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options for a new file readable and writable by its owner only.
pub(crate) fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_is_written_0600_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/master.key");
        let (made, source) = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(source, MasterKeySource::Generated(path.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (read, source) = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(source, MasterKeySource::File(path));
        assert_eq!(made.bytes(), read.bytes());
    }

    #[test]
    fn malformed_hex_is_refused_with_its_origin() {
        for bad in ["", "zz", "abcd", &"a".repeat(66)] {
            let err = MasterKey::from_hex(bad, "POSTROOM_KEYS__MASTER_KEY").unwrap_err();
            assert!(
                err.to_string().contains("POSTROOM_KEYS__MASTER_KEY"),
                "{err}"
            );
        }
        assert!(MasterKey::from_hex(&"ab".repeat(32), "x").is_ok());
    }

    #[test]
    fn debug_and_id_do_not_show_the_key() {
        let key = MasterKey::from_hex(&"ab".repeat(32), "x").unwrap();
        assert!(!format!("{key:?}").contains("abab"));
        assert_ne!(key.redaction_key(), *key.bytes());
    }
}
