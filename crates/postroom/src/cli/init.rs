//! `postroom init`: a commented starter configuration.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use postroom_store::crypto::MasterKeySource;

use super::Globals;
use crate::config::DEFAULT_PATH;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep local state (the SQLite database, blobs, the master key and the key vault) in
    /// DIR instead of ./data: `storage.url` and `storage.data_dir` are written out set.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<String>,
    /// Print the starter file on standard output instead, and touch nothing else (no file,
    /// no master key): how the Debian package's /etc/postroom/postroom.toml is made.
    #[arg(long)]
    stdout: bool,
}

/// The starter file: every key with its default, commented, so that an administrator
/// uncomments what they change.
pub const STARTER: &str = r#"# postroom configuration.
# Every key can be overridden by an environment variable POSTROOM_<SECTION>__<KEY>,
# e.g. POSTROOM_STORAGE__URL=postgres://postroom@db/postroom. Secrets are best kept in
# files (keys ending in _file, mode 0600).

# After SIGTERM or Ctrl-C: seconds a job in hand may still run before it is cut off and
# handed back (at once) to the next instance; listeners stop accepting right away.
# shutdown_grace_secs = 10

[storage]
# sqlite:PATH (embedded default) or postgres://user@host/db for several instances.
# url = "sqlite:./data/postroom.db"
# Local state: the SQLite file, blobs, the master key and the key vault.
# data_dir = "./data"
# Blobs (raw mail for audit, sent MIME), encrypted; DATA_DIR/blobs by default.
# blobs_dir = "./data/blobs"
# Or an S3-compatible bucket, for several instances:
# [storage.s3]
# bucket = "postroom"
# region = "us-east-1"
# endpoint = "http://127.0.0.1:9000"
# credentials_file = "/etc/postroom/s3-credentials"   # access_key_id = … / secret_access_key = …

[http]
# REST API, webhooks, /healthz, /readyz and /metrics.
# addr = "127.0.0.1:8080"
# /metrics here answers only to `Authorization: Bearer TOKEN` with the token in this file
# (401 otherwise)...
# metrics_token_file = "/etc/postroom/metrics-token"
# ...or is served without a token on a loopback address, for a scraper on this host.
# metrics_addr = "127.0.0.1:9464"
# The address people use to reach postroom: sign-in links and OAuth redirect URIs are made
# from it, and the console's cookies are Secure when it is https.
# public_url = "https://postroom.your-company.example"
# Reverse proxies whose X-Forwarded-For names the client in the access log.
# trusted_proxies = ["10.0.0.0/8"]

[log]
# human or json; addresses and subjects are only ever logged as keyed hashes.
# format = "human"
# filter = "info"

[keys]
# The master key wraps every tenant's data key. By default it is DATA_DIR/master.key,
# generated (mode 0600) by `init` or the first `serve`: BACK IT UP with the key vault.
# master_key_file = "./data/master.key"
# Or give it as 64 hex digits, best as POSTROOM_KEYS__MASTER_KEY (then, to rotate, set the
# old value as previous_master_key and run `postroom keys rotate`).
# master_key = "…"
# previous_master_key = "…"
# Each tenant's wrapped data key; erasing a tenant deletes its file here.
# vault_dir = "./data/keys"

[inbound]
# The profile of the tenant `default` (see examples/profile.json): its own addresses and
# domains are the only recipients the SMTP/LMTP listener accepts.
# profile = "/etc/postroom/profile.json"
# Largest message taken in from any source, in bytes.
# max_size = 26214400
# Days the audit keeps each message's record, raw mail and report (every tenant).
# retention_days = 30
# Seconds a mail waits at most for the earlier mails of its conversation (its original).
# thread_wait_secs = 600
# false: the raw mail of uploads and file imports is deleted once processed (the report
# stays). [smtp] and each [[mailboxes]] entry have their own store_raw.
# store_raw = true

# The bounds within which each site sets its own periods (`tenant set --intake-days …`);
# by default 1 day to [inbound] retention_days.
# [retention.min_days]
# intake = 7
# [retention.max_days]
# intake = 90
# reports = 365
# sent_mail = 90

