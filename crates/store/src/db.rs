//! The connection pool over SQLite or PostgreSQL, and the migrations of each.
//!
//! Both backends are reached through sqlx's `Any` driver so that a repository is written
//! once; where their SQL differs (queue locking), the repository asks [`Db::backend`].

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::StoreError;
use crate::crypto::{create_private_dir, private_file_options};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine is behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to one database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects to `url`. For SQLite the file (mode 0600: it holds every tenant's data) and
    /// its directory (mode 0700) are created when missing, and every connection runs in WAL mode with a busy timeout, so readers never block the
    /// one writer and a second writer waits instead of failing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let options = match backend {
            Backend::Sqlite => {
                let path = sqlite_path(url);
                create_parent_dir(path)?;
                create_private_file(path)?;
                AnyConnectOptions::from_str(&format!("sqlite://{path}?mode=rwc"))?
            }
            Backend::Postgres => AnyConnectOptions::from_str(url)?,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                             PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// Tells the backend from a URL's scheme, refusing anything else with the scheme named.
pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        other => Err(StoreError::UnsupportedUrl {
            scheme: other.to_owned(),
        }),
    }
}

/// The file path of a `sqlite:` URL, with or without `//` and query string.
pub(crate) fn sqlite_path(url: &str) -> &str {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split_once('?').map_or(rest, |(path, _)| path)
}

fn create_parent_dir(path: &str) -> Result<(), StoreError> {
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            create_private_dir(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// Creates the database file empty, readable by its owner only, before SQLite opens it:
/// SQLite would create it with the process's umask (usually world-readable), and gives its
/// `-wal` and `-shm` files the mode of the database file. An existing file is left as it is.
fn create_private_file(path: &str) -> Result<(), StoreError> {
    if path.is_empty() || path.starts_with(':') || Path::new(path).exists() {
        return Ok(());
    }
    match private_file_options().open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::CreateFile {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_told_by_scheme() {
        assert_eq!(backend_of("sqlite:./data/x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(backend_of("postgres://h/db").ok(), Some(Backend::Postgres));
        assert_eq!(
            backend_of("postgresql://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(matches!(
            backend_of("mysql://h/db"),
            Err(StoreError::UnsupportedUrl { scheme }) if scheme == "mysql"
        ));
    }

    #[test]
    fn sqlite_path_accepts_both_spellings() {
        assert_eq!(sqlite_path("sqlite:./data/p.db"), "./data/p.db");
        assert_eq!(sqlite_path("sqlite://./data/p.db"), "./data/p.db");
        assert_eq!(sqlite_path("sqlite:///abs/p.db?mode=rwc"), "/abs/p.db");
    }
}
