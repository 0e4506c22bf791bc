//! `postroom.toml`, its `POSTROOM_*` environment overrides and its secret files.
//!
//! Loading happens in three steps so that every error can point at its origin: the file is
//! deserialized on its own (type errors carry the file's line), environment overrides are
//! laid over it (errors name the variable), then the whole is validated (errors name the
//! file line or the variable that set the key).

mod backup;
mod console;
mod env;
mod error;
mod inbound;
mod locate;
mod operator;
mod retention;
mod secret;
mod secrets;
mod usage;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use backup::{BackupConfig, Target as BackupTargetSpec};
pub use console::{ConsoleConfig, MailboxOauthConfig, OauthConfig, OauthEndpoints, OauthProvider};
pub use error::ConfigError;
pub use inbound::{InboundConfig, SmtpConfig};
pub use operator::OperatorConfig;
pub use retention::{KindDays, RetentionConfig};
pub use secret::Secret;
pub use secrets::Secrets;
pub use usage::UsageConfig;

/// The default configuration file, relative to the working directory.
pub const DEFAULT_PATH: &str = "postroom.toml";

/// The whole configuration of one postroom instance.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// After SIGTERM or Ctrl-C, how long a job in hand may still run before it is cut off
    /// and its lease given back for the next instance (a top-level key, first in the file).
    pub shutdown_grace_secs: GraceSecs,
    pub storage: StorageConfig,
    pub http: HttpConfig,
    pub log: LogConfig,
    pub jira: JiraConfig,
    pub keys: KeysConfig,
    pub inbound: InboundConfig,
    pub smtp: SmtpConfig,
    /// `[[mailboxes]]`: IMAP mailboxes of the tenant `default`, polled by `serve`. Never
    /// written back out (they hold credentials).
    #[serde(skip_serializing)]
    pub mailboxes: Vec<postroom_mail::imap::MailboxSettings>,
    /// `[outbound]`: how postroom's own mail (acknowledgements) leaves: `transport = "smtp"`
    /// with a relay, or `transport = "file"` writing `.eml` files. Unset: no mail is sent
    /// (under `serve --sandbox`: files in `DATA_DIR/outbox`), except by a site whose
    /// administrator set its own relay in the console. Never written back out (it may hold
    /// a password).
    #[serde(skip_serializing)]
    pub outbound: Option<postroom_mail::send::OutboundSettings>,
    /// `[secrets]`: what the `{"secret_ref": NAME}` references of profiles stand for on
    /// this site. Never written back out.
    #[serde(skip_serializing)]
    pub secrets: Secrets,
    pub webhooks: WebhooksConfig,
    pub console: ConsoleConfig,
    pub forge: ForgeConfig,
    pub usage: UsageConfig,
    pub operator: OperatorConfig,
    pub backup: BackupConfig,
    pub retention: RetentionConfig,
}

/// `shutdown_grace_secs`, 10 unless set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GraceSecs(pub u64);

impl Default for GraceSecs {
    fn default() -> Self {
        Self(10)
    }
}

/// `[webhooks]`: the Jira webhook receiver (`POST /webhooks/jira`) of the tenant `default`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// A file holding the secret the site's admin webhook signs with (`X-Hub-Signature`),
    /// mode 0600. Unset: the one stored for the site (`postroom tenant webhook-secret`, or
    /// the console's Settings), else every delivery is refused with 401 (`serve --sandbox`
    /// stores one at its first start and registers the sandbox with it).
    pub secret_file: Option<PathBuf>,
    /// Largest body taken, in bytes; larger deliveries are answered 413.
    pub max_body_bytes: usize,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            secret_file: None,
            max_body_bytes: 1024 * 1024,
        }
    }
}

/// `[forge]`: postroom as the remote backend of its Forge app, through which Jira Cloud
/// sites install it (`app/forge/README.md`). Without `app_id` the `/forge` endpoints answer
/// 404.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForgeConfig {
    /// The app's id as its manifest names it (`ari:cloud:ecosystem::app/UUID`): every
    /// invocation token must be addressed to it (`aud`).
    pub app_id: Option<String>,
    /// Where Forge publishes the keys its invocation tokens are signed with.
    pub jwks_url: String,
    /// Days an uninstalled site's data is kept so that a reinstall finds everything; after
    /// them the site's tenant is crypto-shredded.
    pub erase_after_days: u32,
    /// The app's hourly quota of Jira requests across all the sites that installed it
    /// (Jira Cloud's global pool of points, counted one a request): every Forge site draws
    /// on it, with every instance on the same database, and a 429 naming the app's quota
    /// pauses them all. Set it to your app's tier.
    pub requests_per_hour: u32,
}