[backup]
# Encrypted backups of the database and the blobs (`postroom backup`). Name another disk
# or a bucket: the default DATA_DIR/backups shares the data's disk. Backups never hold the
# master key or the key vault: keep those apart.
# to = "/mnt/backups/postroom"   # or "s3://BUCKET/PREFIX"
# schedule = "weekly"            # daily, weekly, a duration such as "12h", or "off"
# keep = 8

[smtp]
# SMTP / LMTP listeners (`serve --smtp ADDR` / `--lmtp ADDR` override).
# addr = "0.0.0.0:25"
# lmtp_addr = "127.0.0.1:24"
# hostname = "mail.your-company.example"
# STARTTLS is offered when both are set.
# tls_cert_file = "/etc/postroom/smtp.crt"
# tls_key_file = "/etc/postroom/smtp.key"
# max_connections = 100
# max_recipients = 100
# Sessions one peer address (IPv6: one /64) may hold at once; more get 421.
# max_connections_per_peer = 10
# Your own MX, if all mail is relayed through it: exempt from max_connections_per_peer.
# trusted_relays = ["192.0.2.7", "10.0.0.0/8"]
# Seconds from the greeting to the first MAIL FROM; later commands get 300 s, or this
# while the listener is at least 80 % full.
# greeting_timeout_secs = 30
# store_raw = true

# postroom's own mail (acknowledgements), through your relay. Unset: none is sent
# (`serve --sandbox` writes .eml files to DATA_DIR/outbox instead). Bounces come back to
# bounce_address + "+TOKEN": put its domain in the profile's own.domains.
# [outbound]
# transport = "smtp"
# host = "smtp.your-company.example"
# port = 587
# security = "starttls"
# username = "postroom"
# password = "…"
# bounce_address = "bounces@help.your-company.example"

[jira]
# Without a Jira site postroom still takes mail in and holds it until one is configured.
# url = "https://your-site.atlassian.net"
# api_token (Jira Cloud, e-mail + API token), pat (Data Center) or oauth
# auth = "api_token"
# email = "postroom@your-company.example"
# token_file = "/etc/postroom/jira-token"

[operator]
# Your Slack-compatible incoming webhook (its URL in a file, mode 0600): postroom tells it
# when a Jira Cloud site installs or uninstalls the app, and passes on sites' feedback.
# webhook_url_file = "/etc/postroom/operator-webhook"

[console]
# The web console at /: sessions end after this many idle minutes, and at the latest after
# session_max_hours (1 to 12).
# session_idle_minutes = 60
# session_max_hours = 12
# A session signed in through Jira ends once its grant is revoked: checked this often.
# session_check_minutes = 5
# Sign-in through Jira Cloud (Atlassian OAuth 2.0 3LO app; its callback URL is
# PUBLIC_URL/auth/callback). Without it, `postroom console link --account-id ID` prints
# one-time sign-in links.
# [console.oauth]
# provider = "atlassian"   # or "data_center": Jira Data Center's own OAuth 2.0 provider
# client_id = "…"
# client_secret_file = "/etc/postroom/oauth-client-secret"

# What the {"secret_ref": "NAME"} references of an imported profile stand for on this site
# (`postroom profile export` lists the names a profile needs).
# [secrets]
# imap-support = { file = "/etc/postroom/imap-support" }
"#;

/// The starter file, with its local state in `data_dir` when one is given.
pub fn starter(data_dir: Option<&str>) -> String {
    let Some(dir) = data_dir.map(|d| d.trim_end_matches('/')) else {
        return STARTER.to_owned();
    };
    STARTER
        .replace(
            "# url = \"sqlite:./data/postroom.db\"",
            &format!("url = \"sqlite:{dir}/postroom.db\""),
        )
        .replace("# data_dir = \"./data\"", &format!("data_dir = \"{dir}\""))
        .replace("\"./data/", &format!("\"{dir}/"))
}

pub fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let text = starter(args.data_dir.as_deref());
    if args.stdout {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
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
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}", path.display());
    let config = crate::app::load_config(globals)?;
    if config.keys.master_key.is_none() {
        let (_, source) = crate::keys::open_keyring(&config)?;
        match &source {
            MasterKeySource::Generated(key) => println!("wrote {}", key.display()),
            MasterKeySource::File(key) => println!("kept the master key in {}", key.display()),
            MasterKeySource::Value => {}
        }
        crate::keys::announce(&source, &crate::keys::vault_dir(&config));
    }
    Ok(ExitCode::SUCCESS)
}
