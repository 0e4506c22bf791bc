//! The one AEAD construction: AES-256-GCM with a random 96-bit nonce and a version byte.
//!
//! Layout of a sealed value: `0x01 || nonce (12 bytes) || ciphertext || tag (16 bytes)`.
//! The version byte lets a later format be told apart from this one without guessing.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit};
use rand::RngCore;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Length of every key this module takes.
pub(crate) const KEY_LEN: usize = 32;

/// Why a sealed value could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenFailure {
    /// Too short or an unknown version byte: not something this module wrote.
    Malformed,
    /// The tag did not verify: wrong key, wrong associated data, or altered bytes.
    Rejected,
}

/// The plaintext exceeds AES-GCM's limit of 2^36 - 32 bytes per message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge;

/// Encrypts `plaintext` under `key`, binding `aad` to it.
pub(crate) fn seal(key: &[u8; KEY_LEN], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, TooLarge> {
    let cipher = Aes256Gcm::new(&(*key).into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let body = cipher
        .encrypt(
            &nonce.into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| TooLarge)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + body.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decrypts a value made by [`seal`] with the same key and associated data.
pub(crate) fn open(key: &[u8; KEY_LEN], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenFailure> {
    if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != VERSION {
        return Err(OpenFailure::Malformed);
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&sealed[1..=NONCE_LEN]);
    let cipher = Aes256Gcm::new(&(*key).into());
    cipher
        .decrypt(
            &nonce.into(),
            Payload {
                msg: &sealed[1 + NONCE_LEN..],
                aad,
            },
        )
        .map_err(|_| OpenFailure::Rejected)
}

/// A fresh random key.
pub(crate) fn random_key() -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    rand::rng().fill_bytes(&mut key);
    key
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_same_key_and_aad() {
        let key = random_key();
        for plaintext in [&b""[..], b"x", &[7u8; 100_000]] {
            let sealed = seal(&key, b"place", plaintext).unwrap();
            assert_eq!(open(&key, b"place", &sealed).as_deref(), Ok(plaintext));
        }
    }

    #[test]
    fn same_plaintext_seals_differently_each_time() {
        let key = random_key();
        assert_ne!(seal(&key, b"a", b"hello"), seal(&key, b"a", b"hello"));
    }

    #[test]
    fn other_aad_other_key_or_flipped_bit_is_rejected() {
        let key = random_key();
        let sealed = seal(&key, b"a", b"hello").unwrap();
        assert_eq!(open(&key, b"b", &sealed), Err(OpenFailure::Rejected));
        assert_eq!(
            open(&random_key(), b"a", &sealed),
            Err(OpenFailure::Rejected)
        );
        for i in 1..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                open(&key, b"a", &bad),
                Err(OpenFailure::Rejected),
                "byte {i}"
            );
        }
    }

    #[test]
    fn short_or_unknown_version_is_malformed() {
        let key = random_key();
        assert_eq!(open(&key, b"a", b""), Err(OpenFailure::Malformed));
        assert_eq!(open(&key, b"a", &[1u8; 28]), Err(OpenFailure::Malformed));
        let mut sealed = seal(&key, b"a", b"hello").unwrap();
        sealed[0] = 2;
        assert_eq!(open(&key, b"a", &sealed), Err(OpenFailure::Malformed));
    }
}