impl Default for ForgeConfig {
    fn default() -> Self {
        Self {
            app_id: None,
            jwks_url: "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json".to_owned(),
            erase_after_days: 30,
            requests_per_hour: 65_000,
        }
    }
}

/// `[storage]`: where the database, the blobs and the other local state live.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `sqlite:PATH` (the embedded default) or `postgres://…` for scale-out.
    pub url: String,
    /// Where local state lives: the SQLite file by default, blobs, the master key and the
    /// key vault. Directories postroom creates are mode 0700, a SQLite file it creates 0600.
    pub data_dir: PathBuf,
    /// The local blob directory; `DATA_DIR/blobs` when unset. Ignored when `s3` is set.
    pub blobs_dir: Option<PathBuf>,
    /// An S3-compatible bucket for blobs instead of the local directory (scale-out).
    pub s3: Option<S3Section>,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            url: "sqlite:./data/postroom.db".to_owned(),
            data_dir: PathBuf::from("./data"),
            blobs_dir: None,
            s3: None,
        }
    }
}

/// `[storage.s3]`: where blobs go when several instances share them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Section {
    /// The bucket's name.
    pub bucket: String,
    /// The bucket's region (`us-east-1` for most S3-compatible servers).
    pub region: String,
    /// Unset for AWS itself; e.g. `http://127.0.0.1:9000` for an S3-compatible server. Plain
    /// `http://` is accepted only because such servers often run beside postroom.
    pub endpoint: Option<String>,
    /// A file of `access_key_id = …` and `secret_access_key = …` lines (mode 0600).
    pub credentials_file: Option<PathBuf>,
}

/// `[keys]`: the master key that wraps every tenant's data key, and where those live.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// The master key as 64 hex digits (best given as `POSTROOM_KEYS__MASTER_KEY`).
    pub master_key: Option<Secret>,
    /// The master key file; `DATA_DIR/master.key` when unset, generated when missing.
    pub master_key_file: Option<PathBuf>,
    /// The master key before a rotation, so keys not yet re-wrapped still open.
    pub previous_master_key: Option<Secret>,
    /// The key vault: each tenant's wrapped data key; `DATA_DIR/keys` when unset. Back it
    /// up with the master key, apart from the database.
    pub vault_dir: Option<PathBuf>,
    /// AWS KMS keeps the tenants' data keys instead of the vault (a fleet of instances): each
    /// tenant gets a KMS key of its own, its data key wrapped by it is kept in the database,
    /// and erasing the tenant disables that KMS key. `postroom keys rotate` moves keys still
    /// in the vault under KMS.
    pub kms: Option<KmsSection>,
}

/// `[keys.kms]`: the AWS KMS that wraps each tenant's data key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KmsSection {
    /// The KMS region, e.g. `eu-west-1`.
    pub region: String,
    /// Unset for AWS itself (`https://kms.REGION.amazonaws.com`); another endpoint for a VPC
    /// endpoint or a KMS-compatible server.
    pub endpoint: Option<String>,
    /// A file of `access_key_id = …` and `secret_access_key = …` lines (mode 0600), of an
    /// identity allowed `kms:CreateKey`, `Encrypt`, `Decrypt`, `ReEncrypt*`, `DescribeKey`,
    /// `DisableKey` and `ScheduleKeyDeletion`.
    pub credentials_file: Option<PathBuf>,
}

