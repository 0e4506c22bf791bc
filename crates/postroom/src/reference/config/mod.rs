//! The configuration reference: every key of `postroom.toml` with its type, default and
//! meaning, walked from [`Config`] through the declarations `build.rs` captured (their doc
//! comments are the meanings), with the defaults of `Config::default()`.

use std::collections::HashMap;
use std::fmt::Write as _;

mod declared;

use super::{cell, generated_note};
use crate::config::Config;
use declared::{Declared, Field, Shape, Variant, find, has, label, renamed, setting, unwrap};

/// One table of the page: a TOML table of the file.
struct Section {
    title: String,
    doc: String,
    rows: Vec<Row>,
}

struct Row {
    key: String,
    ty: String,
    default: String,
    doc: String,
}

/// Every key's row, by table, from the declarations.
fn sections() -> Vec<Section> {
    let defaults = toml::Value::try_from(Config::default()).ok();
    let mut sections = vec![Section {
        title: "Top level".to_owned(),
        doc: "Keys before the first table of the file.".to_owned(),
        rows: Vec::new(),
    }];
    if let Some(root) = find("Config", "src/config/mod.rs") {
        walk(root, &Place::root(defaults.as_ref()), 0, &mut sections);
    }
    sections
}

/// The type each key is declared with, as the reference names it (`integer`, `number`,
/// `boolean`, …): how an environment override of a key that is unset by default is read.
pub(crate) fn key_types() -> HashMap<String, String> {
    sections()
        .into_iter()
        .flat_map(|s| s.rows)
        .map(|row| (row.key, row.ty))
        .collect()
}

pub(super) fn markdown() -> String {
    let sections = sections();
    let mut out = format!(
        "# Configuration reference\n\n{}\nEvery key of `postroom.toml`, from the declarations \
         in the code. `postroom init` writes a commented starter file. A key inside \
         one of the tables below, other than `[[mailboxes]]`, `[outbound]` and `[secrets]`, \
         can also be set by an environment variable `POSTROOM_<TABLE>__<KEY>` (upper case, a double \
         underscore between the parts: `POSTROOM_STORAGE__URL`, \
         `POSTROOM_CONSOLE__OAUTH__CLIENT_ID`); a list takes comma-separated items. \
         Variables without a double underscore are not configuration. A default of \
         *unset* means the key is absent unless given; *required* keys must be given \
         whenever their table is.\n",
        generated_note()
    );
    for section in sections.iter().filter(|s| !s.rows.is_empty()) {
        let _ = write!(out, "\n## {}\n\n", section.title);
        if !section.doc.is_empty() {
            let _ = write!(out, "{}\n\n", section.doc);
        }
        out.push_str("| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
        for row in &section.rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                row.key,
                cell(&row.ty),
                cell(&row.default),
                cell(&row.doc)
            );
        }
    }
    out
}

/// Where the walk is: the key prefix, the defaults below it, a condition on the keys
/// (`with transport = "smtp"`) and whether the enclosing table fills absent keys in.
struct Place<'a> {
    prefix: String,
    defaults: Option<&'a toml::Value>,
    condition: Option<String>,
    container_default: bool,
}

impl<'a> Place<'a> {
    fn root(defaults: Option<&'a toml::Value>) -> Self {
        Self {
            prefix: String::new(),
            defaults,
            condition: None,
            container_default: true,
        }
    }

    fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }
}

fn walk(decl: &'static Declared, place: &Place<'_>, section: usize, out: &mut Vec<Section>) {
    if let Shape::Struct(fields) = decl.shape {
        walk_fields(decl.source, decl.serde, fields, place, section, out);
    }
}

/// The keys of one table: `fields` of a struct (or a struct-like variant) of `source`.
fn walk_fields(
    source: &'static str,
    serde: &[&str],
    fields: &'static [Field],
    place: &Place<'_>,
    section: usize,
    out: &mut Vec<Section>,
) {
    let container_default = place.container_default || has(serde, "default");
    for field in fields {
        if has(field.serde, "skip") {
            continue;
        }
        let name = setting(field.serde, "rename").unwrap_or(field.name);
        let key = place.key(name);
        let (inner, list, optional) = unwrap(field.ty);
        let defaults = place.defaults.and_then(|d| d.get(name));
        let target = find(inner, source);
        let doc = if field.doc.is_empty() {
            target.map_or("", |t| t.doc)
        } else {
            field.doc
        };
        let doc = match &place.condition {
            Some(condition) => format!("({condition}) {doc}"),
            None => doc.to_owned(),
        };
        match target.map(|t| (t, &t.shape)) {
            Some((t, Shape::Struct(inner_fields)))
                if !has(t.serde, "transparent") && !inner_fields.is_empty() =>
            {
                let title = if list {
                    format!("[[{key}]]")
                } else {
                    format!("[{key}]")
                };
                out.push(Section {
                    title,
                    doc,
                    rows: Vec::new(),
                });
                let index = out.len() - 1;
                let inner_place = Place {
                    prefix: key,
                    defaults,
                    condition: None,
                    container_default: false,
                };
                walk(t, &inner_place, index, out);
            }
            Some((t, Shape::Enum(variants))) if setting(t.serde, "tag").is_some() => {
                // Absent, the whole table takes the enum's default variant.
                let fills_in = container_default || has(field.serde, "default");
                tagged(t, variants, &key, doc, fills_in, out);
            }
            _ => {
                let known = label(inner) != inner;
                let (ty, variant_docs, enum_default) = match target.map(|t| (t, &t.shape)) {
                    Some((t, Shape::Enum(variants))) if !known => enum_leaf(t, variants),
                    Some((t, Shape::Struct([only]))) if !known && has(t.serde, "transparent") => {
                        (label(only.ty), String::new(), None)
                    }
                    _ => (label(field.ty), String::new(), None),
                };
                let default = default_of(
                    field,
                    defaults,
                    optional,
                    list,
                    container_default,
                    enum_default,
                );
                let row = Row {
                    key,
                    ty,
                    default,
                    doc: format!("{doc}{variant_docs}"),
                };
                // A free-form table (`[secrets]`) is a table of the file of its own.
                if row.ty == "table" {
                    out.push(Section {
                        title: format!("[{}]", row.key),
                        doc: String::new(),
                        rows: vec![row],
                    });
                } else {
                    out[section].rows.push(row);
                }
            }
        }
    }
}

