//! The master key file and key rotation without downtime.

use std::path::{Path, PathBuf};

use super::{CryptoError, Keyring, MasterKey};

/// The master key file and the two files of a rotation beside it: `FILE.new` (the key a
/// rotation is moving to, present only while one runs or after one was interrupted) and
/// `FILE.previous` (the key before the last rotation, kept so nothing wrapped by it is
/// stranded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterKeyFile {
    path: PathBuf,
}

impl MasterKeyFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn next_path(&self) -> PathBuf {
        with_suffix(&self.path, ".new")
    }

    pub fn previous_path(&self) -> PathBuf {
        with_suffix(&self.path, ".previous")
    }

    pub(crate) fn describe(&self) -> String {
        self.path.display().to_string()
    }

    /// The keys of `FILE.new` and `FILE.previous` that exist.
    pub(crate) fn older_keys(&self) -> Result<Vec<MasterKey>, CryptoError> {
        let mut keys = Vec::new();
        for path in [self.next_path(), self.previous_path()] {
            match std::fs::read_to_string(&path) {
                Ok(text) => keys.push(MasterKey::from_hex(&text, &path.display().to_string())?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(CryptoError::Vault { path, source }),
            }
        }
        Ok(keys)
    }

    /// Moves to a new master key: makes `FILE.new` (or resumes with the one an interrupted
    /// rotation left), re-wraps every vault entry under it through `keyring`, then keeps the
    /// old key as `FILE.previous` and puts the new one in place. `FILE` exists at every
    /// instant, so a running instance rereading it never finds it missing.
    pub fn rotate(&self, keyring: &Keyring) -> Result<Rotation, CryptoError> {
        let next_path = self.next_path();
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| CryptoError::Vault { path, source }
        };
        let (next, resumed) = match std::fs::read_to_string(&next_path) {
            Ok(text) => (
                MasterKey::from_hex(&text, &next_path.display().to_string())?,
                true,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = MasterKey::generate();
                key.write_new(&next_path)?;
                (key, false)
            }
            Err(source) => {
                return Err(CryptoError::Vault {
                    path: next_path,
                    source,
                });
            }
        };
        let rewrapped = keyring.rotate(next.clone())?;
        let previous = self.previous_path();
        match std::fs::remove_file(&previous) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&previous)(e)),
            _ => {}
        }
        std::fs::hard_link(&self.path, &previous).map_err(io(&previous))?;
        std::fs::rename(&next_path, &self.path).map_err(io(&self.path))?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io(dir))?;
        }
        Ok(Rotation {
            new_id: next.id(),
            rewrapped,
            resumed,
        })
    }
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rotation {
    /// The id of the master key now in use.
    pub new_id: String,
    /// How many tenant keys were re-wrapped.
    pub rewrapped: usize,
    /// Whether an interrupted rotation's new key was picked up.
    pub resumed: bool,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub(crate) fn read_key_file(path: &Path) -> Result<String, CryptoError> {
    std::fs::read_to_string(path).map_err(|source| CryptoError::Vault {
        path: path.to_owned(),
        source,
    })
}
