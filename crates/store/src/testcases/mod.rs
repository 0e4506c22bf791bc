//! Test cases: rows of `test_cases`. The raw mail is a blob of kind
//! [`crate::blobs::BlobKind::TestCaseMail`] named by the row's id; the expected plan is
//! sealed by the caller (it names the sender and the subject), so this module never sees
//! it in clear.

use sqlx::Row;

use crate::{StoreError, TenantStore};

/// One test case without its raw mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCaseRecord {
    pub id: String,
    /// The administrator's label (by default the file name or `audit-ID`).
    pub name: String,
    /// The expected plan, sealed.
    pub expected: Vec<u8>,
    pub created_at_ms: i64,
    /// When the expected plan was last accepted (the creation time until then).
    pub updated_at_ms: i64,
}

impl TenantStore {
    /// Records a test case whose raw mail is already stored.
    pub async fn insert_test_case(&self, case: &TestCaseRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO test_cases (tenant_id, id, name, expected, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.id().as_str())
        .bind(&case.id)
        .bind(&case.name)
        .bind(&case.expected)
        .bind(case.created_at_ms)
        .bind(case.updated_at_ms)
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    /// Every test case of the tenant, oldest first.
    pub async fn test_cases(&self) -> Result<Vec<TestCaseRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 ORDER BY created_at_ms, id"
        )))
        .bind(self.id().as_str())
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Test case `id`, `None` when the tenant has none by that id.
    pub async fn test_case(&self, id: &str) -> Result<Option<TestCaseRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE tenant_id = $1 AND id = $2"
        )))
        .bind(self.id().as_str())
        .bind(id)
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Replaces the expected plan of test case `id`; false when there is no such case.
    pub async fn set_test_case_expected(
        &self,
        id: &str,
        expected: &[u8],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE test_cases SET expected = $3, updated_at_ms = $4 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.id().as_str())
        .bind(id)
        .bind(expected)
        .bind(now_ms)
        .execute(self.db().pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes the row of test case `id`; false when there was none.
    pub async fn delete_test_case(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM test_cases WHERE tenant_id = $1 AND id = $2")
            .bind(self.id().as_str())
            .bind(id)
            .execute(self.db().pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

const SELECT: &str = "SELECT id, name, expected, created_at_ms, updated_at_ms FROM test_cases";

fn from_row(row: &sqlx::any::AnyRow) -> Result<TestCaseRecord, StoreError> {
    Ok(TestCaseRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        expected: row.try_get("expected")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}