/// A leaf whose type is a plain enum: its values, each value's doc, its default value.
fn enum_leaf(t: &Declared, variants: &[Variant]) -> (String, String, Option<String>) {
    let rename_all = setting(t.serde, "rename_all");
    let (ty, docs) = values(variants, rename_all);
    let docs = if docs.is_empty() {
        docs
    } else {
        format!(" {docs}")
    };
    let default = variants
        .iter()
        .find(|v| v.is_default)
        .map(|v| format!("\"{}\"", renamed(v.name, rename_all)));
    (ty, docs, default)
}

/// An enum's values as a type (`one of `a`, `b``) and each value with its doc.
fn values(variants: &[Variant], rename_all: Option<&str>) -> (String, String) {
    let names: Vec<String> = variants
        .iter()
        .map(|v| format!("`{}`", renamed(v.name, rename_all)))
        .collect();
    let docs: Vec<String> = variants
        .iter()
        .filter(|v| !v.doc.is_empty())
        .map(|v| format!("`{}`: {}", renamed(v.name, rename_all), v.doc))
        .collect();
    (format!("one of {}", names.join(", ")), docs.join(" "))
}

/// An internally tagged enum (`transport = "smtp"`, `method = "login"`): the tag as a key,
/// then each variant's keys under the condition of its tag value.
fn tagged(
    t: &'static Declared,
    variants: &[Variant],
    key: &str,
    doc: String,
    fills_in: bool,
    out: &mut Vec<Section>,
) {
    let tag = setting(t.serde, "tag").unwrap_or("type");
    let rename_all = setting(t.serde, "rename_all");
    let default = variants
        .iter()
        .find(|v| v.is_default && fills_in)
        .map_or("required".to_owned(), |v| {
            format!("`\"{}\"`", renamed(v.name, rename_all))
        });
    out.push(Section {
        title: format!("[{key}]"),
        doc,
        rows: Vec::new(),
    });
    let index = out.len() - 1;
    let (ty, docs) = values(variants, rename_all);
    out[index].rows.push(Row {
        key: format!("{key}.{tag}"),
        ty,
        default,
        doc: docs,
    });
    for variant in variants {
        let condition = format!("with {tag} = \"{}\"", renamed(variant.name, rename_all));
        let place = Place {
            prefix: key.to_owned(),
            defaults: None,
            condition: Some(condition),
            container_default: false,
        };
        match variant.fields {
            // A newtype variant: the keys of the struct it wraps.
            [only] if only.name == "0" => {
                if let Some(inner) = find(unwrap(only.ty).0, t.source) {
                    walk(inner, &place, index, out);
                }
            }
            fields => walk_fields(t.source, &[], fields, &place, index, out),
        }
    }
}

fn default_of(
    field: &Field,
    defaults: Option<&toml::Value>,
    optional: bool,
    list: bool,
    container_default: bool,
    enum_default: Option<String>,
) -> String {
    if let Some(value) = defaults {
        return format!("`{value}`");
    }
    if let Some(value) = field.default_value.filter(|v| !v.is_empty()) {
        return format!("`{value}`");
    }
    if optional {
        return "unset".to_owned();
    }
    if list {
        return "`[]`".to_owned();
    }
    if container_default || has(field.serde, "default") {
        if let Some(value) = enum_default {
            return format!("`{value}`");
        }
        return match field.ty {
            "bool" => "`false`".to_owned(),
            _ => "unset".to_owned(),
        };
    }
    "required".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(prefix: &str, value: &toml::Value, out: &mut Vec<String>) {
        match value {
            toml::Value::Table(table) => {
                for (k, v) in table {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(&key, v, out);
                }
            }
            _ => out.push(prefix.to_owned()),
        }
    }

    #[test]
    fn every_key_of_the_default_configuration_is_in_the_reference_with_a_meaning() {
        let page = markdown();
        let defaults = toml::Value::try_from(Config::default()).expect("defaults serialize");
        let mut keys = Vec::new();
        leaves("", &defaults, &mut keys);
        assert!(keys.len() > 25, "{keys:?}");
        for key in keys {
            assert!(
                page.contains(&format!("| `{key}` |")),
                "{key} missing:\n{page}"
            );
        }
        for line in page.lines().filter(|l| l.starts_with("| `")) {
            assert!(!line.ends_with("|  |"), "a key without a meaning: {line}");
        }
    }

    #[test]
    fn keys_only_the_declarations_know_are_there_too() {
        let page = markdown();
        for key in [
            "| `mailboxes.auth.method` |",
            "| `mailboxes.folder` | string | `\"INBOX\"` |",
            "| `outbound.transport` |",
            "| `outbound.pool_size` |",
            "| `storage.s3.bucket` |",
            "| `console.oauth.client_secret` |",
            "| `secrets` | table |",
        ] {
            assert!(page.contains(key), "{key} missing:\n{page}");
        }
    }
}
