//! Profile and directive fields, named as an administrator writes them (`priority`,
//! `labels`, `Customer`), turned into Jira's field ids and JSON shapes.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use postroom_core::ports::tracker::{Field, Tracker, TrackerError};
use postroom_core::tenant::TenantId;
use serde_json::{Map, Value, json};

/// How long a tenant's field list is trusted: custom fields change rarely.
const FIELDS_TTL: Duration = Duration::from_secs(600);

/// Each tenant's field list, fetched on first need.
#[derive(Debug, Default)]
pub(super) struct FieldCache {
    lists: Mutex<HashMap<TenantId, (Instant, Vec<Field>)>>,
}

impl FieldCache {
    async fn fields<T: Tracker>(
        &self,
        tenant: &TenantId,
        tracker: &T,
    ) -> Result<Vec<Field>, TrackerError> {
        if let Some((at, list)) = self
            .lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tenant)
            && at.elapsed() < FIELDS_TTL
        {
            return Ok(list.clone());
        }
        let list = tracker.fields().await?;
        self.lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.clone(), (Instant::now(), list.clone()));
        Ok(list)
    }

    /// The id of the field `name` (an id or a name, as the profile writes it); `None` when
    /// Jira has no such field.
    pub(super) async fn id_of<T: Tracker>(
        &self,
        tenant: &TenantId,
        tracker: &T,
        name: &str,
    ) -> Result<Option<String>, TrackerError> {
        let list = self.fields(tenant, tracker).await?;
        Ok(find(&list, name).map(|f| f.id.clone()))
    }

    /// The fields in Jira's shape, and a report line for each one that could not be mapped
    /// (an unknown custom field name is reported and left out, not fatal).
    pub(super) async fn map<T: Tracker>(
        &self,
        tenant: &TenantId,
        tracker: &T,
        named: &BTreeMap<String, Value>,
    ) -> Result<(Map<String, Value>, Vec<String>), TrackerError> {
        let mut out = Map::new();
        let mut skipped = Vec::new();
        let mut list: Option<Vec<Field>> = None;
        for (name, value) in named {
            if let Some(shaped) = system_field(name, value) {
                out.insert(name.clone(), shaped);
                continue;
            }
            if list.is_none() {
                list = Some(self.fields(tenant, tracker).await?);
            }
            let found = list.as_deref().and_then(|l| find(l, name));
            match found {
                Some(field) => {
                    out.insert(field.id.clone(), value.clone());
                }
                None => skipped.push(format!("field {name:?}: no such field in Jira; not set")),
            }
        }
        Ok((out, skipped))
    }
}

/// Whether a profile may name `name` as a field: a system field postroom shapes itself,
/// or one in Jira's `list` (by id, or by name in any case), exactly as [`FieldCache::map`]
/// will find it when a mail needs it.
pub(crate) fn is_known(list: &[Field], name: &str) -> bool {
    system_field(name, &Value::Null).is_some() || find(list, name).is_some()
}

/// The field with id `name`, else the one named `name` (any case).
pub(crate) fn find<'a>(list: &'a [Field], name: &str) -> Option<&'a Field> {
    list.iter()
        .find(|f| f.id == name)
        .or_else(|| list.iter().find(|f| f.name.eq_ignore_ascii_case(name)))
}

/// System fields by their ids, in the shape Jira wants; `None` for any other name.
fn system_field(name: &str, value: &Value) -> Option<Value> {
    let names = |v: &Value| -> Vec<Value> {
        match v {
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| json!({ "name": s }))
                .collect(),
            Value::String(s) => vec![json!({ "name": s })],
            _ => Vec::new(),
        }
    };
    Some(match name {
        "priority" => match value {
            Value::String(s) => json!({ "name": s }),
            other => other.clone(),
        },
        "labels" => match value {
            Value::String(s) => json!([s.replace(' ', "_")]),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| Value::String(s.trim().replace(' ', "_")))
                    .collect(),
            ),
            other => other.clone(),
        },
        "components" | "fixVersions" | "versions" => Value::Array(names(value)),
        "duedate" => value.clone(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_fields_take_jiras_shapes() {
        assert_eq!(
            system_field("priority", &json!("High")),
            Some(json!({"name": "High"}))
        );
        assert_eq!(
            system_field("labels", &json!(["a b", "c"])),
            Some(json!(["a_b", "c"])),
            "Jira labels hold no spaces"
        );
        assert_eq!(
            system_field("components", &json!(["Ops"])),
            Some(json!([{"name": "Ops"}]))
        );
        assert_eq!(
            system_field("components", &json!("Ops")),
            Some(json!([{"name": "Ops"}]))
        );
        assert_eq!(system_field("Customer", &json!("ACME")), None);
    }
}
