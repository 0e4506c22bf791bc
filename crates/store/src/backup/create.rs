//! `backup create`: database first, then blobs, then the manifest that makes it complete.

use std::sync::Arc;

use tokio::sync::Mutex;

use super::frames::{Binding, FrameWriter};
use super::manifest::Manifest;
use super::{BLOBS_FILE, BackupError, BackupTarget, Contents, DATABASE_FILE, blobs, database};
use crate::blobs::BlobStore;
use crate::crypto::Keyring;
use crate::crypto::aead::random_key;
use crate::{Backend, Store};

/// Whether PostgreSQL's own `pg_dump` may be used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PgDumpUse {
    /// When one of the server's major version is installed (else the table export).
    #[default]
    Auto,
    /// Always the table export (tests of that path; a `pg_dump` known to be unsuitable).
    Never,
}

/// How `create` runs.
#[derive(Debug, Clone, Copy)]
pub struct CreateOptions {
    /// The time the backup is made at: its id and its manifest's time.
    pub now_ms: i64,
    pub pg_dump: PgDumpUse,
}

/// Makes a backup of the database at `url` (opened as `store`) and of `blobs` at `target`;
/// returns its id and contents. A backup interrupted halfway has no manifest and is
/// listed as incomplete, and deleted by the next [`BackupTarget::prune`].
pub async fn create(
    store: &Store,
    url: &str,
    blobs: &BlobStore,
    keyring: &Keyring,
    target: &BackupTarget,
    options: CreateOptions,
) -> Result<(String, Contents), BackupError> {
    let id = super::id_for(options.now_ms);
    if target.ids().await?.contains(&id) {
        return Err(BackupError::Target {
            target: target.description().to_owned(),
            reason: format!("a backup {id} exists already (one per second at most)"),
        });
    }
    let key = random_key();
    let schema_version = database::newest_migration(store).await?;

    let writer = writer_for(target, &id, DATABASE_FILE, key);
    let method = database::snapshot(store, url, options.pg_dump, |chunk| {
        push(Arc::clone(&writer), chunk)
    })
    .await?;
    let database_file = finish(writer).await?;

    let writer = writer_for(target, &id, BLOBS_FILE, key);
    let count = blobs::pack(blobs, |chunk| push(Arc::clone(&writer), chunk)).await?;
    let blobs_file = finish(writer).await?;

    let contents = Contents {
        backend: match store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .to_owned(),
        method,
        schema_version,
        made_by: format!("postroom {}", env!("CARGO_PKG_VERSION")),
        blobs: count.blobs,
        blob_bytes: count.bytes,
        files: vec![database_file, blobs_file],
    };
    let manifest = Manifest::seal(keyring, &id, options.now_ms, &key, &contents)?;
    target.put_manifest(&id, manifest).await?;
    tracing::info!(
        backup = %id,
        target = target.description(),
        method = %contents.method,
        blobs = contents.blobs,
        bytes = contents.stored_bytes(),
        "backup made"
    );
    Ok((id, contents))
}

type SharedWriter = Arc<Mutex<Option<FrameWriter<object_store::buffered::BufWriter>>>>;

fn writer_for(target: &BackupTarget, id: &str, file: &str, key: [u8; 32]) -> SharedWriter {
    Arc::new(Mutex::new(Some(FrameWriter::new(
        target.writer(id, file),
        Binding::new(key, id, file),
    ))))
}

async fn push(writer: SharedWriter, chunk: Vec<u8>) -> Result<(), BackupError> {
    match writer.lock().await.as_mut() {
        Some(writer) => writer.push(chunk).await,
        None => Ok(()),
    }
}

async fn finish(writer: SharedWriter) -> Result<super::FileEntry, BackupError> {
    let taken = writer.lock().await.take();
    match taken {
        Some(writer) => writer.finish().await,
        None => Err(BackupError::Corrupt {
            backup: "(creating)".to_owned(),
            file: String::new(),
            reason: "a backup file was finished twice".to_owned(),
        }),
    }
}
