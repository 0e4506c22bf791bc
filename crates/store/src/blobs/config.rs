//! Which backend holds the blobs.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;

use super::BlobError;

/// Where blobs are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobConfig {
    /// A local directory (default `./data/blobs`), created when missing.
    Local(PathBuf),
    /// Process memory: for tests only, lost at exit.
    Memory,
    /// An S3-compatible service.
    S3(S3Config),
}

/// An S3-compatible bucket. Requests are path-style (`endpoint/bucket/key`), which every
/// S3-compatible server accepts; `allow_http` is for a server on loopback.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

impl S3Config {
    /// Reads `access_key_id` and `secret_access_key` from a credentials file of
    /// `name = value` lines (blank lines and `#` comments ignored).
    pub fn read_credentials(path: &std::path::Path) -> Result<(String, String), BlobError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            BlobError::Config(format!(
                "cannot read credentials file {}: {e}",
                path.display()
            ))
        })?;
        let mut id = None;
        let mut secret = None;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("access_key_id", v)) => id = Some(v.to_owned()),
                Some(("secret_access_key", v)) => secret = Some(v.to_owned()),
                _ => {
                    return Err(BlobError::Config(format!(
                        "credentials file {}: unexpected line (want access_key_id = … and \
                         secret_access_key = …)",
                        path.display()
                    )));
                }
            }
        }
        match (id, secret) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            _ => Err(BlobError::Config(format!(
                "credentials file {} must set access_key_id and secret_access_key",
                path.display()
            ))),
        }
    }
}

impl BlobConfig {
    pub(crate) fn build(&self) -> Result<(Arc<dyn ObjectStore>, String), BlobError> {
        match self {
            BlobConfig::Local(dir) => {
                // 0700: blobs are sealed, but their names and sizes are nobody else's business.
                crate::crypto::create_private_dir(dir).map_err(|e| {
                    BlobError::Config(format!(
                        "cannot create blob directory {}: {e}",
                        dir.display()
                    ))
                })?;
                let store = LocalFileSystem::new_with_prefix(dir).map_err(|e| {
                    BlobError::Config(format!("blob directory {}: {e}", dir.display()))
                })?;
                Ok((
                    Arc::new(store),
                    format!("local directory {}", dir.display()),
                ))
            }
            BlobConfig::Memory => Ok((Arc::new(InMemory::new()), "memory".to_owned())),
            BlobConfig::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key)
                    .with_virtual_hosted_style_request(false)
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                let store = builder
                    .build()
                    .map_err(|e| BlobError::Config(format!("S3 bucket {}: {e}", s3.bucket)))?;
                let place = s3.endpoint.as_deref().unwrap_or("AWS");
                Ok((
                    Arc::new(store),
                    format!("S3 bucket {} at {place}", s3.bucket),
                ))
            }
        }
    }
}
