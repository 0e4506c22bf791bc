//! The TLS client configuration for SMTP, built with postroom's one crypto provider.
//!
//! The SMTP crate's own default relies on a process-wide rustls provider, which is
//! ambiguous (and panics) when several are compiled in; naming aws-lc-rs here avoids that.
//! Server certificates are checked against the system's trust store, or against a
//! configured CA file for a relay with a private CA.

use std::path::Path;
use std::sync::Arc;

use postroom_core::ports::mail_sender::SendError;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use rustls_platform_verifier::BuilderVerifierExt;
use tokio_rustls::TlsConnector;

/// A connector trusting `ca_file` alone when given, else the platform's roots.
pub fn connector(ca_file: Option<&Path>) -> Result<TlsConnector, SendError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SendError::Config(format!("TLS setup failed: {e}")))?;
    let config = match ca_file {
        Some(path) => builder
            .with_root_certificates(roots(path)?)
            .with_no_client_auth(),
        None => builder
            .with_platform_verifier()
            .map_err(|e| SendError::Config(format!("cannot load the system's CA roots: {e}")))?
            .with_no_client_auth(),
    };
    Ok(TlsConnector::from(Arc::new(config)))
}

fn roots(path: &Path) -> Result<RootCertStore, SendError> {
    let bad = |e: String| SendError::Config(format!("ca_file {}: {e}", path.display()));
    let mut store = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))?;
    for cert in certs {
        store
            .add(cert.map_err(|e| bad(e.to_string()))?)
            .map_err(|e| bad(e.to_string()))?;
    }
    if store.is_empty() {
        return Err(bad("no certificate in the file".to_owned()));
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_a_configuration_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.pem");
        assert!(matches!(
            connector(Some(&missing)),
            Err(SendError::Config(_))
        ));
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        assert!(matches!(connector(Some(&empty)), Err(SendError::Config(_))));
    }
}
