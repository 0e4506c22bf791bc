#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The data inventory cannot drift from the schema: every migrated table and column, on
//! both backends, has a declaration, and every declaration exists.

use postroom_store::inventory::{self, TABLES};
use postroom_store::testing;

#[tokio::test]
async fn every_migrated_table_and_column_is_declared() {
    for db in testing::all_backends().await.unwrap() {
        let problems = inventory::drift(&db.store).await.unwrap();
        assert!(problems.is_empty(), "{:?}: {problems:#?}", db.backend());
    }
}

#[tokio::test]
async fn an_undeclared_table_or_column_is_caught() {
    for db in testing::all_backends().await.unwrap() {
        let pool = db.store.db().pool();
        sqlx::query("CREATE TABLE sneaky (id TEXT)")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("ALTER TABLE api_tokens ADD COLUMN note TEXT")
            .execute(pool)
            .await
            .unwrap();
        let problems = inventory::drift(&db.store).await.unwrap();
        assert!(
            problems.contains(&"table sneaky has no declaration".to_owned()),
            "{problems:?}"
        );
        assert!(
            problems.contains(&"column api_tokens.note has no declaration".to_owned()),
            "{problems:?}"
        );
    }
}

#[tokio::test]
async fn a_declared_column_that_was_dropped_is_caught() {
    let db = testing::sqlite().await.unwrap();
    let pool = db.store.db().pool();
    sqlx::query("ALTER TABLE access_log DROP COLUMN ip")
        .execute(pool)
        .await
        .unwrap();
    let problems = inventory::drift(&db.store).await.unwrap();
    assert_eq!(
        problems,
        vec!["declared column access_log.ip does not exist".to_owned()]
    );
}

#[test]
fn tenant_tables_are_erased_children_first() {
    let tenants = TABLES.iter().position(|t| t.name == "tenants").unwrap();
    for (i, t) in TABLES.iter().enumerate() {
        if t.tenant_column == Some("tenant_id") {
            assert!(i < tenants, "{} must come before tenants", t.name);
        }
    }
}
