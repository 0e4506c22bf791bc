//! Comparing the declarations with the live schema and the blob kinds.

use std::collections::BTreeSet;

use sqlx::Row;

use super::{BLOBS, TABLES};
use crate::blobs::BlobKind;
use crate::{Backend, Store, StoreError};

/// Every difference between the declarations and what exists: tables or columns of the
/// migrated schema with no declaration, declarations of tables or columns that do not
/// exist, and blob kinds with no declared prefix. Empty means the inventory tells the truth.
pub async fn drift(store: &Store) -> Result<Vec<String>, StoreError> {
    let live = live_columns(store).await?;
    let declared: BTreeSet<(String, String)> = TABLES
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(|c| (t.name.to_owned(), c.name.to_owned()))
        })
        .collect();
    let live_tables: BTreeSet<&str> = live.iter().map(|(t, _)| t.as_str()).collect();
    let mut problems = Vec::new();
    for table in &live_tables {
        if !TABLES.iter().any(|t| t.name == *table) {
            problems.push(format!("table {table} has no declaration"));
        }
    }
    for (table, column) in live.difference(&declared) {
        if TABLES.iter().any(|t| t.name == table) {
            problems.push(format!("column {table}.{column} has no declaration"));
        }
    }
    for (table, column) in declared.difference(&live) {
        if live_tables.contains(table.as_str()) {
            problems.push(format!("declared column {table}.{column} does not exist"));
        } else {
            problems.push(format!("declared table {table} does not exist"));
        }
    }
    problems.dedup();
    problems.extend(blob_drift());
    Ok(problems)
}

/// Blob kinds without a declaration, or declared with another prefix than they use.
fn blob_drift() -> Vec<String> {
    BlobKind::ALL
        .iter()
        .filter(|kind| {
            !BLOBS
                .iter()
                .any(|b| b.kind == **kind && b.prefix == kind.prefix())
        })
        .map(|kind| format!("blob prefix {} has no declaration", kind.prefix()))
        .collect()
}

async fn live_columns(store: &Store) -> Result<BTreeSet<(String, String)>, StoreError> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = current_schema()"
        }
    };
    let rows = sqlx::query(sql).fetch_all(store.db().pool()).await?;
    rows.iter()
        .map(|row| -> Result<(String, String), StoreError> {
            Ok((row.try_get("table_name")?, row.try_get("column_name")?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_blob_kind_is_declared() {
        assert_eq!(blob_drift(), Vec::<String>::new());
    }
}
