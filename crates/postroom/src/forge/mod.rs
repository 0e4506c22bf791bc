//! postroom as the remote backend of its Forge app: how a Jira Cloud site installs
//! postroom, and how Forge's calls are trusted.
//!
//! Every call from Forge is verified before its body is read ([`fit`]); the installation,
//! the site and the person come from the token only. Each installation is one tenant
//! ([`postroom_store::forge`]), whose Jira calls go to the site's API base URL with the app
//! system token Forge hands over with its calls ([`tokens`]). Jira's events arrive as Forge
//! events ([`events`]) and join the webhook path. An uninstalled site stops taking mail and
//! is crypto-shredded `erase_after_days` later ([`erase`]) unless it installs again.

pub mod erase;
pub mod events;
pub mod fit;
pub mod jwks;
pub mod sandbox;
pub mod tokens;

use postroom_store::crypto::Keyring;

pub use fit::{FitError, FitVerifier, Invocation};
pub use jwks::Jwks;
pub use tokens::ForgeTokens;

use crate::config::ForgeConfig;

/// What the `/forge` endpoints work with. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ForgeEdge {
    pub verifier: FitVerifier,
    pub tokens: ForgeTokens,
    pub keyring: Keyring,
    /// `[forge] erase_after_days`, for telling administrators when an uninstalled site goes.
    pub erase_after_days: u32,
}

impl ForgeEdge {
    /// The edge for `[forge]`; `None` when no `app_id` is set (the endpoints answer 404).
    pub fn from_config(
        config: &ForgeConfig,
        tokens: ForgeTokens,
        keyring: Keyring,
    ) -> Option<Self> {
        let app_id = config.app_id.clone().filter(|a| !a.trim().is_empty())?;
        Some(Self {
            verifier: FitVerifier::new(app_id, Jwks::new(config.jwks_url.clone())),
            tokens,
            keyring,
            erase_after_days: config.erase_after_days,
        })
    }
}
