//! `backup verify` and `backup restore`.

use std::sync::Arc;

use object_store::buffered::BufReader;
use tokio::sync::Mutex;

use super::blobs::{self, BlobCount};
use super::frames::{Binding, FrameReader};
use super::{BLOBS_FILE, BackupError, BackupTarget, Contents, DATABASE_FILE, database};
use crate::blobs::BlobStore;
use crate::crypto::Keyring;

/// What a restore put back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Restored {
    pub id: String,
    pub contents: Contents,
    pub blobs: u64,
}

impl BackupTarget {
    /// Checks backup `id` through and through: the manifest opens with this instance's
    /// master key, every file has the length and SHA-256 the manifest gives, and every
    /// frame opens. Returns the contents; the first difference is an error naming the file.
    pub async fn verify(&self, id: &str, keyring: &Keyring) -> Result<Contents, BackupError> {
        let (key, contents) = self.manifest(id).await?.open(keyring)?;
        for entry in &contents.files {
            let mut reader = FrameReader::new(
                self.reader(id, &entry.name).await?,
                Binding::new(key, id, &entry.name),
            );
            while reader.next().await?.is_some() {}
            let (sha256, bytes) = reader.digest();
            if bytes != entry.bytes || sha256 != entry.sha256 {
                return Err(BackupError::Corrupt {
                    backup: id.to_owned(),
                    file: entry.name.clone(),
                    reason: format!(
                        "{bytes} bytes with SHA-256 {sha256}; the manifest says {} bytes with \
                         {}",
                        entry.bytes, entry.sha256
                    ),
                });
            }
        }
        Ok(contents)
    }
}

/// Restores backup `id` into the empty database at `url` and the empty blob store `blobs`.
/// The backup is verified first, so a damaged one changes nothing; the target is checked
/// to be empty before anything is written.
pub async fn restore(
    target: &BackupTarget,
    id: &str,
    keyring: &Keyring,
    url: &str,
    blobs: &BlobStore,
) -> Result<Restored, BackupError> {
    database::check_empty(url).await?;
    check_no_blobs(blobs).await?;
    target.verify(id, keyring).await?;
    let (key, contents) = target.manifest(id).await?.open(keyring)?;

    let reader = shared_reader(target, id, DATABASE_FILE, key).await?;
    database::put_back(id, &contents, url, || next(Arc::clone(&reader))).await?;

    let mut reader = FrameReader::new(
        target.reader(id, BLOBS_FILE).await?,
        Binding::new(key, id, BLOBS_FILE),
    );
    let mut count = BlobCount::default();
    while let Some(frame) = reader.next().await? {
        let got = blobs::unpack(blobs, &frame).await?;
        count.blobs += got.blobs;
        count.bytes += got.bytes;
    }
    tracing::info!(backup = %id, blobs = count.blobs, "backup restored");
    Ok(Restored {
        id: id.to_owned(),
        contents,
        blobs: count.blobs,
    })
}

async fn check_no_blobs(blobs: &BlobStore) -> Result<(), BackupError> {
    use futures::StreamExt;
    let first = blobs.inner().list(None).next().await;
    match first {
        None => Ok(()),
        Some(Ok(_)) => Err(BackupError::NotEmpty(format!(
            "the blob store ({})",
            blobs.description()
        ))),
        Some(Err(e)) => Err(BackupError::Object {
            place: blobs.description().to_owned(),
            source: e,
        }),
    }
}

type SharedReader = Arc<Mutex<FrameReader<BufReader>>>;

async fn shared_reader(
    target: &BackupTarget,
    id: &str,
    file: &str,
    key: [u8; 32],
) -> Result<SharedReader, BackupError> {
    Ok(Arc::new(Mutex::new(FrameReader::new(
        target.reader(id, file).await?,
        Binding::new(key, id, file),
    ))))
}

async fn next(reader: SharedReader) -> Result<Option<Vec<u8>>, BackupError> {
    reader.lock().await.next().await
}
