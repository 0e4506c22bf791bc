//! The exported profile document: `{"version": 1, "profile": {…}}`.
//!
//! The version lets a later postroom read what an earlier one wrote (and refuse what a
//! later one wrote) instead of guessing. Its text is canonical: keys in the order of the
//! structs, maps sorted, two-space indentation and a final newline, so that exporting what
//! was imported gives the same bytes and two exports can be diffed.

use serde::{Deserialize, Serialize};

use super::{Profile, ProfileError};

/// The version of the document format this postroom writes and reads.
pub const DOCUMENT_VERSION: u32 = 1;

/// What a site exports and another imports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDocument {
    /// Free text for the reader; ignored on import.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// [`DOCUMENT_VERSION`] when written.
    pub version: u32,
    /// Every section of the tenant's profile.
    pub profile: Profile,
}

/// A profile as read for import, and where its sections sit in the text read.
#[derive(Debug, Clone)]
pub struct ReadProfile {
    /// The profile.
    pub profile: Profile,
    /// `profile.` for an exported document, empty for a bare profile: prefixed to the
    /// path of each mistake so that it points into the file as written.
    pub path_prefix: &'static str,
}

impl ProfileDocument {
    /// Wraps `profile` at the current version, with a note for its reader.
    pub fn new(profile: Profile) -> Self {
        Self {
            comment: Some(
                "postroom profile export: import it with `postroom profile import FILE`; \
                 every secret_ref must be defined in [secrets] of the importing site's \
                 postroom.toml"
                    .to_owned(),
            ),
            version: DOCUMENT_VERSION,
            profile,
        }
    }

    /// The canonical text.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// Reads an exported document, or a bare profile (JSON or TOML) as written by hand;
    /// a document of another version is refused.
    pub fn read(text: &str) -> Result<ReadProfile, ProfileError> {
        let exported = serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|v| v.get("profile").is_some() && v.get("version").is_some());
        if !exported {
            return Ok(ReadProfile {
                profile: Profile::from_text(text)?,
                path_prefix: "",
            });
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let document: Self =
            serde_path_to_error::deserialize(&mut de).map_err(|e| ProfileError::Json {
                path: e.path().to_string(),
                message: e.inner().to_string(),
            })?;
        if document.version != DOCUMENT_VERSION {
            return Err(ProfileError::Json {
                path: "version".to_owned(),
                message: format!(
                    "version {} is not one this postroom reads (it reads {DOCUMENT_VERSION})",
                    document.version
                ),
            });
        }
        Ok(ReadProfile {
            profile: document.profile,
            path_prefix: "profile.",
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BARE: &str = r#"{"own": {"addresses": ["support@example.com"]},
        "default": {"project": "SUP", "issue_type": "Task"}}"#;

    #[test]
    fn a_document_reads_back_to_the_same_text() {
        let profile = Profile::from_json(BARE).unwrap();
        let text = ProfileDocument::new(profile.clone()).to_json().unwrap();
        let read = ProfileDocument::read(&text).unwrap();
        assert_eq!(read.profile, profile);
        assert_eq!(read.path_prefix, "profile.");
        assert_eq!(ProfileDocument::new(read.profile).to_json().unwrap(), text);
        assert!(text.starts_with("{\n  \"//\""), "{text}");
    }

    #[test]
    fn bare_profiles_still_read_and_other_versions_are_refused() {
        let read = ProfileDocument::read(BARE).unwrap();
        assert_eq!(read.path_prefix, "");
        let later = format!(r#"{{"version": 2, "profile": {BARE}}}"#);
        let err = ProfileDocument::read(&later).unwrap_err().to_string();
        assert!(err.contains("version 2"), "{err}");
        let typo = format!(r#"{{"version": 1, "profile": {BARE}, "extra": 1}}"#);
        assert!(ProfileDocument::read(&typo).is_err());
    }

    #[test]
    fn an_exported_document_loads_like_the_bare_profile() {
        let exported = ProfileDocument::new(Profile::from_json(BARE).unwrap())
            .to_json()
            .unwrap();
        let loaded = Profile::load(&exported).unwrap();
        assert_eq!(loaded.profile, Profile::load(BARE).unwrap().profile);
    }
}
