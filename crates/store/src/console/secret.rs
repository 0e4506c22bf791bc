//! The random secrets of sessions (`ps_…`) and sign-in links (`pl_…`).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A session cookie's value or a link's token: a prefix and 64 hex digits (256 random
/// bits). Shown once; `Debug` hides it; only [`Secret::hash`] is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(super) fn new(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(format!("{prefix}{}", hex::encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(super) fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// The stored hash of a presented secret, or `None` when it is not even shaped like
    /// one of `prefix` (so nonsense costs no query).
    pub(super) fn hash_of(prefix: &str, presented: &str) -> Option<String> {
        presented
            .strip_prefix(prefix)
            .filter(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|_| hex::encode(Sha256::digest(presented.as_bytes())))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_secrets_are_hashed() {
        let secret = Secret::new("ps_");
        assert_eq!(Secret::hash_of("ps_", secret.expose()), Some(secret.hash()));
        assert_eq!(Secret::hash_of("pl_", secret.expose()), None);
        assert_eq!(Secret::hash_of("ps_", "ps_abc"), None);
        assert_eq!(
            Secret::hash_of("ps_", &format!("ps_{}", "g".repeat(64))),
            None
        );
        assert_eq!(format!("{secret:?}"), "Secret(***)");
    }
}
