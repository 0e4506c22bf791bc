//! The tenant: one Jira site, the unit of isolation for every row and blob.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::redact::Redactor;

/// The name of a tenant, as used in `--tenant`, in blob keys and in every row.
///
/// It is restricted to a short lower-case slug so that it can be put in a blob key or a URL
/// path without escaping, and so that two spellings can never name the same site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

/// Why a string is not a tenant name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantIdError {
    #[error("a tenant name must not be empty")]
    Empty,
    #[error("a tenant name is at most {max} characters, got {got}")]
    TooLong { max: usize, got: usize },
    #[error(
        "a tenant name may hold only a-z, 0-9, '-' and '_', and must start with a letter or digit: {0:?}"
    )]
    InvalidCharacters(String),
}

impl TenantId {
    /// The longest tenant name; Connect client keys are UUIDs (36), so 64 leaves room.
    pub const MAX_LEN: usize = 64;

    /// The tenant of a self-hosted install.
    pub fn default_tenant() -> Self {
        Self("default".to_owned())
    }

    /// Checks that `name` is a valid tenant name.
    pub fn parse(name: &str) -> Result<Self, TenantIdError> {
        if name.is_empty() {
            return Err(TenantIdError::Empty);
        }
        if name.len() > Self::MAX_LEN {
            return Err(TenantIdError::TooLong {
                max: Self::MAX_LEN,
                got: name.len(),
            });
        }
        let valid_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        let starts_well = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !starts_well || !name.chars().all(valid_char) {
            return Err(TenantIdError::InvalidCharacters(name.to_owned()));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How per-site metric series name their site (`http.metrics_site_names`). A tenant's name
/// is often its customer's name, and a metrics scraper is often run by someone who should
/// not learn who the customers are, so by default the label is opaque.
#[derive(Debug, Clone)]
pub enum SiteLabels {
    /// `site-` and 48 bits of the keyed hash of the tenant's name: stable on one instance
    /// (series survive a restart), and nobody without the key can test a guessed name.
    Opaque(Redactor),
    /// The tenant names themselves, for operators who want them on their dashboards.
    Names,
}

impl SiteLabels {
    /// Hex digits of the keyed hash kept: enough to tell any one instance's sites apart.
    const KEPT_HEX: usize = 12;

    /// The `tenant` label of `tenant`'s series.
    pub fn of(&self, tenant: &TenantId) -> String {
        match self {
            Self::Names => tenant.0.clone(),
            Self::Opaque(redactor) => {
                let key = redactor.lookup_key("site", &tenant.0);
                let hex = key.split_once(':').map_or(key.as_str(), |(_, hex)| hex);
                format!("site-{}", &hex[..Self::KEPT_HEX.min(hex.len())])
            }
        }
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TenantId {
    type Error = TenantIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TenantId> for String {
    fn from(value: TenantId) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_slugs_and_uuids() {
        assert!(TenantId::parse("default").is_ok());
        assert!(TenantId::parse("8f14e45f-ceea-467f-a0e6-1a2b3c4d5e6f").is_ok());
    }

    #[test]
    fn rejects_what_cannot_go_into_a_blob_key() {
        assert_eq!(TenantId::parse(""), Err(TenantIdError::Empty));
        assert!(matches!(
            TenantId::parse("a/b"),
            Err(TenantIdError::InvalidCharacters(_))
        ));
        assert!(matches!(
            TenantId::parse("Default"),
            Err(TenantIdError::InvalidCharacters(_))
        ));
        assert!(matches!(
            TenantId::parse("-x"),
            Err(TenantIdError::InvalidCharacters(_))
        ));
        assert!(matches!(
            TenantId::parse(&"a".repeat(65)),
            Err(TenantIdError::TooLong { .. })
        ));
    }

    #[test]
    fn metric_labels_hide_site_names_unless_asked_and_stay_stable_per_key() {
        let acme = TenantId::parse("acme-corp").unwrap();
        let globex = TenantId::parse("globex").unwrap();
        let opaque = SiteLabels::Opaque(Redactor::new([7; 32]));
        let label = opaque.of(&acme);
        assert!(label.starts_with("site-") && label.len() == 17, "{label}");
        assert!(!label.contains("acme"));
        assert_eq!(label, opaque.of(&acme), "stable on one instance");
        assert_ne!(label, opaque.of(&globex));
        assert_ne!(
            label,
            SiteLabels::Opaque(Redactor::new([8; 32])).of(&acme),
            "another key, another label"
        );
        assert_eq!(SiteLabels::Names.of(&acme), "acme-corp");
    }
}
