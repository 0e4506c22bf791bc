//! The blob store in a backup: every object as stored (already sealed with its tenant's
//! key), as records `u32 key length || key || u64 length || bytes`, whole records per frame.

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStoreExt, PutOptions, PutPayload};

use super::BackupError;
use super::frames::FRAME_BYTES;
use crate::blobs::BlobStore;

/// Objects fetched or stored at once (S3 round trips overlap).
const CONCURRENCY: usize = 8;

/// What went into or came out of a backup's blob file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BlobCount {
    pub blobs: u64,
    pub bytes: u64,
}

/// Reads every object of `blobs` and hands records on in frame-sized pieces.
pub(crate) async fn pack<F, Fut>(blobs: &BlobStore, mut each: F) -> Result<BlobCount, BackupError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<(), BackupError>>,
{
    let store = blobs.inner();
    let mut keys: Vec<Path> = store
        .list(None)
        .map_ok(|meta| meta.location)
        .try_collect()
        .await
        .map_err(BackupError::object(blobs.description()))?;
    keys.sort();
    let mut fetched = futures::stream::iter(keys)
        .map(|key| async move {
            match store.get(&key).await {
                Ok(got) => got
                    .bytes()
                    .await
                    .map(|bytes| Some((key.clone(), bytes)))
                    .map_err(BackupError::object(key.to_string())),
                // Deleted since the listing (the purge): it was due to go.
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(BackupError::Object {
                    place: key.to_string(),
                    source: e,
                }),
            }
        })
        .buffered(CONCURRENCY);
    let mut count = BlobCount::default();
    let mut out = Vec::with_capacity(FRAME_BYTES);
    while let Some(next) = fetched.try_next().await? {
        let Some((key, bytes)) = next else { continue };
        let key = key.to_string();
        let key_len = u32::try_from(key.len()).map_err(|_| too_long(&key))?;
        out.extend_from_slice(&key_len.to_be_bytes());
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(&bytes);
        count.blobs += 1;
        count.bytes += bytes.len() as u64;
        if out.len() >= FRAME_BYTES {
            each(std::mem::take(&mut out)).await?;
        }
    }
    if !out.is_empty() {
        each(out).await?;
    }
    Ok(count)
}

/// Stores the records of one frame into `blobs` under their keys.
pub(crate) async fn unpack(blobs: &BlobStore, frame: &[u8]) -> Result<BlobCount, BackupError> {
    let records = records(frame)?;
    let count = BlobCount {
        blobs: records.len() as u64,
        bytes: records.iter().map(|(_, b)| b.len() as u64).sum(),
    };
    let content_type = blobs.send_content_type();
    futures::stream::iter(records)
        .map(|(key, bytes)| async move {
            let mut options = PutOptions::default();
            if content_type {
                options.attributes =
                    Attributes::from_iter([(Attribute::ContentType, "application/octet-stream")]);
            }
            blobs
                .inner()
                .put_opts(&Path::from(key), PutPayload::from(bytes.to_vec()), options)
                .await
                .map_err(BackupError::object(key.to_owned()))
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(count)
}

/// The records of one frame.
fn records(mut frame: &[u8]) -> Result<Vec<(&str, &[u8])>, BackupError> {
    let mut out = Vec::new();
    while !frame.is_empty() {
        let (key_len, rest) = split_number::<4>(frame)?;
        let (key, rest) = split(rest, key_len)?;
        let key = std::str::from_utf8(key).map_err(|_| malformed("a blob key is not UTF-8"))?;
        let (len, rest) = split_number::<8>(rest)?;
        let (bytes, rest) = split(rest, len)?;
        out.push((key, bytes));
        frame = rest;
    }
    Ok(out)
}

fn split_number<const N: usize>(input: &[u8]) -> Result<(u64, &[u8]), BackupError> {
    let (head, rest) = split(input, N as u64)?;
    let mut buf = [0u8; 8];
    buf[8 - N..].copy_from_slice(head);
    Ok((u64::from_be_bytes(buf), rest))
}

fn split(input: &[u8], len: u64) -> Result<(&[u8], &[u8]), BackupError> {
    usize::try_from(len)
        .ok()
        .filter(|len| *len <= input.len())
        .map(|len| input.split_at(len))
        .ok_or_else(|| malformed("a blob record runs past its frame"))
}

fn too_long(key: &str) -> BackupError {
    malformed(&format!("blob key of {} bytes", key.len()))
}

fn malformed(reason: &str) -> BackupError {
    BackupError::Corrupt {
        backup: "(restoring)".to_owned(),
        file: super::BLOBS_FILE.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(key: &str, bytes: &[u8]) -> Vec<u8> {
        let mut out = (key.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn records_are_read_back_and_cut_ones_are_refused() {
        let mut frame = record("a/inbound/1", b"hello");
        frame.extend(record("b/sent/2", b""));
        assert_eq!(
            records(&frame).unwrap(),
            [("a/inbound/1", &b"hello"[..]), ("b/sent/2", &b""[..])]
        );
        assert!(records(&[]).unwrap().is_empty());
        for cut in 1..frame.len() {
            if cut == record("a/inbound/1", b"hello").len() {
                continue;
            }
            assert!(records(&frame[..cut]).is_err(), "cut at {cut}");
        }
    }
}
