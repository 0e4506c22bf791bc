//! The keyring: master keys in memory, tenant data keys in the vault, unwrapped on demand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use postroom_core::tenant::TenantId;

use super::aead::{self, KEY_LEN, random_key};
use super::rotation::{MasterKeyFile, read_key_file};
use super::vault::WrappedKey;
use super::{CryptoError, KeyVault, MasterKey, MasterKeySource, TenantCipher};
use crate::TenantStore;

/// Holds the current master key (which wraps every new or rotated data key), older ones
/// (so keys not yet re-wrapped keep opening during a rotation), and a cache of unwrapped
/// data keys.
///
/// A keyring made [`Keyring::from_file`] follows rotations done by another process (`keys
/// rotate` beside a running `serve`): when a vault entry names a master key it does not
/// hold, it rereads the key files and tries again, so a rotation needs no restart.
#[derive(Debug, Clone)]
pub struct Keyring {
    vault: KeyVault,
    masters: Arc<RwLock<Masters>>,
    file: Option<MasterKeyFile>,
    cache: Arc<Mutex<HashMap<TenantId, TenantCipher>>>,
}

#[derive(Debug)]
struct Masters {
    current: MasterKey,
    older: Vec<MasterKey>,
}

impl Keyring {
    pub fn new(vault: KeyVault, current: MasterKey, previous: Option<MasterKey>) -> Self {
        Self {
            vault,
            masters: Arc::new(RwLock::new(Masters {
                current,
                older: previous.into_iter().collect(),
            })),
            file: None,
            cache: Arc::default(),
        }
    }

    /// A keyring whose master key lives in `file` (generated there when missing) and which
    /// rereads that file, and the files of a rotation beside it, when it meets a vault entry
    /// wrapped by a master key it does not hold.
    pub fn from_file(
        vault: KeyVault,
        file: MasterKeyFile,
    ) -> Result<(Self, MasterKeySource), CryptoError> {
        let (current, source) = MasterKey::load_or_create(file.path())?;
        let older = file.older_keys()?;
        let keyring = Self {
            vault,
            masters: Arc::new(RwLock::new(Masters { current, older })),
            file: Some(file),
            cache: Arc::default(),
        };
        Ok((keyring, source))
    }

    pub fn vault(&self) -> &KeyVault {
        &self.vault
    }

    /// The id of the master key new data keys are wrapped with.
    pub fn current_id(&self) -> String {
        self.read_masters().current.id()
    }

    /// The instance key for keyed hashes in logs (see `postroom_core::redact`), derived
    /// from the current master key; it changes when the master key is rotated.
    pub fn redaction_key(&self) -> [u8; 32] {
        self.read_masters().current.redaction_key()
    }

