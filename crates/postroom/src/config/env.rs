//! `POSTROOM_<SECTION>__<KEY>` environment overrides.
//!
//! Only variables with a `__` are configuration, so that tooling variables such as
//! `POSTROOM_TEST_PG` or `POSTROOM_SHARED_DIR` can live beside them. A value replaces the
//! file's; it is read as the type the key has (number, boolean, a comma-separated list), else as a
//! string.

use super::{Config, ConfigError};

const PREFIX: &str = "POSTROOM_";

/// The overrides that were applied, to name the variable behind a later error.
#[derive(Debug, Default)]
pub(super) struct Applied {
    by_key: Vec<(String, String)>,
}

impl Applied {
    pub(super) fn names(&self) -> Vec<String> {
        self.by_key.iter().map(|(_, var)| var.clone()).collect()
    }

    pub(super) fn variable_for(&self, key: &str) -> Option<&str> {
        self.by_key
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, var)| var.as_str())
    }
}

pub(super) fn apply_overrides(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Applied, ConfigError> {
    let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
    // Read from the declarations only when a key without a default is overridden.
    let mut declared = None;
    let mut applied = Applied::default();
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(name, _)| name.starts_with(PREFIX) && name.contains("__"))
        .collect();
    vars.sort();
    for (name, value) in vars {
        let path: Vec<String> = name[PREFIX.len()..]
            .split("__")
            .map(str::to_ascii_lowercase)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::UnknownVariable {
                variable: name,
                message: "empty key segment".to_owned(),
            });
        }
        let key = path.join(".");
        let Some(section) = defaults.get(&path[0]) else {
            return Err(ConfigError::UnknownVariable {
                variable: name,
                message: format!("no configuration section {:?}", path[0]),
            });
        };
        let typed = match lookup(section, &path[1..]) {
            Some(template) => typed_value(Some(template), &value),
            // Unset by default: read as the type the key is declared with.
            None => {
                let types = declared.get_or_insert_with(crate::reference::key_types);
                declared_value(types.get(&key).map(String::as_str), &value)
            }
        };
        insert(table, &path, typed);
        applied.by_key.push((key, name));
    }
    Ok(applied)
}

fn lookup<'a>(value: &'a toml::Value, path: &[String]) -> Option<&'a toml::Value> {
    path.iter().try_fold(value, |v, segment| {
        v.as_table().and_then(|t| t.get(segment))
    })
}

fn typed_value(template: Option<&toml::Value>, raw: &str) -> toml::Value {
    let parsed = match template {
        Some(toml::Value::Integer(_)) => raw.parse().ok().map(toml::Value::Integer),
        Some(toml::Value::Float(_)) => raw.parse().ok().map(toml::Value::Float),
        Some(toml::Value::Boolean(_)) => raw.parse().ok().map(toml::Value::Boolean),
        // A list key (`smtp.trusted_relays`) takes comma-separated items.
        Some(toml::Value::Array(_)) => Some(toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| toml::Value::String(item.to_owned()))
                .collect(),
        )),
        _ => None,
    };
    parsed.unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

/// A value for a key without a default, read by its declared type's name.
fn declared_value(ty: Option<&str>, raw: &str) -> toml::Value {
    let parsed = match ty {
        Some("integer") => raw.parse().ok().map(toml::Value::Integer),
        Some("number") => raw.parse().ok().map(toml::Value::Float),
        Some("boolean") => raw.parse().ok().map(toml::Value::Boolean),
        _ => None,
    };
    parsed.unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn insert(table: &mut toml::Table, path: &[String], value: toml::Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = table;
    for segment in parents {
        let entry = current
            .entry(segment.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        match entry {
            toml::Value::Table(t) => current = t,
            _ => return,
        }
    }
    current.insert(last.clone(), value);
}
