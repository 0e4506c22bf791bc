//! Where backups are kept: a local directory or a prefix of an S3-compatible bucket, both
//! through `object_store`, so every step is written once for both.

use std::sync::Arc;

use futures::TryStreamExt;
use object_store::buffered::{BufReader, BufWriter};
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutPayload};

use super::manifest::Manifest;
use super::{BackupError, Contents, MANIFEST_FILE, looks_like_id};
use crate::blobs::{BlobConfig, BlobStore};
use crate::crypto::Keyring;

/// Reads from the target are made in ranges of this size.
const READ_BUFFER: usize = 8 * 1024 * 1024;

/// The place backups are written to and read from.
#[derive(Debug, Clone)]
pub struct BackupTarget {
    store: Arc<dyn ObjectStore>,
    prefix: Option<Path>,
    description: String,
    send_content_type: bool,
}

/// One backup as `backup list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupInfo {
    pub id: String,
    /// From the manifest; `None` for an incomplete backup.
    pub created_at_ms: Option<i64>,
    /// The opened contents; `None` when incomplete or when it cannot be opened here.
    pub contents: Option<Contents>,
    /// Why the manifest could not be read or opened, if so.
    pub problem: Option<String>,
}

impl BackupTarget {
    /// A target on the store `config` names (a local directory is created mode 0700),
    /// under `prefix` (`""` for the root).
    pub fn open(config: &BlobConfig, prefix: &str) -> Result<Self, BackupError> {
        let store = BlobStore::open(config).map_err(|e| BackupError::Target {
            target: format!("{config:?}"),
            reason: e.to_string(),
        })?;
        let prefix = prefix.trim_matches('/');
        let description = if prefix.is_empty() {
            store.description().to_owned()
        } else {
            format!("{}, prefix {prefix}", store.description())
        };
        Ok(Self {
            store: Arc::clone(store.inner()),
            prefix: (!prefix.is_empty()).then(|| Path::from(prefix)),
            description,
            send_content_type: matches!(config, BlobConfig::S3(_)),
        })
    }

    /// Where the backups are, for messages (no credentials).
    pub fn description(&self) -> &str {
        &self.description
    }

    pub(crate) fn path(&self, id: &str, file: &str) -> Path {
        let mut parts: Vec<String> = self
            .prefix
            .iter()
            .flat_map(|p| p.parts().map(|part| part.as_ref().to_owned()))
            .collect();
        parts.push(id.to_owned());
        if !file.is_empty() {
            parts.push(file.to_owned());
        }
        Path::from_iter(parts)
    }

    /// A writer of one file of backup `id` (multipart on S3).
    pub(crate) fn writer(&self, id: &str, file: &str) -> BufWriter {
        let writer = BufWriter::new(Arc::clone(&self.store), self.path(id, file));
        if self.send_content_type {
            writer.with_attributes(Attributes::from_iter([(
                Attribute::ContentType,
                "application/octet-stream",
            )]))
        } else {
            writer
        }
    }

