//! DKIM signing with a configured key, so that receivers can tell postroom's mail from
//! forgeries of the tenant's domain (and DMARC passes for it).

use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{DkimSigner, Done};
use postroom_core::ports::mail_sender::SendError;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

use super::settings::DkimSettings;

/// Header fields signed when the settings name none: those a forger would change, plus
/// the threading headers postroom relies on to route replies.
const DEFAULT_HEADERS: [&str; 10] = [
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
];

/// A signer for one domain and selector.
pub enum Dkim {
    /// RSA-SHA256, what every receiver checks.
    Rsa(DkimSigner<RsaKey<Sha256>, Done>),
    /// Ed25519-SHA256 (RFC 8463), smaller keys; not all receivers check it yet.
    Ed25519(DkimSigner<Ed25519Key, Done>),
}

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Holds a private key: show only its kind.
        f.write_str(match self {
            Self::Rsa(_) => "Dkim(rsa-sha256)",
            Self::Ed25519(_) => "Dkim(ed25519-sha256)",
        })
    }
}

impl Dkim {
    /// Reads the key file; the key kind is taken from the PEM.
    pub fn load(settings: &DkimSettings) -> Result<Self, SendError> {
        let pem = std::fs::read_to_string(&settings.key_file).map_err(|e| {
            SendError::Config(format!(
                "cannot read the DKIM key {}: {e}",
                settings.key_file.display()
            ))
        })?;
        let bad_key = |what: &str| {
            SendError::Config(format!(
                "the DKIM key {} is not {what}",
                settings.key_file.display()
            ))
        };
        let headers: Vec<String> = match &settings.headers {
            Some(headers) if !headers.is_empty() => headers.clone(),
            _ => DEFAULT_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        };
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|_| bad_key("a PEM private key (RSA or Ed25519)"))?;
        if let PrivateKeyDer::Pkcs8(pkcs8) = &der
            && let Ok(key) = Ed25519Key::from_pkcs8_maybe_unchecked_der(pkcs8.secret_pkcs8_der())
        {
            return Ok(Self::Ed25519(signer(key, settings, headers)));
        }
        let key = RsaKey::<Sha256>::from_key_der(der)
            .map_err(|_| bad_key("an RSA (PKCS#1 or PKCS#8) or Ed25519 (PKCS#8) key"))?;
        Ok(Self::Rsa(signer(key, settings, headers)))
    }

    /// `message` with a `DKIM-Signature` field in front.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SendError> {
        let signature = match self {
            Self::Rsa(s) => s.sign(message),
            Self::Ed25519(s) => s.sign(message),
        }
        .map_err(|e| SendError::Local(format!("DKIM signing failed: {e}")))?;
        let mut out = signature.to_header().into_bytes();
        out.extend_from_slice(message);
        Ok(out)
    }
}

fn signer<K: mail_auth::common::crypto::SigningKey>(
    key: K,
    settings: &DkimSettings,
    headers: Vec<String>,
) -> DkimSigner<K, Done> {
    DkimSigner::from_key(key)
        .domain(settings.domain.clone())
        .selector(settings.selector.clone())
        .headers(headers)
}
