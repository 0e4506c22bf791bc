//! Envelope encryption: one master key per instance, one data key per tenant.
//!
//! Every blob and every sensitive column is sealed with its tenant's data key (AES-256-GCM).
//! The data keys are kept wrapped by the master key in a key vault that lives apart from the
//! database, or, for a fleet, by each tenant's own AWS KMS key (see [`kms`]). Destroying a
//! tenant's wrapped key (disabling its KMS key) makes its rows, its blobs and every backup
//! of them unreadable (crypto-shredding). The associated data of each ciphertext names its
//! tenant and its place, so a ciphertext copied to another row or tenant fails to open.

pub(crate) mod aead;
mod cipher;
mod error;
mod keyring;
pub mod kms;
mod kms_keys;
mod master;
mod place;
mod rotation;
mod vault;

pub use cipher::TenantCipher;
pub use error::CryptoError;
pub use keyring::{KMS_RECHECK, Keyring};
pub use kms::{Kms, KmsError, KmsSettings};
pub use master::{MasterKey, MasterKeySource};
pub(crate) use master::{create_private_dir, private_file_options};
pub use place::Place;
pub use rotation::{MasterKeyFile, Rotation};
pub use vault::KeyVault;
