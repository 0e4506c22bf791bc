//! `[secrets]`: the values behind the `{"secret_ref": NAME}` references of the profiles.
//!
//! A profile travels between sites and lives in the database, so it names its credentials
//! instead of holding them; each site says here what a name stands for:
//!
//! ```toml
//! [secrets]
//! imap-support = "app-password"                      # inline
//! imap-billing = { file = "/etc/postroom/billing" }  # read at start (mode 0600)
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::Secret;

/// The named secrets of this site, every file already read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secrets(BTreeMap<String, Source>);

/// Where a secret's value is: inline, or in a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Source {
    Value(Secret),
    File(FileSource),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSource {
    file: PathBuf,
}

impl Secrets {
    /// The value of the secret `name`, `None` when this site does not define it.
    pub fn get(&self, name: &str) -> Option<&Secret> {
        match self.0.get(name)? {
            Source::Value(secret) => Some(secret),
            Source::File(_) => None,
        }
    }

    /// Reads every `{ file = … }`, so that a missing file stops the start instead of the
    /// first mailbox that needs it; the error names the key.
    pub(super) fn read_files(&mut self) -> Result<(), (String, String)> {
        for (name, source) in &mut self.0 {
            if let Source::File(FileSource { file }) = source {
                let secret = Secret::from_file(file)
                    .map_err(|message| (format!("secrets.{name}"), message))?;
                *source = Source::Value(secret);
            }
        }
        Ok(())
    }
}
