//! The keyring: master keys in memory, tenant data keys in the vault, unwrapped on demand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use postroom_core::tenant::TenantId;

use super::aead::{self, KEY_LEN, random_key};
use super::kms::Kms;
use super::kms_keys::{self, KmsWrapped};
use super::rotation::{MasterKeyFile, read_key_file};
use super::vault::WrappedKey;
use super::{CryptoError, KeyVault, MasterKey, MasterKeySource, TenantCipher};
use crate::{Db, TenantStore};

/// Holds the current master key (which wraps every new or rotated data key), older ones
/// (so keys not yet re-wrapped keep opening during a rotation), and a cache of unwrapped
/// data keys.
///
/// A keyring made [`Keyring::from_file`] follows rotations done by another process (`keys
/// rotate` beside a running `serve`): when a vault entry names a master key it does not
/// hold, it rereads the key files and tries again, so a rotation needs no restart.
///
/// With [`Keyring::with_kms`], new data keys are wrapped by each tenant's own KMS key and
/// kept in the database instead of the vault, so every instance of a fleet opens them; a
/// key still in the vault (made before KMS was configured) keeps opening until `keys
/// rotate` moves it. The master key then only wraps backup keys and derives the log hash.
#[derive(Debug, Clone)]
pub struct Keyring {
    vault: KeyVault,
    masters: Arc<RwLock<Masters>>,
    file: Option<MasterKeyFile>,
    kms: Option<Kms>,
    cache: Arc<Mutex<HashMap<TenantId, TenantCipher>>>,
    /// Under KMS: where each remembered cipher came from.
    checked: Arc<Mutex<HashMap<TenantId, Checked>>>,
    recheck: Duration,
}

/// The KMS key a remembered cipher came from (`None`: the vault), and when that was seen.
type Checked = (Option<String>, Instant);

