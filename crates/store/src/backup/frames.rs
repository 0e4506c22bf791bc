//! A backup file: a sequence of sealed frames, each `u32 length || AEAD ciphertext`.
//!
//! Each frame is sealed with the backup's key and bound to the backup's id, the file's name,
//! its position and whether it is the last one, so frames cannot be reordered, moved to
//! another file or backup, dropped from the end or followed by more without the reader
//! noticing. The SHA-256 of the bytes as stored goes into the manifest, so `backup verify`
//! finds a flipped byte even before it tries to open anything.

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{BackupError, FileEntry};
use crate::crypto::aead::{self, KEY_LEN};

/// Plaintext gathered into one frame before it is sealed.
pub(crate) const FRAME_BYTES: usize = 4 * 1024 * 1024;

/// No frame postroom writes is larger (a frame holds at most one blob beyond
/// [`FRAME_BYTES`]); a larger length means a damaged file, not a reason to allocate.
const MAX_FRAME: u32 = 1 << 30;

/// Where a frame belongs: the backup, the file and the position.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    key: [u8; KEY_LEN],
    backup: String,
    file: String,
}

impl Binding {
    pub(crate) fn new(key: [u8; KEY_LEN], backup: &str, file: &str) -> Self {
        Self {
            key,
            backup: backup.to_owned(),
            file: file.to_owned(),
        }
    }

    fn aad(&self, index: u64, last: bool) -> Vec<u8> {
        let mut out = b"postroom-backup/v1".to_vec();
        for part in [self.backup.as_bytes(), self.file.as_bytes()] {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&index.to_be_bytes());
        out.push(u8::from(last));
        out
    }
}

/// Writes sealed frames to `out`, holding one frame back so the last can be marked.
#[derive(Debug)]
pub(crate) struct FrameWriter<W> {
    out: W,
    binding: Binding,
    pending: Option<Vec<u8>>,
    index: u64,
    hasher: Sha256,
    bytes: u64,
}

