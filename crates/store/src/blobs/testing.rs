//! Blob stores for tests: a temporary local directory, and a fresh bucket on the
//! S3-compatible server named by `POSTROOM_TEST_S3` (moto in `scripts/test`). Without that
//! variable the S3 half is skipped with a message, except under `CI=true`, where a missing
//! server is a failure.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{BlobConfig, BlobError, BlobStore, S3Config};

/// A blob store with whatever must live as long as it.
#[derive(Debug)]
pub struct TestBlobs {
    pub store: BlobStore,
    pub config: BlobConfig,
    _dir: Option<tempfile::TempDir>,
}

/// A store on a new temporary directory.
pub fn local() -> Result<TestBlobs, BlobError> {
    let dir = tempfile::tempdir().map_err(|e| BlobError::Config(format!("temp dir: {e}")))?;
    let config = BlobConfig::Local(dir.path().join("blobs"));
    Ok(TestBlobs {
        store: BlobStore::open(&config)?,
        config,
        _dir: Some(dir),
    })
}

/// A store on a new bucket of the `POSTROOM_TEST_S3` server, or `None` when unset.
///
/// # Panics
/// Under `CI=true` when `POSTROOM_TEST_S3` is unset: CI must never skip the S3 half.
pub fn s3() -> Result<Option<TestBlobs>, BlobError> {
    let Ok(endpoint) = std::env::var("POSTROOM_TEST_S3") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "POSTROOM_TEST_S3 is not set under CI=true: S3 blob tests must run"
        );
        eprintln!("POSTROOM_TEST_S3 is not set: skipping the S3 half of this test");
        return Ok(None);
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let bucket = format!(
        "postroom-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    create_bucket(&endpoint, &bucket)?;
    let config = BlobConfig::S3(S3Config {
        endpoint: Some(endpoint),
        bucket,
        region: "us-east-1".to_owned(),
        access_key_id: "test".to_owned(),
        secret_access_key: "test".to_owned(),
        allow_http: true,
    });
    Ok(Some(TestBlobs {
        store: BlobStore::open(&config)?,
        config,
        _dir: None,
    }))
}

/// One fresh store per blob backend available to this run.
pub fn all_backends() -> Result<Vec<TestBlobs>, BlobError> {
    let mut stores = vec![local()?];
    stores.extend(s3()?);
    Ok(stores)
}

/// Creates a bucket with a plain `PUT /bucket` (the test server does not check signatures;
/// object_store has no bucket API).
fn create_bucket(endpoint: &str, bucket: &str) -> Result<(), BlobError> {
    let fail =
        |what: String| BlobError::Config(format!("creating bucket {bucket} at {endpoint}: {what}"));
    let host = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| fail("endpoint must be http://HOST:PORT".to_owned()))?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(host).map_err(|e| fail(e.to_string()))?;
    write!(
        stream,
        "PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| fail(e.to_string()))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| fail(e.to_string()))?;
    match response.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        other => Err(fail(format!("server answered {other:?}"))),
    }
}
