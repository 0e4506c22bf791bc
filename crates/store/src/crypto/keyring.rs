//! The keyring: master keys in memory, tenant data keys in the vault, unwrapped on demand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use postroom_core::tenant::TenantId;

use super::aead::{self, KEY_LEN, random_key};
use super::vault::WrappedKey;
use super::{CryptoError, KeyVault, MasterKey, TenantCipher};
use crate::TenantStore;

/// Holds the current master key (which wraps every new or rotated data key), an optional
/// previous one (so a key rotated by another process keeps opening during a rotation), and
/// a cache of unwrapped data keys.
#[derive(Debug, Clone)]
pub struct Keyring {
    vault: KeyVault,
    current: MasterKey,
    previous: Option<MasterKey>,
    cache: Arc<Mutex<HashMap<TenantId, TenantCipher>>>,
}

impl Keyring {
    pub fn new(vault: KeyVault, current: MasterKey, previous: Option<MasterKey>) -> Self {
        Self {
            vault,
            current,
            previous,
            cache: Arc::default(),
        }
    }

    pub fn vault(&self) -> &KeyVault {
        &self.vault
    }

    /// The instance key for keyed hashes in logs (see `postroom_core::redact`), derived
    /// from the current master key; it changes when the master key is rotated.
    pub fn redaction_key(&self) -> [u8; 32] {
        self.current.redaction_key()
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

    /// Re-wraps every data key under `new`, one file at a time (each swap is atomic, and a
    /// keyring holding old and new opens either). Returns the number of keys re-wrapped and
    /// the keyring to use from now on.
    pub fn rotate(&self, new: MasterKey) -> Result<(usize, Keyring), CryptoError> {
        let next = Keyring::new(self.vault.clone(), new, Some(self.current.clone()));
        let mut count = 0;
        for tenant in self.vault.tenants()? {
            let Some(wrapped) = self.vault.read(&tenant)? else {
                continue;
            };
            let key = self.unwrap_key(&tenant, &wrapped)?;
            self.vault
                .write(&tenant, &next.wrap(&tenant, &key)?, true)?;
            count += 1;
        }
        Ok((count, next))
    }

    fn wrap(&self, tenant: &TenantId, key: &[u8; KEY_LEN]) -> Result<WrappedKey, CryptoError> {
        let sealed = aead::seal(self.current.bytes(), &wrap_aad(tenant), key).map_err(|_| {
            CryptoError::TooLarge {
                tenant: tenant.clone(),
                place: "its data key".to_owned(),
            }
        })?;
        Ok(WrappedKey {
            master_id: self.current.id(),
            sealed,
        })
    }

    fn unwrap_key(
        &self,
        tenant: &TenantId,
        wrapped: &WrappedKey,
    ) -> Result<[u8; KEY_LEN], CryptoError> {
        let master = std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|m| m.id() == wrapped.master_id)
            .ok_or_else(|| CryptoError::UnknownMasterKey {
                tenant: tenant.clone(),
                key_id: wrapped.master_id.clone(),
            })?;
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
