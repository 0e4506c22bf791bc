//! The PostgreSQL snapshot when no `pg_dump` of the server's version is at hand: postroom's
//! own tables, read in one REPEATABLE READ transaction (one snapshot for all of them).
//!
//! The stream is JSON lines: a `{"table": …, "columns": [[name, type], …]}` line before each
//! table's rows, then one array per row with every value as PostgreSQL's text form (or
//! null). Tables come in foreign-key order, so a restore inserts parents first. A restore
//! migrates the empty database to this postroom's schema, inserts the rows with each value
//! cast back to its column's type, and moves the sequences past the restored ids.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{Connection, PgConnection, Row};

use super::BackupError;
use super::frames::FRAME_BYTES;

/// The migrations' own table: made by the migrator on restore, never copied.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Parameters per INSERT statement (PostgreSQL allows 65,535).
const PARAMS_PER_INSERT: usize = 20_000;

#[derive(Debug, Serialize, Deserialize)]
struct TableHeader {
    table: String,
    columns: Vec<(String, String)>,
}

type Values = Vec<Option<String>>;

/// Opens a REPEATABLE READ, READ ONLY transaction on `url` and hands the export on in
/// frame-sized pieces of whole lines.
pub(crate) async fn export<F, Fut>(url: &str, mut each: F) -> Result<(), BackupError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<(), BackupError>>,
{
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut conn)
        .await?;
    let mut out = Vec::with_capacity(FRAME_BYTES);
    for table in tables_in_order(&mut conn).await? {
        let columns = columns_of(&mut conn, &table).await?;
        push_line(
            &mut out,
            &TableHeader {
                table: table.clone(),
                columns: columns.clone(),
            },
        )?;
        let select = format!(
            "SELECT {} FROM {}",
            columns
                .iter()
                .map(|(name, _)| format!("{}::text", quote(name)))
                .collect::<Vec<_>>()
                .join(", "),
            quote(&table)
        );
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut conn);
        while let Some(row) = rows.try_next().await? {
            let values = (0..columns.len())
                .map(|i| row.try_get::<Option<String>, _>(i))
                .collect::<Result<Values, _>>()?;
            push_line(&mut out, &values)?;
            if out.len() >= FRAME_BYTES {
                each(std::mem::take(&mut out)).await?;
            }
        }
    }
    sqlx::query("COMMIT").execute(&mut conn).await?;
    if !out.is_empty() {
        each(out).await?;
    }
    Ok(())
}

/// Inserts an export into the migrated, empty database at `url`, in one transaction.
pub(crate) async fn import<F, Fut>(url: &str, mut next: F) -> Result<u64, BackupError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<u8>>, BackupError>>,
{
    let mut conn = PgConnection::connect(url).await?;
    let mut tx = conn.begin().await?;
    let mut current: Option<TableHeader> = None;
    let mut batch: Vec<Values> = Vec::new();
    let mut tables = Vec::new();
    let mut rows = 0u64;
    while let Some(frame) = next().await? {
        for line in frame.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            if line.first() == Some(&b'{') {
                if let Some(header) = &current {
                    rows += insert(&mut tx, header, &mut batch).await?;
                }
                let header: TableHeader = parse(line)?;
                tables.push(header.table.clone());
                current = Some(header);
                continue;
            }
            let Some(header) = &current else {
                return Err(malformed("a row before any table"));
            };
            let values: Values = parse(line)?;
            if values.len() != header.columns.len() {
                return Err(malformed("a row with the wrong number of values"));
            }
            batch.push(values);
            if batch.len() * header.columns.len() >= PARAMS_PER_INSERT {
                rows += insert(&mut tx, header, &mut batch).await?;
            }
        }
    }
    if let Some(header) = &current {
        rows += insert(&mut tx, header, &mut batch).await?;
    }
    for table in &tables {
        advance_sequences(&mut tx, table).await?;
    }
    tx.commit().await?;
    Ok(rows)
}