    /// The cipher of the tenant behind `tenant`, creating its data key on first use.
    pub fn cipher(&self, tenant: &TenantStore) -> Result<TenantCipher, CryptoError> {
        let id = tenant.id();
        if let Some(cipher) = self.cached(id) {
            return Ok(cipher);
        }
        let cipher = match self.vault.read(id)? {
            Some(wrapped) => TenantCipher::new(id.clone(), self.unwrap_key(id, &wrapped)?),
            None => {
                // A new key is wrapped by the newest master key on disk, not a stale one.
                self.reload()?;
                let key = random_key();
                match self.vault.write(id, &self.wrap(id, &key)?, false) {
                    Ok(()) => TenantCipher::new(id.clone(), key),
                    // Another process or task made the key first: use theirs.
                    Err(CryptoError::Vault { source, .. })
                        if source.kind() == std::io::ErrorKind::AlreadyExists =>
                    {
                        self.existing_cipher(id)?
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        self.remember(cipher.clone());
        Ok(cipher)
    }

    /// The cipher of a tenant whose key must already exist; [`CryptoError::NoKey`] after
    /// the tenant was erased. Used to prove that erased data stays unreadable.
    pub fn existing_cipher(&self, tenant: &TenantId) -> Result<TenantCipher, CryptoError> {
        match self.vault.read(tenant)? {
            Some(wrapped) => Ok(TenantCipher::new(
                tenant.clone(),
                self.unwrap_key(tenant, &wrapped)?,
            )),
            None => Err(CryptoError::NoKey(tenant.clone())),
        }
    }

    /// Destroys the tenant's data key (crypto-shredding); true when there was one.
    pub fn shred(&self, tenant: &TenantId) -> Result<bool, CryptoError> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(tenant);
        self.vault.destroy(tenant)
    }

    /// Re-wraps every data key not yet under `new`, one vault file at a time (each swap is
    /// atomic, and this keyring opens entries under old and new alike). Passes repeat until
    /// one finds nothing left, so a key made by another process meanwhile is not missed.
    /// Afterwards `new` is this keyring's current key. Returns how many keys were re-wrapped.
    pub fn rotate(&self, new: MasterKey) -> Result<usize, CryptoError> {
        let new_id = new.id();
        {
            let mut masters = self.write_masters();
            if masters.current.id() != new_id {
                let old = std::mem::replace(&mut masters.current, new);
                masters.older.retain(|m| m.id() != new_id);
                masters.older.insert(0, old);
            }
        }
        let mut count = 0;
        loop {
            let mut changed = 0;
            for tenant in self.vault.tenants()? {
                let Some(wrapped) = self.vault.read(&tenant)? else {
                    continue;
                };
                if wrapped.master_id == new_id {
                    continue;
                }
                let key = self.unwrap_key(&tenant, &wrapped)?;
                self.vault
                    .write(&tenant, &self.wrap(&tenant, &key)?, true)?;
                changed += 1;
            }
            count += changed;
            if changed == 0 {
                return Ok(count);
            }
        }
    }

    /// Re-wraps every data key not yet under the current master key: the rotation for a
    /// master key given as a value, where the operator has already swapped the values.
    pub fn rotate_to_current(&self) -> Result<usize, CryptoError> {
        let current = self.read_masters().current.clone();
        self.rotate(current)
    }

    /// Wraps a backup's own data key under the current master key, bound to the backup's
    /// id: a backup opens only where this master key (or a successor that still holds it as
    /// previous) is loaded, and never under another backup's id. Returns the master key id
    /// and the wrapped bytes.
    pub(crate) fn wrap_backup_key(
        &self,
        backup: &str,
        key: &[u8; KEY_LEN],
    ) -> Result<(String, Vec<u8>), CryptoError> {
        let current = self.read_masters().current.clone();
        let sealed = aead::seal(current.bytes(), &backup_aad(backup), key)
            .map_err(|_| backup_key_error(backup, "cannot be wrapped"))?;
        Ok((current.id(), sealed))
    }

    /// Opens a key made by [`Keyring::wrap_backup_key`].
    pub(crate) fn unwrap_backup_key(
        &self,
        backup: &str,
        master_id: &str,
        sealed: &[u8],
    ) -> Result<[u8; KEY_LEN], CryptoError> {
        let master = match self.master_for(master_id) {
            Some(master) => master,
            None => {
                self.reload()?;
                self.master_for(master_id).ok_or_else(|| {
                    backup_key_error(
                        backup,
                        &format!("is wrapped by master key {master_id}, which is not loaded"),
                    )
                })?
            }
        };
        let bytes = aead::open(master.bytes(), &backup_aad(backup), sealed)
            .map_err(|_| backup_key_error(backup, "failed verification (altered or moved)"))?;
        bytes
            .try_into()
            .map_err(|_| backup_key_error(backup, "has the wrong length"))
    }

    /// Rereads the key files, when this keyring has them.
    fn reload(&self) -> Result<(), CryptoError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let current = MasterKey::from_hex(&read_key_file(file.path())?, &file.describe())?;
        let older = file.older_keys()?;
        let mut masters = self.write_masters();
        masters.current = current;
        masters.older = older;
        Ok(())
    }

    fn read_masters(&self) -> std::sync::RwLockReadGuard<'_, Masters> {
        self.masters.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_masters(&self) -> std::sync::RwLockWriteGuard<'_, Masters> {
        self.masters.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn master_for(&self, id: &str) -> Option<MasterKey> {
        let masters = self.read_masters();
        std::iter::once(&masters.current)
            .chain(&masters.older)
            .find(|m| m.id() == id)
            .cloned()
    }

    fn wrap(&self, tenant: &TenantId, key: &[u8; KEY_LEN]) -> Result<WrappedKey, CryptoError> {
        let current = self.read_masters().current.clone();
        let sealed = aead::seal(current.bytes(), &wrap_aad(tenant), key).map_err(|_| {
            CryptoError::TooLarge {
                tenant: tenant.clone(),
                place: "its data key".to_owned(),
            }
        })?;
        Ok(WrappedKey {
            master_id: current.id(),
            sealed,
        })
    }

    fn unwrap_key(
        &self,
        tenant: &TenantId,
        wrapped: &WrappedKey,
    ) -> Result<[u8; KEY_LEN], CryptoError> {
        let master = match self.master_for(&wrapped.master_id) {
            Some(master) => master,
            None => {
                self.reload()?;
                self.master_for(&wrapped.master_id).ok_or_else(|| {
                    CryptoError::UnknownMasterKey {
                        tenant: tenant.clone(),
                        key_id: wrapped.master_id.clone(),
                    }
                })?
            }
        };
        let place = || format!("key vault entry ({})", self.vault.dir().display());
        let bytes =
            aead::open(master.bytes(), &wrap_aad(tenant), &wrapped.sealed).map_err(|_| {
                CryptoError::Tampered {
                    tenant: tenant.clone(),
                    place: place(),
                }
            })?;
        bytes.try_into().map_err(|_| CryptoError::Malformed {
            tenant: tenant.clone(),
            place: place(),
        })
    }

    fn cached(&self, tenant: &TenantId) -> Option<TenantCipher> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant)
            .cloned()
    }

    fn remember(&self, cipher: TenantCipher) {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(cipher.tenant().clone(), cipher);
    }
}

/// A wrapped key is bound to its tenant: a key file copied to another tenant's name fails.
fn wrap_aad(tenant: &TenantId) -> Vec<u8> {
    format!("postroom/v1/tenant-key/{tenant}").into_bytes()
}

/// A backup's key is bound to the backup's id, so a manifest copied under another id fails.
fn backup_aad(backup: &str) -> Vec<u8> {
    format!("postroom/v1/backup-key/{backup}").into_bytes()
}

fn backup_key_error(backup: &str, message: &str) -> CryptoError {
    CryptoError::BackupKey {
        backup: backup.to_owned(),
        message: message.to_owned(),
    }
}
