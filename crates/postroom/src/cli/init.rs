//! `postroom init`: a commented starter configuration.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::Globals;
use crate::config::DEFAULT_PATH;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// The starter file: every key with its default, commented, so that an administrator
/// uncomments what they change.
pub const STARTER: &str = r#"# postroom configuration.
# Every key can be overridden by an environment variable POSTROOM_<SECTION>__<KEY>,
# e.g. POSTROOM_STORAGE__URL=postgres://postroom@db/postroom. Secrets are best kept in
# files (keys ending in _file, mode 0600).

[storage]
# sqlite:PATH (embedded default) or postgres://user@host/db for several instances.
# url = "sqlite:./data/postroom.db"
# Local state: the SQLite file, blobs, the master key.
# data_dir = "./data"
# Blobs (raw mail, sent MIME), always encrypted with the tenant's key: local or s3.
# blobs = "local"
# blob_dir = "./data/blobs"
# For blobs = "s3" (any S3-compatible service; requests are path-style):
# s3_endpoint = "https://s3.example.net"
# s3_bucket = "postroom"
# s3_region = "us-east-1"
# File with lines `access_key_id = …` and `secret_access_key = …` (mode 0600).
# s3_credentials_file = "/etc/postroom/s3-credentials"
# s3_allow_http = false

[keys]
# The master key wraps every tenant's data key. Without one, the first `serve` generates
# ./data/master.key (mode 0600): back it up apart from the data, or everything encrypted is
# lost. Or give it as 64 hex digits in POSTROOM_KEYS__MASTER_KEY.
# master_key_file = "./data/master.key"
# The key replaced by `postroom keys rotate` (default: <master_key_file>.previous).
# previous_master_key_file = "./data/master.key.previous"
# Wrapped tenant keys; keep them out of database backups (erasing a tenant deletes its file).
# vault_dir = "./data/keys"

[http]
# REST API, webhooks, /healthz, /readyz and /metrics.
# addr = "127.0.0.1:8080"

[log]
# human or json; addresses and subjects are only ever logged as keyed hashes.
# format = "human"
# filter = "info"

[jira]
# Without a Jira site postroom still takes mail in and holds it until one is configured.
# url = "https://your-site.atlassian.net"
# api_token (Jira Cloud, e-mail + API token), pat (Data Center) or oauth
# auth = "api_token"
# email = "postroom@your-company.example"
# token_file = "/etc/postroom/jira-token"
"#;

pub fn run(globals: &Globals, _args: Args) -> anyhow::Result<ExitCode> {
    let path = globals
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!("{} already exists; not overwriting it", path.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    file.write_all(STARTER.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}
