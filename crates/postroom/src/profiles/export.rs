//! `profile export`: the stored profile, every section as it is, plus the mailboxes of
//! `[[mailboxes]]` for the tenant `default`, as one versioned document without secrets.

use anyhow::Context;
use postroom_core::profile::mailboxes::name_of;
use postroom_core::profile::{Profile, ProfileDocument};
use postroom_core::scrub::{secret_refs, secret_values};

use super::mailboxes;
use crate::config::Config;

/// An exported document and the secrets a site must define to use it.
#[derive(Debug)]
pub struct Export {
    /// The document's canonical text.
    pub text: String,
    /// Every `secret_ref` name in it, sorted, each once.
    pub secret_names: Vec<String>,
}

/// The export of the stored profile `stored`; `with_configured` adds `[[mailboxes]]`
/// (the tenant `default`), ahead of the profile's own and in place of any of the same name.
pub fn document(stored: &str, config: &Config, with_configured: bool) -> anyhow::Result<Export> {
    let mut profile = Profile::from_json(stored).context("the stored profile cannot be read")?;
    if with_configured {
        let names = mailboxes::configured_names(config);
        profile
            .mailboxes
            .retain(|m| !name_of(m).is_some_and(|n| names.contains(&n)));
        profile.mailboxes.splice(0..0, mailboxes::exported(config)?);
    }
    let document = ProfileDocument::new(profile);
    let value = serde_json::to_value(&document.profile)?;
    // Imports refuse secret values, so none can be stored; checked again because this
    // document leaves the installation.
    let leaked = secret_values(&value);
    anyhow::ensure!(
        leaked.is_empty(),
        "not exported: the profile holds a secret value at {}",
        leaked.join(", ")
    );
    let mut secret_names: Vec<String> = secret_refs(&value).into_iter().map(|(_, n)| n).collect();
    secret_names.sort();
    secret_names.dedup();
    Ok(Export {
        text: document.to_json()?,
        secret_names,
    })
}