    /// A reader of one file of backup `id`.
    pub(crate) async fn reader(&self, id: &str, file: &str) -> Result<BufReader, BackupError> {
        let path = self.path(id, file);
        let meta = self.store.head(&path).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => BackupError::Corrupt {
                backup: id.to_owned(),
                file: file.to_owned(),
                reason: "missing".to_owned(),
            },
            e => BackupError::Object {
                place: path.to_string(),
                source: e,
            },
        })?;
        Ok(BufReader::with_capacity(
            Arc::clone(&self.store),
            &meta,
            READ_BUFFER,
        ))
    }

    pub(crate) async fn put_manifest(&self, id: &str, bytes: Vec<u8>) -> Result<(), BackupError> {
        let path = self.path(id, MANIFEST_FILE);
        let mut options = object_store::PutOptions::default();
        if self.send_content_type {
            options.attributes =
                Attributes::from_iter([(Attribute::ContentType, "application/json")]);
        }
        self.store
            .put_opts(&path, PutPayload::from(bytes), options)
            .await
            .map_err(BackupError::object(path.to_string()))?;
        Ok(())
    }

    /// The manifest of backup `id`: [`BackupError::NotFound`] when there is no such
    /// backup, [`BackupError::Incomplete`] when it has data but no manifest.
    pub(crate) async fn manifest(&self, id: &str) -> Result<Manifest, BackupError> {
        let path = self.path(id, MANIFEST_FILE);
        match self.store.get(&path).await {
            Ok(got) => {
                let bytes = got
                    .bytes()
                    .await
                    .map_err(BackupError::object(path.to_string()))?;
                Manifest::parse(id, &bytes)
            }
            Err(object_store::Error::NotFound { .. }) => {
                if self.files_of(id).await?.is_empty() {
                    Err(BackupError::NotFound(id.to_owned()))
                } else {
                    Err(BackupError::Incomplete(id.to_owned()))
                }
            }
            Err(e) => Err(BackupError::Object {
                place: path.to_string(),
                source: e,
            }),
        }
    }

    /// The ids of the backups at the target, oldest first (complete or not). Taken from
    /// the files themselves, so a folder left empty by a deletion is no backup.
    pub async fn ids(&self) -> Result<Vec<String>, BackupError> {
        let depth = self.prefix.as_ref().map_or(0, |p| p.parts().count());
        let files: Vec<Path> = self
            .store
            .list(self.prefix.as_ref())
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(BackupError::object(self.description.clone()))?;
        let mut ids: Vec<String> = files
            .iter()
            .filter_map(|path| path.parts().nth(depth))
            .map(|part| part.as_ref().to_owned())
            .filter(|name| looks_like_id(name))
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Every backup at the target with what its manifest says, oldest first.
    pub async fn list(&self, keyring: &Keyring) -> Result<Vec<BackupInfo>, BackupError> {
        let mut out = Vec::new();
        for id in self.ids().await? {
            let info = match self.manifest(&id).await {
                Ok(manifest) => match manifest.open(keyring) {
                    Ok((_, contents)) => BackupInfo {
                        id,
                        created_at_ms: Some(manifest.created_at_ms),
                        contents: Some(contents),
                        problem: None,
                    },
                    Err(e) => BackupInfo {
                        id,
                        created_at_ms: Some(manifest.created_at_ms),
                        contents: None,
                        problem: Some(e.to_string()),
                    },
                },
                Err(e) => BackupInfo {
                    id,
                    created_at_ms: None,
                    contents: None,
                    problem: Some(e.to_string()),
                },
            };
            out.push(info);
        }
        Ok(out)
    }

    /// Deletes backup `id` whole; returns how many files it had.
    pub async fn delete(&self, id: &str) -> Result<usize, BackupError> {
        let files = self.files_of(id).await?;
        for path in &files {
            match self.store.delete(path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => {
                    return Err(BackupError::Object {
                        place: path.to_string(),
                        source: e,
                    });
                }
            }
        }
        Ok(files.len())
    }

    /// Keeps the newest `keep` complete backups and deletes older ones, with any incomplete
    /// backup older than the newest complete one (an interrupted run). Returns the ids
    /// deleted.
    pub async fn prune(&self, keep: usize) -> Result<Vec<String>, BackupError> {
        let ids = self.ids().await?;
        let mut complete = Vec::new();
        let mut incomplete = Vec::new();
        for id in ids {
            match self.manifest(&id).await {
                Ok(_) => complete.push(id),
                Err(BackupError::Incomplete(_)) => incomplete.push(id),
                Err(BackupError::NotFound(_)) => {}
                // A damaged manifest still counts as a backup: it is never deleted for
                // being unreadable, only for being old.
                Err(_) => complete.push(id),
            }
        }
        let cut = complete.len().saturating_sub(keep);
        let mut doomed: Vec<String> = complete[..cut].to_vec();
        if let Some(newest) = complete.last() {
            doomed.extend(incomplete.into_iter().filter(|id| id < newest));
        }
        doomed.sort();
        for id in &doomed {
            self.delete(id).await?;
            tracing::info!(backup = %id, target = %self.description, "old backup deleted");
        }
        Ok(doomed)
    }

    async fn files_of(&self, id: &str) -> Result<Vec<Path>, BackupError> {
        let folder = self.path(id, "");
        self.store
            .list(Some(&folder))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(BackupError::object(folder.to_string()))
    }
}
