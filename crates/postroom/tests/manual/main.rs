//! The manual and the README, checked against the code: the generated reference pages and
//! the package's configuration must be what the code generates now, and the README's demo
//! must run. One test binary for both, to keep the number of linked test binaries down.

// Test helpers: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod generated;
mod readme_demo;

use std::path::{Path, PathBuf};

/// The repository's root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
