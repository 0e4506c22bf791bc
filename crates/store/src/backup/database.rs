//! The database in a backup: taken with the engine's own consistent means, put back only
//! into an empty database of the same engine.

use std::path::{Path, PathBuf};

use sqlx::{Connection, PgConnection};
use tokio::io::AsyncWriteExt;

use super::frames::FRAME_BYTES;
use super::{BackupError, Contents, Method, PgDumpUse, pg_dump, pg_export};
use crate::crypto::private_file_options;
use crate::{Backend, Store};

/// Takes the snapshot of the database behind `store` (reachable at `url`) and hands it on
/// in frame-sized pieces; returns how it was taken.
pub(crate) async fn snapshot<F, Fut>(
    store: &Store,
    url: &str,
    pg_dump_use: PgDumpUse,
    each: F,
) -> Result<Method, BackupError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<(), BackupError>>,
{
    match store.backend() {
        Backend::Sqlite => {
            sqlite_snapshot(store, url, each).await?;
            Ok(Method::SqliteVacuumInto)
        }
        Backend::Postgres => {
            let (major, server_version) = server_version(url).await?;
            let tool = match pg_dump_use {
                PgDumpUse::Auto => pg_dump::find("pg_dump", major).await,
                PgDumpUse::Never => None,
            };
            match tool {
                Some(tool) => {
                    pg_dump::dump(&tool, url, each).await?;
                    Ok(Method::PgDump {
                        version: tool.version,
                    })
                }
                None => {
                    pg_export::export(url, each).await?;
                    Ok(Method::TableExport { server_version })
                }
            }
        }
    }
}

/// `VACUUM INTO` a file beside the database (one read transaction: a consistent copy while
/// others write), then hands its bytes on; the copy is removed afterwards.
async fn sqlite_snapshot<F, Fut>(store: &Store, url: &str, mut each: F) -> Result<(), BackupError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<(), BackupError>>,
{
    let db_path = Path::new(crate::db::sqlite_path(url));
    let dir = match db_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let staging = tempfile::Builder::new()
        .prefix(".postroom-backup-")
        .tempdir_in(&dir)
        .map_err(|source| BackupError::Write {
            place: dir.display().to_string(),
            source,
        })?;
    let copy = staging.path().join("snapshot.db");
    let quoted = copy.display().to_string().replace('\'', "''");
    sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{quoted}'")))
        .execute(store.db().pool())
        .await?;
    let mut file = tokio::fs::File::open(&copy)
        .await
        .map_err(|source| BackupError::Read {
            place: copy.display().to_string(),
            source,
        })?;
    loop {
        let chunk = super::frames::read_chunk(&mut file)
            .await
            .map_err(|source| BackupError::Read {
                place: copy.display().to_string(),
                source,
            })?;
        if chunk.is_empty() {
            return Ok(());
        }
        each(chunk).await?;
    }
}

/// The server's major version and its full version text.
async fn server_version(url: &str) -> Result<(u32, String), BackupError> {
    let mut conn = PgConnection::connect(url).await?;
    let number: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(&mut conn)
        .await?;
    let text: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    let major = number.trim().parse::<u32>().map_or(0, |n| n / 10_000);
    Ok((major, text))
}

/// Refuses a restore target that already holds data.
pub(crate) async fn check_empty(url: &str) -> Result<(), BackupError> {
    match crate::backend_of(url)? {
        Backend::Sqlite => {
            let path = crate::db::sqlite_path(url);
            match std::fs::metadata(path) {
                Ok(meta) if meta.len() > 0 => {
                    Err(BackupError::NotEmpty(format!("the SQLite database {path}")))
                }
                _ => Ok(()),
            }
        }
        Backend::Postgres => {
            let mut conn = PgConnection::connect(url).await?;
            let tables: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema()",
            )
            .fetch_one(&mut conn)
            .await?;
            conn.close().await?;
            if tables > 0 {
                Err(BackupError::NotEmpty(format!(
                    "the PostgreSQL database (it has {tables} tables)"
                )))
            } else {
                Ok(())
            }
        }
    }
}

/// Puts the snapshot of `contents` into the empty database at `url`, reading it piece by
/// piece from `next`.
pub(crate) async fn put_back<F, Fut>(
    backup: &str,
    contents: &Contents,
    url: &str,
    mut next: F,
) -> Result<(), BackupError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<u8>>, BackupError>>,
{
    let backend = crate::backend_of(url)?;
    let incompatible = |reason: String| BackupError::Incompatible {
        backup: backup.to_owned(),
        reason,
    };
    match (&contents.method, backend) {
        (Method::SqliteVacuumInto, Backend::Sqlite) => {
            let path = PathBuf::from(crate::db::sqlite_path(url));
            write_file(&path, &mut next).await
        }
        (Method::PgDump { version }, Backend::Postgres) => {
            let major: Option<u32> = version.split('.').next().and_then(|m| m.parse().ok());
            let (server, _) = server_version(url).await?;
            let tool = match major {
                Some(major) if major <= server => pg_dump::find("pg_restore", server).await,
                _ => None,
            };
            let tool = tool.ok_or_else(|| {
                incompatible(format!(
                    "it was made by pg_dump {version}; restoring it needs pg_restore of this \
                     server's major version ({server}), and the server no older than the dump"
                ))
            })?;
            pg_dump::restore(&tool, url, next).await
        }
        (Method::TableExport { .. }, Backend::Postgres) => {
            let store = Store::open(url).await?;
            store.migrate().await?;
            let newest = newest_migration(&store).await?;
            if contents.schema_version > newest {
                return Err(incompatible(format!(
                    "its schema (migration {}) is newer than this postroom's ({newest})",
                    contents.schema_version
                )));
            }
            pg_export::import(url, next).await?;
            Ok(())
        }
        (_, backend) => Err(incompatible(format!(
            "it holds a {} database and the target is {}",
            contents.backend,
            match backend {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            }
        ))),
    }
}

/// The newest migration applied to the database behind `store`.
pub(crate) async fn newest_migration(store: &Store) -> Result<i64, BackupError> {
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(store.db().pool())
        .await?;
    Ok(newest.unwrap_or(0))
}

/// Writes the SQLite file under a temporary name (mode 0600) and puts it in place whole.
async fn write_file<F, Fut>(path: &Path, next: &mut F) -> Result<(), BackupError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<u8>>, BackupError>>,
{
    let io = |source| BackupError::Write {
        place: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::crypto::create_private_dir(dir).map_err(io)?;
    }
    let staged = path.with_extension("restoring");
    let _ = std::fs::remove_file(&staged);
    let file = private_file_options().open(&staged).map_err(io)?;
    let mut file =
        tokio::io::BufWriter::with_capacity(FRAME_BYTES, tokio::fs::File::from_std(file));
    let written = async {
        while let Some(chunk) = next().await? {
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        file.get_ref().sync_all().await.map_err(io)
    }
    .await;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&staged);
        return Err(e);
    }
    std::fs::rename(&staged, path).map_err(io)
}
