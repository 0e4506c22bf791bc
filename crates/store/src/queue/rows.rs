//! Reading queue rows into typed values.

use postroom_core::tenant::TenantId;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::LeasedJob;
use super::admin::{JobRecord, JobState};
use crate::StoreError;

/// The columns [`leased_job`] reads, for RETURNING and SELECT lists.
pub(super) const LEASED_COLUMNS: &str = "id, tenant_id, kind, payload, idempotency_key, \
     attempts, lease_seq, locked_until_ms, run_at_ms, created_at_ms, priority";

/// The columns [`job_record`] reads.
pub(super) const RECORD_COLUMNS: &str = "id, kind, idempotency_key, state, attempts, \
     run_at_ms, locked_until_ms, last_error, created_at_ms, payload";

fn tenant(row: &AnyRow) -> Result<TenantId, StoreError> {
    let id: String = row.try_get("tenant_id")?;
    TenantId::parse(&id).map_err(|e| StoreError::Corrupt(format!("jobs.tenant_id: {e}")))
}

pub(super) fn leased_job(row: &AnyRow) -> Result<LeasedJob, StoreError> {
    Ok(LeasedJob {
        id: row.try_get("id")?,
        tenant: tenant(row)?,
        kind: row.try_get("kind")?,
        payload: row.try_get("payload")?,
        idempotency_key: row.try_get("idempotency_key")?,
        attempts: row.try_get("attempts")?,
        lease_seq: row.try_get("lease_seq")?,
        locked_until_ms: row.try_get("locked_until_ms")?,
        run_at_ms: row.try_get("run_at_ms")?,
        created_at_ms: row.try_get("created_at_ms")?,
        bulk: row.try_get::<i64, _>("priority")? > 0,
    })
}

pub(super) fn job_record(row: &AnyRow) -> Result<JobRecord, StoreError> {
    let state: String = row.try_get("state")?;
    let state = match state.as_str() {
        "ready" => JobState::Ready,
        "dead" => JobState::Dead,
        other => return Err(StoreError::Corrupt(format!("jobs.state: {other:?}"))),
    };
    let payload: Vec<u8> = row.try_get("payload")?;
    Ok(JobRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        idempotency_key: row.try_get("idempotency_key")?,
        state,
        attempts: row.try_get("attempts")?,
        run_at_ms: row.try_get("run_at_ms")?,
        locked_until_ms: row.try_get("locked_until_ms")?,
        last_error: row.try_get("last_error")?,
        created_at_ms: row.try_get("created_at_ms")?,
        payload_len: payload.len(),
    })
}