async fn insert(
    tx: &mut PgConnection,
    header: &TableHeader,
    batch: &mut Vec<Values>,
) -> Result<u64, BackupError> {
    if batch.is_empty() || header.table == MIGRATIONS_TABLE {
        batch.clear();
        return Ok(0);
    }
    let width = header.columns.len();
    let names: Vec<String> = header.columns.iter().map(|(n, _)| quote(n)).collect();
    let tuples: Vec<String> = (0..batch.len())
        .map(|r| {
            let casts: Vec<String> = header
                .columns
                .iter()
                .enumerate()
                .map(|(c, (_, ty))| format!("CAST(${} AS {})", r * width + c + 1, quote(ty)))
                .collect();
            format!("({})", casts.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote(&header.table),
        names.join(", "),
        tuples.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for values in batch.drain(..) {
        for value in values {
            query = query.bind(value);
        }
    }
    Ok(query.execute(&mut *tx).await?.rows_affected())
}

/// Moves each serial column's sequence past the restored ids.
async fn advance_sequences(tx: &mut PgConnection, table: &str) -> Result<(), BackupError> {
    let serials = sqlx::query(
        "SELECT column_name::text AS name, pg_get_serial_sequence(quote_ident($1), column_name::text) AS seq \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(&mut *tx)
    .await?;
    for row in serials {
        let (Some(seq), name) = (
            row.try_get::<Option<String>, _>("seq")?,
            row.try_get::<String, _>("name")?,
        ) else {
            continue;
        };
        let sql = format!(
            "SELECT setval($1, COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
            quote(&name),
            quote(table)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(seq)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The base tables of the current schema, each after every table it references.
async fn tables_in_order(conn: &mut PgConnection) -> Result<Vec<String>, BackupError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    let edges = sqlx::query(
        "SELECT DISTINCT tc.table_name::text AS child, ccu.table_name::text AS parent \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.constraint_column_usage ccu \
           ON ccu.constraint_name = tc.constraint_name \
          AND ccu.constraint_schema = tc.constraint_schema \
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for edge in edges {
        let child: String = edge.try_get("child")?;
        let parent: String = edge.try_get("parent")?;
        if child != parent {
            parents.entry(child).or_default().push(parent);
        }
    }
    Ok(order(names, &parents))
}

/// Orders `names` so each comes after its parents; a cycle (none in postroom's schema) is
/// broken by taking the remaining tables by name.
fn order(mut left: Vec<String>, parents: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut done: Vec<String> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            parents
                .get(t)
                .is_none_or(|ps| ps.iter().all(|p| done.contains(p) || !left.contains(p)))
        });
        done.push(left.remove(ready.unwrap_or(0)));
    }
    done
}

async fn columns_of(
    conn: &mut PgConnection,
    table: &str,
) -> Result<Vec<(String, String)>, BackupError> {
    let rows = sqlx::query(
        "SELECT column_name::text AS name, udt_name::text AS ty FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("ty")?)))
        .collect()
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn push_line<T: Serialize>(out: &mut Vec<u8>, value: &T) -> Result<(), BackupError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| malformed(&e.to_string()))?;
    out.push(b'\n');
    Ok(())
}

fn parse<'a, T: Deserialize<'a>>(line: &'a [u8]) -> Result<T, BackupError> {
    serde_json::from_slice(line).map_err(|e| malformed(&e.to_string()))
}

fn malformed(reason: &str) -> BackupError {
    BackupError::Corrupt {
        backup: "(restoring)".to_owned(),
        file: super::DATABASE_FILE.to_owned(),
        reason: format!("table export: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_children_and_cycles_do_not_hang() {
        let names = ["jobs", "tenants", "audit", "tokens"]
            .map(str::to_owned)
            .to_vec();
        let mut parents = BTreeMap::new();
        parents.insert("jobs".to_owned(), vec!["tenants".to_owned()]);
        parents.insert("audit".to_owned(), vec!["jobs".to_owned()]);
        let ordered = order(names, &parents);
        let at = |t: &str| ordered.iter().position(|x| x == t);
        assert!(at("tenants") < at("jobs") && at("jobs") < at("audit"));
        assert_eq!(ordered.len(), 4);
        let mut cycle = BTreeMap::new();
        cycle.insert("a".to_owned(), vec!["b".to_owned()]);
        cycle.insert("b".to_owned(), vec!["a".to_owned()]);
        assert_eq!(order(vec!["a".into(), "b".into()], &cycle).len(), 2);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote("tenants"), "\"tenants\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
