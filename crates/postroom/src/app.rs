//! Wiring shared by the subcommands: configuration, store, the self-hosted tenant.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use postroom_core::tenant::TenantId;
use postroom_store::blobs::BlobStore;
use postroom_store::crypto::Keyring;
use postroom_store::{JiraConnection, Store, TenantStore};

use crate::cli::Globals;
use crate::config::{Config, DEFAULT_PATH};

/// Loads the configuration named by `--config`, or the default file when it exists.
pub fn load_config(globals: &Globals) -> anyhow::Result<Config> {
    let (path, explicit) = match &globals.config {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from(DEFAULT_PATH), false),
    };
    Ok(Config::load(&path, explicit, std::env::vars())?)
}

/// Opens the database and brings its schema up to date.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::open(&config.storage.url).await.with_context(|| {
        format!(
            "cannot open the database ({})",
            redact_url(&config.storage.url)
        )
    })?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// What a command on the stored mail of `--tenant` opens (the audit, test cases).
#[derive(Debug)]
pub struct TenantData {
    pub config: Config,
    pub keyring: Keyring,
    pub blobs: BlobStore,
    pub tenant: TenantStore,
}

/// Loads the configuration, starts logging and opens the key ring, the blob store and the
/// tenant of `--tenant` (migrating the database first).
pub async fn open_tenant_data(globals: &Globals) -> anyhow::Result<TenantData> {
    let config = load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let (keyring, _) = crate::keys::open_keyring(&config)?;
    let blobs = crate::keys::open_blobs(&config)?;
    let store = open_store(&config).await?;
    let tenant = store.tenant(&tenant_id(&globals.tenant)?).await?;
    Ok(TenantData {
        config,
        keyring,
        blobs,
        tenant,
    })
}

/// Creates the tenant `default` when it does not exist, and records the site of the
/// `[jira]` section as its own when that names one (a site kept in the store with
/// `postroom tenant set default` is left alone otherwise).
pub async fn ensure_default_tenant(store: &Store, config: &Config) -> anyhow::Result<TenantStore> {
    let id = TenantId::default_tenant();
    let Some(url) = &config.jira.url else {
        return match store
            .add_tenant(&id, &JiraConnection::default(), now_ms())
            .await
        {
            Ok(tenant) => Ok(tenant),
            Err(postroom_store::StoreError::TenantExists(_)) => Ok(store.tenant(&id).await?),
            Err(e) => Err(e.into()),
        };
    };
    let jira = JiraConnection {
        url: Some(url.clone()),
        auth: Some(config.jira.auth.as_str().to_owned()),
        account: config.jira.email.clone(),
    };
    Ok(store.ensure_tenant(&id, &jira, now_ms()).await?)
}

pub fn tenant_id(name: &str) -> anyhow::Result<TenantId> {
    TenantId::parse(name).with_context(|| format!("--tenant {name:?}"))
}

/// Wall-clock time in milliseconds since the epoch: the one clock read of the edge.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Milliseconds since the epoch as RFC 3339 UTC, for people reading CLI output.
pub fn format_ms(ms: i64) -> String {
    mail_parser::DateTime::from_timestamp(ms.div_euclid(1000)).to_rfc3339()
}

/// Whether postroom may call `url`: HTTPS, or plain HTTP only on loopback (a local relay,
/// the sandbox, a test), so that nothing it sends crosses a network in clear.
pub fn https_or_loopback(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    let loopback = parsed.host_str().is_some_and(|host| {
        host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match parsed.scheme() {
        "https" => true,
        "http" => loopback,
        _ => false,
    }
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{format_ms, redact_url};

    #[test]
    fn times_read_as_rfc3339_utc() {
        assert_eq!(format_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_ms(1_795_000_000_999), "2026-11-18T11:06:40Z");
    }

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            redact_url("postgres://postroom:hunter2@db:5432/p"),
            "postgres://postroom:***@db:5432/p"
        );
        assert_eq!(
            redact_url("postgres://postroom@db/p"),
            "postgres://postroom@db/p"
        );
        assert_eq!(
            redact_url("sqlite:./data/postroom.db"),
            "sqlite:./data/postroom.db"
        );
    }
}
