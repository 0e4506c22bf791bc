//! One tenant's blobs: sealed on put, verified and opened on get.

use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};

use super::{BlobError, BlobKind, BlobStore};
use crate::crypto::{Place, TenantCipher};

const MAX_NAME: usize = 200;

/// The blobs of one tenant. Made from the tenant's cipher, so every key it touches starts
/// with that tenant's id and every byte it stores is sealed with that tenant's data key.
#[derive(Debug, Clone)]
pub struct TenantBlobs {
    store: BlobStore,
    cipher: TenantCipher,
}

impl TenantBlobs {
    pub fn new(store: BlobStore, cipher: TenantCipher) -> Self {
        Self { store, cipher }
    }

    /// The object key of a blob: `<tenant>/<kind>/<name>`.
    pub fn key(&self, kind: BlobKind, name: &str) -> Result<String, BlobError> {
        check_name(name)?;
        Ok(format!("{}/{}/{name}", self.cipher.tenant(), kind.prefix()))
    }

    /// Encrypts `bytes` and stores them; an existing blob of the same name is replaced.
    /// Returns the object key.
    pub async fn put(&self, kind: BlobKind, name: &str, bytes: &[u8]) -> Result<String, BlobError> {
        let key = self.key(kind, name)?;
        let sealed = self.cipher.seal(&Place::blob(&key), bytes)?;
        let mut options = PutOptions::default();
        if self.store.send_content_type() {
            options.attributes =
                Attributes::from_iter([(Attribute::ContentType, "application/octet-stream")]);
        }
        self.store
            .inner()
            .put_opts(&Path::from(key.as_str()), PutPayload::from(sealed), options)
            .await
            .map_err(|e| BlobError::backend(&key, e))?;
        Ok(key)
    }

    /// Reads and decrypts a blob; one that was altered or copied from another key or
    /// tenant is reported as tampered, never returned.
    pub async fn get(&self, kind: BlobKind, name: &str) -> Result<Vec<u8>, BlobError> {
        let key = self.key(kind, name)?;
        let sealed = self
            .store
            .inner()
            .get(&Path::from(key.as_str()))
            .await
            .map_err(|e| BlobError::backend(&key, e))?
            .bytes()
            .await
            .map_err(|e| BlobError::backend(&key, e))?;
        Ok(self.cipher.open(&Place::blob(&key), &sealed)?)
    }

    /// Deletes one blob; deleting a missing blob is not an error.
    pub async fn delete(&self, kind: BlobKind, name: &str) -> Result<(), BlobError> {
        let key = self.key(kind, name)?;
        match self.store.inner().delete(&Path::from(key.as_str())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(BlobError::backend(&key, e)),
        }
    }

    /// Every object key of this tenant, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, BlobError> {
        list_keys(&self.store, self.cipher.tenant().as_str()).await
    }
}

/// Every object key under `<prefix>/`, sorted.
pub(crate) async fn list_keys(store: &BlobStore, prefix: &str) -> Result<Vec<String>, BlobError> {
    let mut keys: Vec<String> = store
        .inner()
        .list(Some(&Path::from(prefix)))
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .map_err(|e| BlobError::backend(prefix, e))?;
    keys.sort();
    Ok(keys)
}

/// Deletes every object under `<prefix>/`; returns how many there were.
pub(crate) async fn delete_prefix(store: &BlobStore, prefix: &str) -> Result<usize, BlobError> {
    let keys = list_keys(store, prefix).await?;
    for key in &keys {
        match store.inner().delete(&Path::from(key.as_str())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(BlobError::backend(key, e)),
        }
    }
    Ok(keys.len())
}

fn check_name(name: &str) -> Result<(), BlobError> {
    let reason = if name.is_empty() {
        Some("empty")
    } else if name.len() > MAX_NAME {
        Some("longer than 200 bytes")
    } else if name.starts_with('.') {
        Some("starts with a dot")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Some("only ASCII letters, digits, '-', '_' and '.' are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(BlobError::InvalidName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_are_single_safe_segments() {
        for good in ["a", "msg-1.eml", "A_b.C", &"x".repeat(200)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "a/b",
            "a b",
            "ü",
            &"x".repeat(201),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
