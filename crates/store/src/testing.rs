//! Fresh databases for tests, on every backend the test run has.
//!
//! Each call makes a new SQLite file or a new PostgreSQL database, so tests run in
//! parallel without seeing each other's rows. PostgreSQL is reached through the admin URL in
//! `POSTROOM_TEST_PG`; without it the PostgreSQL half is skipped with a message, except
//! under `CI=true`, where a missing service is a failure.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;

use crate::{Backend, Store, StoreError};

/// A migrated store on a fresh database, with whatever must live as long as it.
#[derive(Debug)]
pub struct TestStore {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The tenant `name`, made (with no Jira connection) if it does not exist yet.
    pub async fn tenant(&self, name: &str) -> Result<crate::TenantStore, StoreError> {
        let id = postroom_core::tenant::TenantId::parse(name)
            .map_err(|e| StoreError::Corrupt(format!("test tenant {name:?}: {e}")))?;
        self.store
            .ensure_tenant(&id, &crate::JiraConnection::default(), 1)
            .await
    }
}

/// A migrated store on a fresh SQLite file.
pub async fn sqlite() -> Result<TestStore, StoreError> {
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: "temporary directory".to_owned(),
        source,
    })?;
    let url = format!("sqlite:{}", dir.path().join("postroom.db").display());
    let store = Store::open(&url).await?;
    store.migrate().await?;
    Ok(TestStore {
        store,
        url,
        _dir: Some(dir),
    })
}

/// The URL of a new, empty PostgreSQL database, or `None` when no server is configured.
///
/// # Panics
/// Under `CI=true` when `POSTROOM_TEST_PG` is unset: CI must never skip the PostgreSQL half.
pub async fn postgres_url() -> Result<Option<String>, StoreError> {
    let Ok(admin_url) = std::env::var("POSTROOM_TEST_PG") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "POSTROOM_TEST_PG is not set under CI=true: PostgreSQL tests must run"
        );
        eprintln!("POSTROOM_TEST_PG is not set: skipping the PostgreSQL half of this test");
        return Ok(None);
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "postroom_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    Ok(Some(format!("{base}/{name}")))
}

/// A migrated store on a new PostgreSQL database, or `None` (see [`postgres_url`]).
pub async fn postgres() -> Result<Option<TestStore>, StoreError> {
    let Some(url) = postgres_url().await? else {
        return Ok(None);
    };
    let store = Store::open(&url).await?;
    store.migrate().await?;
    Ok(Some(TestStore {
        store,
        url,
        _dir: None,
    }))
}

/// One fresh store per backend available to this run.
pub async fn all_backends() -> Result<Vec<TestStore>, StoreError> {
    let mut stores = vec![sqlite().await?];
    stores.extend(postgres().await?);
    Ok(stores)
}