/// `[http]`: the HTTP listener of the API, the console, webhooks, health and metrics.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Where the REST API, the console, webhooks, health and metrics are served
    /// (`serve --http` overrides).
    pub addr: SocketAddr,
    /// A file (mode 0600) holding the token that `/metrics` on `addr` asks for as
    /// `Authorization: Bearer TOKEN`. Unset: `/metrics` on `addr` answers 401.
    pub metrics_token_file: Option<PathBuf>,
    /// A loopback address serving `/metrics` without a token, for a scraper on this host.
    pub metrics_addr: Option<SocketAddr>,
    /// Label per-site series with the sites' names. Off: each site's label is an opaque
    /// `site-…` id (a keyed hash of its name), since a site's name is often its customer's.
    pub metrics_site_names: bool,
    /// The address people use to reach postroom (`https://postroom.example.com`): OAuth
    /// redirect URIs and sign-in links are made from it, and console cookies are `Secure`
    /// when it is https. Unset: `http://` and the listener's address.
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` header names the
    /// client for the access log; from anyone else the header is ignored.
    pub trusted_proxies: Vec<postroom_mail::smtp::Network>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_token_file: None,
            metrics_addr: None,
            metrics_site_names: false,
            public_url: None,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Human,
    /// One JSON object per event and line, for a log collector.
    Json,
}

/// `[log]`: what postroom writes to stderr. Addresses and subjects appear only as keyed
/// hashes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// The log format (`--log-format` overrides); the human format is coloured only when
    /// stderr is a terminal, `json` never.
    pub format: LogFormat,
    /// A `tracing` filter such as `info` or `postroom=debug,sqlx=warn`; `RUST_LOG` wins.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Human,
            filter: "info".to_owned(),
        }
    }
}

/// How the self-hosted tenant `default` reaches its Jira site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JiraAuth {
    /// Jira Cloud: the account's e-mail and an API token, sent as Basic auth.
    #[default]
    ApiToken,
    /// Jira Data Center: a personal access token, sent as Bearer.
    Pat,
    /// An OAuth 2.0 (3LO) access token.
    Oauth,
}

impl JiraAuth {
    /// The kind named by `api_token`, `pat` or `oauth`, as [`JiraAuth::as_str`] writes it.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::ApiToken, Self::Pat, Self::Oauth]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JiraAuth::ApiToken => "api_token",
            JiraAuth::Pat => "pat",
            JiraAuth::Oauth => "oauth",
        }
    }
}

/// `[jira]`: the Jira site of the tenant `default` and how postroom talks to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JiraConfig {
    /// The site's base URL, e.g. `https://example.atlassian.net`; unset means no Jira yet:
    /// mail is taken in and held.
    pub url: Option<String>,
    /// How postroom authenticates.
    pub auth: JiraAuth,
    /// The account postroom acts as (API-token auth).
    pub email: Option<String>,
    /// The API token or personal access token itself; prefer `token_file` (not both).
    pub token: Option<Secret>,
    /// A file holding the token (mode 0600); read at start.
    pub token_file: Option<PathBuf>,
    /// A ceiling on the requests per second postroom sends this site, all endpoints
    /// together; unset: none. Below it postroom finds by itself what the site allows (it
    /// speeds up while answers come back without 429 and latency stays steady, and slows
    /// down on 429 and rising latency).
    pub requests_per_sec: Option<f64>,
    /// Requests per second each endpoint starts at, before the site's answers show more.
    pub start_rate: f64,
    /// Requests in flight at once to this site, at most (the number in use adapts below it).
    pub max_concurrency: usize,
    /// Seconds a create whose answer was lost is looked for in search before the mail's
    /// job gives up for the moment: longer than the site's search index lag.
    pub index_lag_allowance_secs: u64,
    /// Seconds after such a create during which the retried job keeps looking (with
    /// growing pauses) instead of creating the issue anew.
    pub unknown_outcome_max_secs: u64,
}

impl Default for JiraConfig {
    fn default() -> Self {
        Self {
            url: None,
            auth: JiraAuth::default(),
            email: None,
            token: None,
            token_file: None,
            requests_per_sec: None,
            start_rate: 10.0,
            max_concurrency: 16,
            index_lag_allowance_secs: 10,
            unknown_outcome_max_secs: 300,
        }
    }
}

