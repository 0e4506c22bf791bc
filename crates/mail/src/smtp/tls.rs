//! The server certificate for `STARTTLS`, loaded once and shared by every session.
//!
//! rustls runs on the aws-lc-rs provider, named explicitly: the process carries only that
//! provider (see STACK.md), and relying on a process-wide default would panic wherever
//! none was installed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// Why a certificate could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file named in the configuration.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The certificate chain is not valid PEM or holds no certificate.
    #[error("no usable certificate in the PEM chain: {reason}")]
    Certificate {
        /// What was wrong.
        reason: String,
    },
    /// The private key is not valid PEM (PKCS#8, PKCS#1 or SEC1).
    #[error("no usable private key in the PEM key: {reason}")]
    Key {
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("certificate and key rejected: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A loaded certificate and key, ready to accept TLS handshakes.
#[derive(Clone)]
pub struct Tls {
    acceptor: TlsAcceptor,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tls(..)")
    }
}

impl Tls {
    /// Builds from a PEM certificate chain (leaf first) and a PEM private key.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> Result<Self, TlsError> {
        let certs = CertificateDer::pem_slice_iter(chain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::Certificate {
                reason: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(TlsError::Certificate {
                reason: "the chain is empty".to_owned(),
            });
        }
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| TlsError::Key {
            reason: e.to_string(),
        })?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// Builds from the two PEM files an operator configures.
    pub fn from_pem_files(chain: &Path, key: &Path) -> Result<Self, TlsError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| TlsError::Read {
                path: path.to_owned(),
                source,
            })
        };
        Self::from_pem(&read(chain)?, &read(key)?)
    }

    pub(crate) fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_empty_pem_are_clear_errors() {
        assert!(matches!(
            Tls::from_pem(b"", b""),
            Err(TlsError::Certificate { .. })
        ));
        let missing = Tls::from_pem_files(Path::new("/nonexistent/c.pem"), Path::new("k"));
        assert!(matches!(missing, Err(TlsError::Read { .. })));
    }
}
