//! Captures the doc comments of the configuration's declarations for the generated
//! configuration reference (`postroom docs reference`).
//!
//! The structs and enums behind `postroom.toml` are read with `syn` and written out as
//! static tables (`$OUT_DIR/config_docs.rs`, included by `src/reference/config.rs`): each
//! type's fields or variants with their doc text, their type as written and what serde
//! fills in when they are absent. The doc comment beside a field is the only copy of its
//! description; the reference is made from it.

use std::fmt::Write as _;
use std::path::Path;

/// The files that declare `postroom.toml`: this crate's `config` module and the mail
/// crate's IMAP and outbound settings, which `[[mailboxes]]` and `[outbound]` use as is.
const SOURCES: &[&str] = &[
    "src/config/mod.rs",
    "src/config/inbound.rs",
    "src/config/console.rs",
    "src/config/secrets.rs",
    "src/config/usage.rs",
    "src/config/operator.rs",
    "src/config/backup.rs",
    "src/config/retention.rs",
    "../mail/src/imap/settings.rs",
    "../mail/src/send/settings.rs",
];

fn main() {
    let mut out = String::from("&[\n");
    for source in SOURCES {
        println!("cargo::rerun-if-changed={source}");
        let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
        let functions = default_functions(&file);
        for item in &file.items {
            match item {
                syn::Item::Struct(s) => write_struct(&mut out, source, s, &functions),
                syn::Item::Enum(e) => write_enum(&mut out, source, e, &functions),
                _ => {}
            }
        }
    }
    out.push(']');
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let path = Path::new(&dir).join("config_docs.rs");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// `fn name() -> T { expr }` of the file: what `#[serde(default = "name")]` means.
fn default_functions(file: &syn::File) -> Vec<(String, String)> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) if f.sig.inputs.is_empty() => match f.block.stmts.as_slice() {
                [syn::Stmt::Expr(expr, None)] => Some((f.sig.ident.to_string(), value_of(expr)?)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// A constant expression as a TOML value: literals, `"x".to_owned()`, `PathBuf::from("x")`
/// and products of integers.
fn value_of(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(lit) => match &lit.lit {
            syn::Lit::Str(s) => Some(format!("{:?}", s.value())),
            syn::Lit::Int(i) => Some(i.base10_digits().to_owned()),
            syn::Lit::Bool(b) => Some(b.value.to_string()),
            _ => None,
        },
        syn::Expr::MethodCall(call) if call.args.is_empty() => value_of(&call.receiver),
        syn::Expr::Call(call) if call.args.len() == 1 => value_of(&call.args[0]),
        syn::Expr::Binary(bin) if matches!(bin.op, syn::BinOp::Mul(_)) => {
            let left: u64 = value_of(&bin.left)?.parse().ok()?;
            let right: u64 = value_of(&bin.right)?.parse().ok()?;
            Some(left.checked_mul(right)?.to_string())
        }
        _ => None,
    }
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && nv.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            lines.push(s.value().trim().to_owned());
        }
    }
    lines.join(" ").trim().to_owned()
}

/// The `#[serde(...)]` settings the reference needs, as `name` or `name=value` strings.
fn serde_of(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut found = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let name = meta.path.get_ident().map(ToString::to_string);
            let name = name.unwrap_or_default();
            if meta.input.peek(syn::Token![=]) {
                let value: syn::LitStr = meta.value()?.parse()?;
                found.push(format!("{name}={}", value.value()));
            } else {
                found.push(name);
                if meta.input.peek(syn::token::Paren) {
                    let _ = meta.parse_nested_meta(|inner| {
                        if inner.input.peek(syn::Token![=]) {
                            let _: syn::Expr = inner.value()?.parse()?;
                        }
                        Ok(())
                    });
                }
            }
            Ok(())
        });
    }
    found
}

fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return String::new();
            };
            let mut name = last.ident.to_string();
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                let inner: Vec<String> = args
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        syn::GenericArgument::Type(t) => Some(type_name(t)),
                        _ => None,
                    })
                    .collect();
                let _ = write!(name, "<{}>", inner.join(","));
            }
            name
        }
        _ => String::new(),
    }
}

fn write_fields(out: &mut String, fields: &syn::Fields, functions: &[(String, String)]) {
    out.push_str("&[");
    for (i, field) in fields.iter().enumerate() {
        let name = field
            .ident
            .as_ref()
            .map_or_else(|| i.to_string(), ToString::to_string);
        let serde = serde_of(&field.attrs);
        let default = serde.iter().find_map(|s| {
            let name = s.strip_prefix("default=")?;
            let value = functions.iter().find(|(f, _)| f == name);
            Some(value.map_or(String::new(), |(_, v)| v.clone()))
        });
        let _ = write!(
            out,
            "Field {{ name: {name:?}, doc: {:?}, ty: {:?}, serde: &{serde:?}, default_value: {default:?} }},",
            doc_of(&field.attrs),
            type_name(&field.ty),
        );
    }
    out.push(']');
}

fn write_struct(
    out: &mut String,
    source: &str,
    s: &syn::ItemStruct,
    functions: &[(String, String)],
) {
    let _ = write!(
        out,
        "Declared {{ source: {source:?}, name: {:?}, doc: {:?}, serde: &{:?}, shape: Shape::Struct(",
        s.ident.to_string(),
        doc_of(&s.attrs),
        serde_of(&s.attrs),
    );
    write_fields(out, &s.fields, functions);
    out.push_str(") },\n");
}

fn write_enum(out: &mut String, source: &str, e: &syn::ItemEnum, functions: &[(String, String)]) {
    let _ = write!(
        out,
        "Declared {{ source: {source:?}, name: {:?}, doc: {:?}, serde: &{:?}, shape: Shape::Enum(&[",
        e.ident.to_string(),
        doc_of(&e.attrs),
        serde_of(&e.attrs),
    );
    for variant in &e.variants {
        let is_default = variant.attrs.iter().any(|a| a.path().is_ident("default"));
        let _ = write!(
            out,
            "Variant {{ name: {:?}, doc: {:?}, is_default: {is_default}, fields: ",
            variant.ident.to_string(),
            doc_of(&variant.attrs),
        );
        write_fields(out, &variant.fields, functions);
        out.push_str(" },");
    }
    out.push_str("]) },\n");
}