impl Config {
    /// Loads the configuration. A missing file at the default path means "all defaults";
    /// a missing file that was named explicitly is an error.
    pub fn load(
        path: &Path,
        explicit: bool,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let source = match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let file = path.display().to_string();
        let located = locate::Located::new(&file, source.as_deref().unwrap_or(""));
        let mut table = match &source {
            Some(text) => located.parse_table(text)?,
            None => toml::Table::new(),
        };
        let applied = env::apply_overrides(&mut table, env)?;
        let mut config: Config = Config::deserialize(toml::Value::Table(table)).map_err(|e| {
            ConfigError::Environment {
                variables: applied.names(),
                message: e.message().to_owned(),
            }
        })?;
        config
            .validate()
            .map_err(|(key, message)| match applied.variable_for(&key) {
                Some(variable) => ConfigError::Invalid {
                    origin: variable.to_owned(),
                    key,
                    message,
                },
                None => located.invalid(&key, message),
            })?;
        config
            .read_secret_files()
            .map_err(|(key, message)| match applied.variable_for(&key) {
                Some(variable) => ConfigError::Invalid {
                    origin: variable.to_owned(),
                    key,
                    message,
                },
                None => located.invalid(&key, message),
            })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), (String, String)> {
        if let Err(e) = postroom_store::backend_of(&self.storage.url) {
            return Err(("storage.url".to_owned(), e.to_string()));
        }
        if let Some(url) = &self.jira.url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err((
                "jira.url".to_owned(),
                format!("{url:?} is not an http(s) URL"),
            ));
        }
        if self.keys.master_key.is_some() && self.keys.master_key_file.is_some() {
            return Err((
                "keys.master_key_file".to_owned(),
                "set either keys.master_key or keys.master_key_file, not both".to_owned(),
            ));
        }
        if self.keys.previous_master_key.is_some() && self.keys.master_key.is_none() {
            return Err((
                "keys.previous_master_key".to_owned(),
                "only used with keys.master_key; a key file keeps its previous key in \
                 FILE.previous"
                    .to_owned(),
            ));
        }
        if self.smtp.tls_cert_file.is_some() != self.smtp.tls_key_file.is_some() {
            return Err((
                "smtp.tls_key_file".to_owned(),
                "STARTTLS needs both smtp.tls_cert_file and smtp.tls_key_file".to_owned(),
            ));
        }
        if let Some(addr) = self.http.metrics_addr
            && !addr.ip().is_loopback()
        {
            return Err((
                "http.metrics_addr".to_owned(),
                format!(
                    "{addr} is not a loopback address; metrics elsewhere need \
                     http.metrics_token_file"
                ),
            ));
        }
        if self.smtp.max_connections_per_peer == 0 {
            return Err((
                "smtp.max_connections_per_peer".to_owned(),
                "must be at least 1; exempt the site's own MX with smtp.trusted_relays".to_owned(),
            ));
        }
        if self.smtp.greeting_timeout_secs == 0 {
            return Err((
                "smtp.greeting_timeout_secs".to_owned(),
                "must be at least 1 second".to_owned(),
            ));
        }
        for (i, mailbox) in self.mailboxes.iter().enumerate() {
            let key = format!("mailboxes[{i}]");
            mailbox
                .validate()
                .map_err(|e| (key.clone(), e.to_string()))?;
            if self.mailboxes[..i].iter().any(|m| m.name == mailbox.name) {
                return Err((key, format!("a second mailbox named {:?}", mailbox.name)));
            }
        }
        if self.inbound.retention_days == 0 {
            return Err((
                "inbound.retention_days".to_owned(),
                "must be at least 1 day: the audit needs a message until it is processed"
                    .to_owned(),
            ));
        }
        if self.inbound.max_size == 0 {
            return Err((
                "inbound.max_size".to_owned(),
                "must be at least 1 byte".to_owned(),
            ));
        }
        if let Some(kms) = &self.keys.kms {
            if kms.region.is_empty() {
                return Err((
                    "keys.kms.region".to_owned(),
                    "the KMS region is required".to_owned(),
                ));
            }
            if kms.credentials_file.is_none() {
                return Err((
                    "keys.kms.credentials_file".to_owned(),
                    "KMS credentials are read from a file; name it".to_owned(),
                ));
            }
        }
        if let Some(s3) = &self.storage.s3 {
            if s3.bucket.is_empty() {
                return Err((
                    "storage.s3.bucket".to_owned(),
                    "an S3 bucket name is required".to_owned(),
                ));
            }
            if s3.credentials_file.is_none() {
                return Err((
                    "storage.s3.credentials_file".to_owned(),
                    "S3 credentials are read from a file; name it".to_owned(),
                ));
            }
        }
        if let Some(url) = &self.http.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err((
                "http.public_url".to_owned(),
                format!("{url:?} is not an http(s) URL"),
            ));
        }
        self.console.validate()?;
        self.backup.validate()?;
        self.retention.validate(self.inbound.retention_days)?;
        if self.jira.token.is_some() && self.jira.token_file.is_some() {
            return Err((
                "jira.token_file".to_owned(),
                "set either jira.token or jira.token_file, not both".to_owned(),
            ));
        }
        Ok(())
    }

    /// The retention policy in force: `[inbound] retention_days` within `[retention]`.
    pub fn retention_policy(&self) -> postroom_engine::retention::Policy {
        self.retention.policy(self.inbound.retention_days)
    }

    fn read_secret_files(&mut self) -> Result<(), (String, String)> {
        if let Some(path) = &self.jira.token_file {
            let secret = Secret::from_file(path)
                .map_err(|message| ("jira.token_file".to_owned(), message))?;
            self.jira.token = Some(secret);
        }
        self.console.read_secret_files()?;
        self.operator.read_secret_files()?;
        self.secrets.read_files()
    }
}

#[cfg(test)]
mod tests;