/// How long a remembered KMS-kept key is used before `tenant_keys` is read again: how late
/// another instance may learn that a tenant was erased.
pub const KMS_RECHECK: Duration = Duration::from_secs(60);

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
            kms: None,
            cache: Arc::default(),
            checked: Arc::default(),
            recheck: KMS_RECHECK,
        }
    }

    /// This keyring, keeping tenant data keys with KMS from now on; a remembered key is
    /// checked against the database every `recheck` (see [`Keyring::cipher`]).
    pub fn with_kms(mut self, kms: Kms, recheck: Duration) -> Self {
        self.kms = Some(kms);
        self.recheck = recheck;
        self
    }

    /// The KMS client, when tenant keys are kept by KMS.
    pub fn kms(&self) -> Option<&Kms> {
        self.kms.as_ref()
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
            kms: None,
            cache: Arc::default(),
            checked: Arc::default(),
            recheck: KMS_RECHECK,
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
    ///
    /// Under KMS a remembered key is checked against `tenant_keys` at most every
    /// [`KMS_RECHECK`] (or as [`Keyring::with_kms`] says): another instance may have erased
    /// the tenant, and a new tenant of the same name must never be sealed with the erased
    /// one's key.
    pub async fn cipher(&self, tenant: &TenantStore) -> Result<TenantCipher, CryptoError> {
        let id = tenant.id();
        if let Some(cipher) = self.cached(id) {
            if self.kms.is_none() || self.still_current(tenant.db(), id).await? {
                return Ok(cipher);
            }
            self.forget(id);
        }
        let cipher = match &self.kms {
            Some(kms) => {
                let (cipher, source) = self.kms_cipher(kms, tenant.db(), id).await?;
                self.mark_checked(id, source);
                cipher
            }
            None => self.vault_cipher(id)?,
        };
        self.remember(cipher.clone());
        Ok(cipher)
    }

    /// Whether the KMS key a remembered cipher came from is still the tenant's.
    async fn still_current(&self, db: &Db, id: &TenantId) -> Result<bool, CryptoError> {
        let remembered = self
            .checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned();
        if let Some((_, at)) = &remembered
            && at.elapsed() < self.recheck
        {
            return Ok(true);
        }
        let now = kms_keys::read(db, id).await?.map(|row| row.kms_key);
        let same = remembered.is_some_and(|(key, _)| key == now);
        if same {
            self.mark_checked(id, now);
        }
        Ok(same)
    }

    /// Notes that the tenant's remembered cipher came from `source` (a KMS key; `None`:
    /// the vault), as seen now.
    fn mark_checked(&self, id: &TenantId, source: Option<String>) {
        self.checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.clone(), (source, Instant::now()));
    }

    fn vault_cipher(&self, id: &TenantId) -> Result<TenantCipher, CryptoError> {
        if let Some(wrapped) = self.vault.read(id)? {
            return Ok(TenantCipher::new(
                id.clone(),
                self.unwrap_key(id, &wrapped)?,
            ));
        }
        // A new key is wrapped by the newest master key on disk, not a stale one.
        self.reload()?;
        let key = random_key();
        match self.vault.write(id, &self.wrap(id, &key)?, false) {
            Ok(()) => Ok(TenantCipher::new(id.clone(), key)),
            // Another process or task made the key first: use theirs.
            Err(CryptoError::Vault { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                self.vault_existing(id)
            }
            Err(e) => Err(e),
        }
    }

    /// The tenant's cipher under KMS, and the KMS key it came from (`None`: a key still in
    /// the vault).
    async fn kms_cipher(
        &self,
        kms: &Kms,
        db: &Db,
        id: &TenantId,
    ) -> Result<(TenantCipher, Option<String>), CryptoError> {
        if let Some(row) = kms_keys::read(db, id).await? {
            return Ok((self.kms_open(kms, id, &row).await?, Some(row.kms_key)));
        }
        if self.vault.read(id)?.is_some() {
            return Ok((self.vault_existing(id)?, None));
        }
        let key = random_key();
        let kms_key = kms.create_key(id).await.map_err(|e| kms_error(id, e))?;
        let row = KmsWrapped {
            wrapped: kms
                .encrypt(&kms_key, id, &key)
                .await
                .map_err(|e| kms_error(id, e))?,
            kms_key,
        };
        if kms_keys::insert(db, id, &row, now_ms()).await? {
            tracing::info!(tenant = %id, "tenant data key made and wrapped by its KMS key");
            return Ok((TenantCipher::new(id.clone(), key), Some(row.kms_key)));
        }
        // Another instance made the tenant's key first: use theirs, retire this KMS key.
        if let Err(e) = retire(kms, &row.kms_key).await {
            tracing::warn!(tenant = %id, error = %e, "an unused KMS key could not be retired");
        }
        match kms_keys::read(db, id).await? {
            Some(theirs) => Ok((self.kms_open(kms, id, &theirs).await?, Some(theirs.kms_key))),
            None => Err(CryptoError::NoKey(id.clone())),
        }
    }

    async fn kms_open(
        &self,
        kms: &Kms,
        id: &TenantId,
        row: &KmsWrapped,
    ) -> Result<TenantCipher, CryptoError> {
        let bytes = kms
            .decrypt(&row.kms_key, id, &row.wrapped)
            .await
            .map_err(|e| kms_error(id, e))?;
        let key = bytes.try_into().map_err(|_| CryptoError::Malformed {
            tenant: id.clone(),
            place: "tenant_keys.wrapped".to_owned(),
        })?;
        Ok(TenantCipher::new(id.clone(), key))
    }

    /// The cipher of a tenant whose key must already exist; [`CryptoError::NoKey`] after
    /// the tenant was erased. Used to prove that erased data stays unreadable.
    pub async fn existing_cipher(
        &self,
        db: &Db,
        tenant: &TenantId,
    ) -> Result<TenantCipher, CryptoError> {
        if let Some(kms) = &self.kms
            && let Some(row) = kms_keys::read(db, tenant).await?
        {
            return self.kms_open(kms, tenant, &row).await;
        }
        self.vault_existing(tenant)
    }

    fn vault_existing(&self, tenant: &TenantId) -> Result<TenantCipher, CryptoError> {
        match self.vault.read(tenant)? {
            Some(wrapped) => Ok(TenantCipher::new(
                tenant.clone(),
                self.unwrap_key(tenant, &wrapped)?,
            )),
            None => Err(CryptoError::NoKey(tenant.clone())),
        }
    }

    /// Destroys the tenant's data key (crypto-shredding); true when there was one. Under
    /// KMS the tenant's KMS key is disabled, then scheduled for deletion: the wrapped key
    /// row stays until the tenant's rows are deleted, and opens no more from that moment.
    pub async fn shred(&self, db: &Db, tenant: &TenantId) -> Result<bool, CryptoError> {
        self.forget(tenant);
        let mut destroyed = false;
        if let Some(kms) = &self.kms
            && let Some(row) = kms_keys::read(db, tenant).await?
        {
            retire(kms, &row.kms_key)
                .await
                .map_err(|e| kms_error(tenant, e))?;
            destroyed = true;
        }
        Ok(self.vault.destroy(tenant)? || destroyed)
    }

    /// Moves every data key still in the vault under its tenant's own KMS key (made when
    /// missing), then deletes the vault file, and re-wraps those already with KMS under
    /// their key's current material. Returns (moved, re-wrapped). Nothing to do without KMS.
    pub async fn move_to_kms(&self, db: &Db) -> Result<(usize, usize), CryptoError> {
        let Some(kms) = &self.kms else {
            return Ok((0, 0));
        };
        let mut rewrapped = 0;
        for tenant in kms_keys::tenants(db).await? {
            let Some(row) = kms_keys::read(db, &tenant).await? else {
                continue;
            };
            let wrapped = kms
                .re_encrypt(&row.kms_key, &tenant, &row.wrapped)
                .await
                .map_err(|e| kms_error(&tenant, e))?;
            kms_keys::replace(db, &tenant, &wrapped, now_ms()).await?;
            rewrapped += 1;
        }
        let mut moved = 0;
        for tenant in self.vault.tenants()? {
            let Some(wrapped) = self.vault.read(&tenant)? else {
                continue;
            };
            let key = self.unwrap_key(&tenant, &wrapped)?;
            if kms_keys::read(db, &tenant).await?.is_none() {
                let kms_key = kms
                    .create_key(&tenant)
                    .await
                    .map_err(|e| kms_error(&tenant, e))?;
                let row = KmsWrapped {
                    wrapped: kms
                        .encrypt(&kms_key, &tenant, &key)
                        .await
                        .map_err(|e| kms_error(&tenant, e))?,
                    kms_key,
                };
                if !kms_keys::insert(db, &tenant, &row, now_ms()).await?
                    && let Err(e) = retire(kms, &row.kms_key).await
                {
                    tracing::warn!(%tenant, error = %e, "an unused KMS key could not be retired");
                }
            }
            // The vault copy goes only once the key opens through KMS to the same bytes: a
            // copy left behind would outlive an erasure that disables the KMS key.
            let kept = self.existing_cipher(db, &tenant).await?;
            if kept.same_key(&key) {
                self.vault.destroy(&tenant)?;
                moved += 1;
            } else {
                return Err(CryptoError::Malformed {
                    tenant,
                    place: "tenant_keys (another key than the vault's)".to_owned(),
                });
            }
        }
        Ok((moved, rewrapped))
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

    fn forget(&self, tenant: &TenantId) {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(tenant);
        self.checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(tenant);
    }

    fn remember(&self, cipher: TenantCipher) {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(cipher.tenant().clone(), cipher);
    }
}

/// Takes a KMS key out of use for good: disabled first (from then on nothing it wrapped
/// opens), then scheduled for deletion. Safe to repeat on a key already on its way out.
async fn retire(kms: &Kms, key: &str) -> Result<(), super::kms::KmsError> {
    match kms.key_state(key).await?.as_str() {
        "PendingDeletion" => Ok(()),
        "Disabled" => kms.schedule_key_deletion(key).await,
        _ => {
            kms.disable_key(key).await?;
            kms.schedule_key_deletion(key).await
        }
    }
}

fn kms_error(tenant: &TenantId, source: super::kms::KmsError) -> CryptoError {
    CryptoError::Kms {
        tenant: tenant.clone(),
        source,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
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
