//! The values a template sees, and the objects that hand them to minijinja while noting
//! every variable that had no value.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};

/// The variables of one render: top-level names → values, nested as JSON objects nest.
///
/// Built once per issue (see [`super::IssueContext`]) or from any JSON, and reused for as
/// many renders as needed; rendering never copies it.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    root: Arc<Branch>,
}

impl RenderContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the top-level variable `name`; JSON objects become nested variables (`a.b`),
    /// and `null` counts as no value.
    pub fn insert(&mut self, name: &str, value: serde_json::Value) {
        Arc::make_mut(&mut self.root)
            .entries
            .insert(name.to_owned(), Entry::from_json(value));
    }

    /// Gives the variable at dotted `path` (as [`super::Rendered::missing`] names it) the
    /// text `value`, so that an agent can supply what the issue does not say. A value the
    /// context already has is never replaced: an agent fills gaps, never overrides Jira's
    /// data. False when nothing was filled (a value is there, or a part of the path is not
    /// a plain name).
    pub fn fill(&mut self, path: &str, value: &str) -> bool {
        let parts: Vec<&str> = path.split('.').collect();
        let plain =
            |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        parts.iter().all(plain) && fill_in(Arc::make_mut(&mut self.root), &parts, value)
    }

    /// The root object for one render, recording missing variables into `missing`.
    pub(crate) fn root(&self, missing: &Arc<Missing>) -> Value {
        Value::from_object(Tracked {
            branch: Arc::clone(&self.root),
            path: String::new(),
            missing: Arc::clone(missing),
        })
    }
}

fn fill_in(branch: &mut Branch, parts: &[&str], value: &str) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    let entry = branch
        .entries
        .entry((*first).to_owned())
        .or_insert_with(|| Entry::Leaf(Value::from(())));
    match entry {
        Entry::Leaf(old) if !old.is_none() => false,
        Entry::Leaf(_) if rest.is_empty() => {
            *entry = Entry::Leaf(Value::from(value));
            true
        }
        Entry::Leaf(_) => {
            let mut child = Branch::default();
            let filled = fill_in(&mut child, rest, value);
            *entry = Entry::Branch(Arc::new(child));
            filled
        }
        Entry::Branch(_) if rest.is_empty() => false,
        Entry::Branch(child) => fill_in(Arc::make_mut(child), rest, value),
    }
}

/// A JSON object of the context.
#[derive(Debug, Clone, Default)]
struct Branch {
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Branch(Arc<Branch>),
    Leaf(Value),
}

impl Entry {
    fn from_json(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Object(map) => Entry::Branch(Arc::new(Branch {
                entries: map
                    .into_iter()
                    .map(|(k, v)| (k, Entry::from_json(v)))
                    .collect(),
            })),
            other => Entry::Leaf(plain_value(other)),
        }
    }
}

/// A JSON value as a minijinja value; objects inside lists become plain maps.
fn plain_value(value: serde_json::Value) -> Value {
    use serde_json::Value as J;
    match value {
        J::Null => Value::from(()),
        J::Bool(b) => Value::from(b),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(u)) => Value::from(u),
            _ => Value::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::from(s),
        J::Array(items) => items.into_iter().map(plain_value).collect(),
        J::Object(map) => Value::from(
            map.into_iter()
                .map(|(k, v)| (k, plain_value(v)))
                .collect::<BTreeMap<String, Value>>(),
        ),
    }
}

/// The variables that were looked up during one render and had no value, as dotted paths.
#[derive(Debug, Default)]
pub(crate) struct Missing(Mutex<BTreeSet<String>>);

impl Missing {
    fn note(&self, path: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path);
    }

    /// The paths noted so far, sorted.
    pub(crate) fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
            .into_iter()
            .collect()
    }
}

/// The names minijinja resolves after the context (its globals): a lookup of these in the
/// context is not a missing variable. `super::engine` checks this list against the
/// environment in a test.
pub(crate) const GLOBALS: [&str; 3] = ["dict", "namespace", "range"];

/// One object of the context as minijinja sees it: lookups that find nothing are noted.
#[derive(Debug)]
struct Tracked {
    branch: Arc<Branch>,
    path: String,
    missing: Arc<Missing>,
}

impl Tracked {
    fn child_path(&self, key: &str) -> String {
        let plain = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !key.is_empty();
        match (self.path.is_empty(), plain) {
            (true, _) => key.to_owned(),
            (false, true) => format!("{}.{key}", self.path),
            (false, false) => format!("{}[{key:?}]", self.path),
        }
    }
}

impl Object for Tracked {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        match self.branch.entries.get(key) {
            Some(Entry::Leaf(value)) if !value.is_none() => Some(value.clone()),
            Some(Entry::Branch(branch)) => Some(Value::from_object(Tracked {
                branch: Arc::clone(branch),
                path: self.child_path(key),
                missing: Arc::clone(&self.missing),
            })),
            _ => {
                if !(self.path.is_empty() && GLOBALS.contains(&key)) {
                    self.missing.note(self.child_path(key));
                }
                None
            }
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.branch.entries.keys().map(Value::from).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.branch.entries.len())
    }
}
