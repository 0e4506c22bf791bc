//! `GET /api/v1/inventory`: what postroom stores, where, how it is protected and how long
//! it is kept — the declarations `postroom data-inventory` prints — with the periods in
//! force for the caller's site. Anyone signed in may read it: it says what is kept about
//! them, and holds nothing of anyone.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::settings::KindDaysBody;
use super::{ApiError, AppState};

/// The inventory and this site's periods.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InventoryBody {
    /// The declarations: `tables`, `blobs`, `files` and `sent`, each with what it holds,
    /// its protection and how long it is kept (as `postroom data-inventory --format json`).
    #[schema(value_type = Object)]
    pub declared: serde_json::Value,
    /// The days this site's audit data is kept now (its own choice within the operator's
    /// bounds, else the instance's).
    pub in_force: KindDaysBody,
    /// False when the site switched its raw-mail audit off: raw mail is deleted as soon as
    /// it is processed.
    pub raw_mail_kept: bool,
}

/// The data inventory with this site's periods in force. Every signed-in role.
#[utoipa::path(get, path = "/api/v1/inventory", tag = "people",
    responses((status = 200, body = InventoryBody), (status = 401, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<InventoryBody>, ApiError> {
    let tenant = state.tenant_of(&caller).await?;
    let record = tenant
        .record()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(InventoryBody {
        declared: postroom_store::inventory::to_json(),
        in_force: state.retention.periods(&record.retention).into(),
        raw_mail_kept: record.store_raw,
    }))
}