impl<W: AsyncWrite + Unpin> FrameWriter<W> {
    pub(crate) fn new(out: W, binding: Binding) -> Self {
        Self {
            out,
            binding,
            pending: None,
            index: 0,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Adds one frame of plaintext.
    pub(crate) async fn push(&mut self, plaintext: Vec<u8>) -> Result<(), BackupError> {
        if let Some(previous) = self.pending.replace(plaintext) {
            self.write(&previous, false).await?;
        }
        Ok(())
    }

    /// Writes the held frame as the last one (an empty one when nothing was pushed) and
    /// closes the output; returns the manifest's entry for the file.
    pub(crate) async fn finish(mut self) -> Result<FileEntry, BackupError> {
        let last = self.pending.take().unwrap_or_default();
        self.write(&last, true).await?;
        self.out.shutdown().await.map_err(|e| self.io(e))?;
        Ok(FileEntry {
            name: self.binding.file.clone(),
            bytes: self.bytes,
            frames: self.index,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }

    async fn write(&mut self, plaintext: &[u8], last: bool) -> Result<(), BackupError> {
        let sealed = aead::seal(
            &self.binding.key,
            &self.binding.aad(self.index, last),
            plaintext,
        )
        .map_err(|_| BackupError::Corrupt {
            backup: self.binding.backup.clone(),
            file: self.binding.file.clone(),
            reason: "a frame is too large to seal".to_owned(),
        })?;
        let len = u32::try_from(sealed.len())
            .ok()
            .filter(|len| *len <= MAX_FRAME)
            .ok_or_else(|| BackupError::Corrupt {
                backup: self.binding.backup.clone(),
                file: self.binding.file.clone(),
                reason: "a single value is larger than a backup frame (1 GiB)".to_owned(),
            })?;
        let header = len.to_be_bytes();
        for part in [&header[..], &sealed] {
            self.out.write_all(part).await.map_err(|e| self.io(e))?;
            self.hasher.update(part);
            self.bytes += part.len() as u64;
        }
        self.index += 1;
        Ok(())
    }

    fn io(&self, source: std::io::Error) -> BackupError {
        BackupError::Write {
            place: format!("{}/{}", self.binding.backup, self.binding.file),
            source,
        }
    }
}

/// Reads and opens the frames of a file written by [`FrameWriter`].
#[derive(Debug)]
pub(crate) struct FrameReader<R> {
    input: R,
    binding: Binding,
    index: u64,
    done: bool,
    hasher: Sha256,
    bytes: u64,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub(crate) fn new(input: R, binding: Binding) -> Self {
        Self {
            input,
            binding,
            index: 0,
            done: false,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The next frame's plaintext; `None` after the last frame, which must end the file.
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<u8>>, BackupError> {
        let mut header = [0u8; 4];
        let got = self.read_up_to(&mut header).await?;
        if self.done {
            return if got == 0 {
                Ok(None)
            } else {
                Err(self.corrupt("bytes follow the last frame"))
            };
        }
        if got < header.len() {
            return Err(self.corrupt("the file ends before its last frame (truncated)"));
        }
        let len = u32::from_be_bytes(header);
        if len > MAX_FRAME {
            return Err(self.corrupt("a frame length is out of range"));
        }
        let mut sealed = vec![0u8; len as usize];
        if self.read_up_to(&mut sealed).await? < sealed.len() {
            return Err(self.corrupt("the file ends inside a frame (truncated)"));
        }
        let plain = match aead::open(
            &self.binding.key,
            &self.binding.aad(self.index, false),
            &sealed,
        ) {
            Ok(plain) => plain,
            Err(_) => {
                let plain = aead::open(
                    &self.binding.key,
                    &self.binding.aad(self.index, true),
                    &sealed,
                )
                .map_err(|_| self.corrupt(&format!("frame {} failed verification", self.index)))?;
                self.done = true;
                plain
            }
        };
        self.index += 1;
        Ok(Some(plain))
    }

    /// SHA-256 (hex) and length of everything read so far.
    pub(crate) fn digest(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.bytes)
    }

    async fn read_up_to(&mut self, buf: &mut [u8]) -> Result<usize, BackupError> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = self
                .input
                .read(&mut buf[filled..])
                .await
                .map_err(|source| BackupError::Read {
                    place: format!("{}/{}", self.binding.backup, self.binding.file),
                    source,
                })?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        self.hasher.update(&buf[..filled]);
        self.bytes += filled as u64;
        Ok(filled)
    }

    fn corrupt(&self, reason: &str) -> BackupError {
        BackupError::Corrupt {
            backup: self.binding.backup.clone(),
            file: self.binding.file.clone(),
            reason: reason.to_owned(),
        }
    }
}

/// Up to [`FRAME_BYTES`] from `input`; empty at its end.
pub(crate) async fn read_chunk<R: AsyncRead + Unpin>(input: &mut R) -> std::io::Result<Vec<u8>> {
    let mut chunk = Vec::with_capacity(FRAME_BYTES);
    (&mut *input)
        .take(FRAME_BYTES as u64)
        .read_to_end(&mut chunk)
        .await?;
    Ok(chunk)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::crypto::aead::random_key;

    async fn written(frames: &[&[u8]]) -> (Vec<u8>, FileEntry, Binding) {
        let binding = Binding::new(random_key(), "b1", "database");
        let mut out = Vec::new();
        let mut writer = FrameWriter::new(&mut out, binding.clone());
        for frame in frames {
            writer.push(frame.to_vec()).await.unwrap();
        }
        let entry = writer.finish().await.unwrap();
        (out, entry, binding)
    }

    async fn read_all(bytes: &[u8], binding: Binding) -> Result<Vec<Vec<u8>>, BackupError> {
        let mut reader = FrameReader::new(bytes, binding);
        let mut frames = Vec::new();
        while let Some(frame) = reader.next().await? {
            frames.push(frame);
        }
        Ok(frames)
    }

    #[tokio::test]
    async fn frames_round_trip_and_the_digest_matches_the_entry() {
        let (bytes, entry, binding) = written(&[b"one", b"", b"three"]).await;
        assert_eq!(entry.frames, 3);
        assert_eq!(entry.bytes, bytes.len() as u64);
        let mut reader = FrameReader::new(&bytes[..], binding);
        let mut frames = Vec::new();
        while let Some(frame) = reader.next().await.unwrap() {
            frames.push(frame);
        }
        assert_eq!(frames, [b"one".to_vec(), vec![], b"three".to_vec()]);
        assert_eq!(reader.digest(), (entry.sha256, entry.bytes));
    }

    #[tokio::test]
    async fn an_empty_file_is_one_empty_last_frame() {
        let (bytes, entry, binding) = written(&[]).await;
        assert_eq!(entry.frames, 1);
        assert_eq!(read_all(&bytes, binding).await.unwrap(), [Vec::<u8>::new()]);
    }

    #[tokio::test]
    async fn flipped_truncated_extended_or_moved_files_are_refused() {
        let (bytes, _, binding) = written(&[b"alpha", b"beta"]).await;
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            assert!(read_all(&bad, binding.clone()).await.is_err(), "byte {i}");
        }
        let first_frame = 4 + u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
        assert!(
            read_all(&bytes[..first_frame], binding.clone())
                .await
                .is_err(),
            "a file cut after a whole frame"
        );
        let mut longer = bytes.clone();
        longer.extend_from_slice(&bytes[..first_frame]);
        assert!(read_all(&longer, binding.clone()).await.is_err());
        let elsewhere = Binding::new(binding.key, "b1", "blobs");
        assert!(read_all(&bytes, elsewhere).await.is_err());
        let other_backup = Binding::new(binding.key, "b2", "database");
        assert!(read_all(&bytes, other_backup).await.is_err());
    }
}
