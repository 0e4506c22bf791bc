//! Templates to and from rows: tags and scope values travel as JSON lists of text.

use postroom_core::canned::{Draft, Scope, Template};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;

/// The columns of a draft that are stored as JSON.
pub(super) struct Encoded {
    pub tags: String,
    pub scope_values: String,
}

impl Encoded {
    pub fn of(draft: &Draft) -> Result<Self, StoreError> {
        let json = |v: &[String]| {
            serde_json::to_string(v).map_err(|e| StoreError::Invalid(format!("template: {e}")))
        };
        Ok(Self {
            tags: json(&draft.tags)?,
            scope_values: json(draft.scope.values())?,
        })
    }
}

pub(super) fn decode(row: &AnyRow) -> Result<Template, StoreError> {
    let id: String = row.try_get("id")?;
    let list = |column: &str| -> Result<Vec<String>, StoreError> {
        let text: String = row.try_get(column)?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("templates.{column} of {id}: {e}")))
    };
    let kind: String = row.try_get("scope_kind")?;
    let scope = Scope::from_parts(&kind, list("scope_values")?)
        .ok_or_else(|| StoreError::Corrupt(format!("templates.scope_kind of {id}: {kind}")))?;
    Ok(Template {
        draft: Draft {
            name: row.try_get("name")?,
            body: row.try_get("body")?,
            description: row.try_get("description")?,
            folder: row.try_get("folder")?,
            tags: list("tags")?,
            scope,
        },
        owner: row.try_get("owner_account_id")?,
        created_ms: row.try_get("created_at_ms")?,
        updated_ms: row.try_get("updated_at_ms")?,
        usage_count: row.try_get("usage_count")?,
        last_used_ms: row.try_get("last_used_at_ms")?,
        id,
    })
}
