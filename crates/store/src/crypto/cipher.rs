//! Sealing and opening one tenant's values.

use std::sync::Arc;

use postroom_core::tenant::TenantId;

use super::aead::{self, KEY_LEN, OpenFailure};
use super::{CryptoError, Place};

/// One tenant's data key, ready to seal and open that tenant's values. Obtained from
/// [`super::Keyring::cipher`]; `Debug` never shows the key.
#[derive(Clone)]
pub struct TenantCipher {
    tenant: TenantId,
    key: Arc<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for TenantCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TenantCipher({})", self.tenant)
    }
}

impl TenantCipher {
    pub(crate) fn new(tenant: TenantId, key: [u8; KEY_LEN]) -> Self {
        Self {
            tenant,
            key: Arc::new(key),
        }
    }

    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Whether this cipher holds exactly `key` (a key moved between keepers is checked).
    pub(crate) fn same_key(&self, key: &[u8; KEY_LEN]) -> bool {
        *self.key == *key
    }

    /// Encrypts `plaintext` for storage at `place`.
    pub fn seal(&self, place: &Place, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        aead::seal(&self.key, &place.aad(&self.tenant), plaintext).map_err(|_| {
            CryptoError::TooLarge {
                tenant: self.tenant.clone(),
                place: place.to_string(),
            }
        })
    }

    /// Decrypts a value read from `place`; a value that was altered, or sealed for another
    /// place or tenant, is reported as [`CryptoError::Tampered`] and never returned.
    pub fn open(&self, place: &Place, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        aead::open(&self.key, &place.aad(&self.tenant), sealed).map_err(|failure| {
            let (tenant, place) = (self.tenant.clone(), place.to_string());
            match failure {
                OpenFailure::Malformed => CryptoError::Malformed { tenant, place },
                OpenFailure::Rejected => {
                    tracing::error!(%tenant, %place, "ciphertext failed verification");
                    CryptoError::Tampered { tenant, place }
                }
            }
        })
    }

    /// Seals a text column value.
    pub fn seal_str(&self, place: &Place, text: &str) -> Result<Vec<u8>, CryptoError> {
        self.seal(place, text.as_bytes())
    }

    /// Opens a text column value sealed by [`TenantCipher::seal_str`].
    pub fn open_str(&self, place: &Place, sealed: &[u8]) -> Result<String, CryptoError> {
        let bytes = self.open(place, sealed)?;
        String::from_utf8(bytes).map_err(|_| CryptoError::Malformed {
            tenant: self.tenant.clone(),
            place: place.to_string(),
        })
    }
}
