//! The Forge Invocation Token: every call from Forge carries one (`Authorization: Bearer`),
//! and it alone says which installation, site, module and person a call is for.
//!
//! Checked before the body is read: RS256 under a key of Forge's JWKS found by `kid`,
//! `iss` = `forge/invocation-token`, `aud` = this app's id, and `exp`/`nbf` within a small
//! leeway. The site's API base URL must be HTTPS (plain HTTP only on loopback, where the
//! sandbox plays Forge), so a token can never point postroom's Jira calls elsewhere.

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::jwks::{Jwks, JwksError};

/// The issuer of every Forge Invocation Token.
pub const ISSUER: &str = "forge/invocation-token";

/// Clock skew allowed on `exp` and `nbf`, in seconds: Forge's tokens live about a minute.
const LEEWAY_SECS: u64 = 10;

/// A verified invocation: what the token says, and nothing from the body or other headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// `ari:cloud:ecosystem::installation/UUID`.
    pub installation_id: String,
    pub cloud_id: String,
    /// The site's REST API through Atlassian's gateway.
    pub api_base_url: String,
    /// The module that made the call (`key`), when the token names one.
    pub module: Option<String>,
    /// The Atlassian account the call acts for, when a person made it.
    pub principal: Option<String>,
    /// The licence the token carried: `None` for installs without licensing (development,
    /// free, private), which count as licensed.
    pub licence_active: Option<bool>,
}

/// Why a call was refused (each answered 401; the reason is logged, never echoed in detail).
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error("no `Authorization: Bearer` invocation token")]
    Missing,
    #[error("the invocation token is malformed: {0}")]
    Malformed(String),
    #[error("the invocation token must be RS256 with a key id")]
    Algorithm,
    #[error(transparent)]
    Key(#[from] JwksError),
    #[error("the invocation token is not valid: {0}")]
    Invalid(String),
    #[error("the invocation token names an API base URL postroom will not call: {0}")]
    ApiBaseUrl(String),
}

#[derive(Debug, Deserialize)]
struct Claims {
    app: AppClaims,
    #[serde(default)]
    context: Option<ContextClaims>,
    #[serde(default)]
    principal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppClaims {
    id: String,
    installation_id: String,
    api_base_url: String,
    #[serde(default)]
    module: Option<ModuleClaims>,
    #[serde(default)]
    license: Option<LicenceClaims>,
}

#[derive(Debug, Deserialize)]
struct ModuleClaims {
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LicenceClaims {
    is_active: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContextClaims {
    #[serde(default)]
    cloud_id: Option<String>,
}

/// Verifies invocation tokens for one app. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FitVerifier {
    app_id: String,
    jwks: Jwks,
}

impl FitVerifier {
    pub fn new(app_id: String, jwks: Jwks) -> Self {
        Self { app_id, jwks }
    }

    /// The JWKS the keys come from (for its fetch count).
    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    /// Verifies the `Authorization` header's token.
    pub async fn verify(&self, authorization: Option<&str>) -> Result<Invocation, FitError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(FitError::Missing)?;
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| FitError::Malformed(e.to_string()))?;
        let kid = match (header.alg, header.kid) {
            (Algorithm::RS256, Some(kid)) => kid,
            _ => return Err(FitError::Algorithm),
        };
        let key = self.jwks.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&self.app_id]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| FitError::Invalid(e.to_string()))?;
        let claims = data.claims;
        if claims.app.id != self.app_id {
            return Err(FitError::Invalid("app.id is another app's".to_owned()));
        }
        check_api_base_url(&claims.app.api_base_url)?;
        let cloud_id = claims
            .context
            .and_then(|c| c.cloud_id)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| FitError::Invalid("context.cloudId is missing".to_owned()))?;
        if claims.app.installation_id.trim().is_empty() {
            return Err(FitError::Invalid("app.installationId is empty".to_owned()));
        }
        Ok(Invocation {
            installation_id: claims.app.installation_id,
            cloud_id,
            api_base_url: claims.app.api_base_url.trim_end_matches('/').to_owned(),
            module: claims.app.module.map(|m| m.key),
            principal: claims.principal.filter(|p| !p.is_empty()),
            licence_active: claims.app.license.map(|l| l.is_active),
        })
    }
}

/// HTTPS anywhere, plain HTTP only to a loopback address.
fn check_api_base_url(url: &str) -> Result<(), FitError> {
    if crate::app::https_or_loopback(url) {
        Ok(())
    } else {
        Err(FitError::ApiBaseUrl(url.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_sites_are_called() {
        assert!(check_api_base_url("https://api.atlassian.com/ex/jira/abc").is_ok());
        assert!(check_api_base_url("http://127.0.0.1:8080/sandbox/jira").is_ok());
        assert!(check_api_base_url("http://[::1]:80/x").is_ok());
        assert!(check_api_base_url("http://localhost:1/x").is_ok());
        for bad in [
            "http://api.atlassian.com/ex/jira/abc",
            "http://10.0.0.1/x",
            "ftp://x/y",
            "not a url",
            "",
        ] {
            assert!(check_api_base_url(bad).is_err(), "{bad}");
        }
    }
}
